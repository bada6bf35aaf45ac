/** Email Router migrations over HTTP: upload, read the plan and progress, change choices, start. */
import { z } from "zod";
import { maxWaveSize } from "../domain/migration/waves.js";
import { stepKeys, startMigration } from "../migration/apply.js";
import type { MigrationDocument, MigrationRow } from "../migration/migration-repository.js";
import { changeMigration, createMigration, planOf, processEmailsFromHoursBefore, requireMigration } from "../migration/migration-service.js";
import type { Caller } from "../auth/caller.js";
import type { Runtime } from "../runtime.js";
import { idParam } from "./admin-schemas.js";
import { parseOrThrow, routeParam } from "./http-responses.js";
import { listScope, pageOf, pagingQuery } from "./paging.js";

const migrationId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "must be a migration id");

export const migrationChoicesBody = z
  .object({
    excludedProfiles: z.array(idParam).max(10_000).optional(),
    excludedMailboxes: z.array(idParam).max(100_000).optional(),
    waves: z
      .object({
        enabled: z.boolean().optional(),
        size: z.number().int().min(1).max(maxWaveSize, `must be at most ${maxWaveSize} (Test & Enable's limit per request)`).optional(),
        intervalMinutes: z.number().int().min(1).max(7 * 24 * 60).optional(),
      })
      .strict()
      .optional(),
    approveMailboxes: z.boolean().optional(),
  })
  .strict();

async function progress(runtime: Runtime, row: MigrationRow, document: MigrationDocument) {
  const [applied, tested] = await Promise.all([runtime.migrations.listSteps(row.id, "apply|"), runtime.migrations.listSteps(row.id, "wave|")]);
  const count = (outcome: string, kind: string) => applied.filter((s) => s.key.startsWith(`apply|${kind}|`) && s.outcome === outcome).length;
  const conflicts = applied.filter((s) => s.outcome === "conflict").map((s) => ({ mailboxId: s.key.split("|")[2]!, cause: s.detail ?? "" }));
  const byKey = new Map(tested.map((s) => [s.key, s]));
  return {
    apply: {
      profilesCreated: count("created", "profile"),
      profilesExisting: count("existed", "profile"),
      mailboxesCreated: count("created", "mailbox"),
      mailboxesExisting: count("existed", "mailbox"),
      mailboxesApproved: count("approved", "approve"),
      conflicts,
    },
    waves: (document.schedule ?? []).map((wave) => {
      const results = wave.mailboxIds.map((id) => ({ id, step: byKey.get(stepKeys.test(wave.index, id)) }));
      const done = row.nextWave > wave.index;
      return {
        wave: wave.index + 1,
        dueAt: new Date(wave.index === row.nextWave && row.nextWaveAt !== null ? row.nextWaveAt : wave.dueAt).toISOString(),
        status: done ? "Done" : results.some((r) => r.step) ? "Running" : "Pending",
        mailboxes: wave.mailboxIds.length,
        passed: results.filter((r) => r.step?.outcome === "passed").length,
        failed: results.filter((r) => r.step?.outcome === "failed").map((r) => ({ mailboxId: r.id, cause: r.step!.detail ?? "" })),
      };
    }),
  };
}

export async function migrationView(runtime: Runtime, row: MigrationRow, document: MigrationDocument) {
  const plan = planOf(document);
  const processEmailsFrom = document.processEmailsFrom ?? new Date(runtime.now() - processEmailsFromHoursBefore * 3_600_000).toISOString();
  return {
    id: row.id,
    status: row.status,
    createdAt: row.createdAt,
    startedAt: row.startedAt ?? null,
    routers: document.routers.map((r) => ({ name: r.name, files: r.files, providers: r.configuration.providers.length })),
    settings: { waves: document.waves, approveMailboxes: document.approveMailboxes },
    plan: {
      profiles: plan.profiles.map((p) => ({
        ...p,
        processEmailsFrom,
        credential: { kind: "deploymentApp" as const },
        mailboxes: plan.mailboxes.filter((m) => m.profileId === p.id).length,
      })),
      mailboxes: plan.mailboxes,
      notMigrated: plan.notMigrated,
    },
    progress: await progress(runtime, row, document),
  };
}

function summary(row: MigrationRow) {
  return { id: row.id, status: row.status, createdAt: row.createdAt, startedAt: row.startedAt ?? null };
}

export async function uploadMigration(runtime: Runtime, contentType: string | null, body: ReadableStream<Uint8Array> | null) {
  const { row, document } = await createMigration(runtime, contentType, body);
  return migrationView(runtime, row, document);
}

export async function getMigration(runtime: Runtime, id: string) {
  const { row, document } = await requireMigration(runtime, routeParam(migrationId, id, "id"));
  return migrationView(runtime, row, document);
}

export async function listMigrations(runtime: Runtime, query: Record<string, string>) {
  const paging = parseOrThrow(pagingQuery, query, "query");
  const page = await pageOf(listScope("migrations"), paging, (next) => runtime.migrations.listPage(next));
  return { ...page, items: page.items.map(summary) };
}

export async function patchMigration(runtime: Runtime, id: string, body: unknown) {
  const choices = parseOrThrow(migrationChoicesBody, body, "body");
  const { row, document } = await changeMigration(runtime, routeParam(migrationId, id, "id"), choices);
  return migrationView(runtime, row, document);
}

export async function startMigrationRequest(runtime: Runtime, id: string, caller: Caller) {
  const row = await startMigration(runtime, routeParam(migrationId, id, "id"), caller);
  return migrationView(runtime, row, await runtime.migrations.document(row));
}
