/**
 * Email Router migrations: upload (read every file as hostile input, plan, store), read the plan,
 * change the admin's choices. Apply and the waves are in apply.ts and wave-runner.ts.
 */
import { randomUUID } from "node:crypto";
import pLimit from "p-limit";
import { ApiError, notFound } from "../api/http-responses.js";
import { addressClaim } from "../domain/mailbox-claims.js";
import { FormatRefused, readRouterConfiguration } from "../domain/migration/router-format.js";
import { buildPlan, type Exclusions, type MigrationPlan, type UploadedRouter } from "../domain/migration/plan.js";
import { defaultWaveSettings, type WaveSettings } from "../domain/migration/waves.js";
import type { Runtime } from "../runtime.js";
import { MigrationConflict, type MigrationDocument, type MigrationRow } from "./migration-repository.js";
import { configurationFileName, maxUploadBytes, readRouterUpload, systemStateFileName } from "./router-upload.js";
import { readXml, XmlRefused, type XmlLimits } from "./safe-xml.js";

/** A router's configuration lists one provider per mailbox and direction: generous, yet bounded. */
export const routerFileLimits: XmlLimits = { maxBytes: maxUploadBytes, maxDepth: 16, maxElements: 500_000 };
/** Process Emails From of the new profiles: 24 hours before the migration starts. */
export const processEmailsFromHoursBefore = 24;

function refusedFile(router: string, file: string, error: unknown): never {
  if (error instanceof XmlRefused || error instanceof FormatRefused) {
    throw new ApiError(400, "BadRequest", `Router '${router}', ${file}: ${error.message}. Nothing was stored.`, router);
  }
  throw error;
}

async function indexFacts(runtime: Runtime, routers: UploadedRouter[]): Promise<MigrationDocument["index"]> {
  const providers = routers.flatMap((r) => r.configuration.providers);
  const addresses = [...new Set(providers.map((p) => p.emailAddress))];
  const owners = [...new Set(providers.filter((p) => p.ownerId && p.owner !== "forwardMailbox").map((p) => `${p.owner}:${p.ownerId}`))];
  const limit = pLimit(16);
  const addressHolders = await Promise.all(addresses.map((a) => limit(async () => [a, await runtime.mailboxIndex.holder(addressClaim(a))] as const)));
  const ownerHolders = await Promise.all(
    owners.map((key) => limit(async () => {
      const [ownerType, ownerId] = key.split(":") as ["user" | "queue", string];
      return [key, await runtime.mailboxIndex.holder({ kind: "owner", ownerType, ownerId })] as const;
    })),
  );
  const held = (pairs: readonly (readonly [string, string | undefined])[]) => pairs.filter((p): p is readonly [string, string] => p[1] !== undefined).map(([k, v]) => [k, v] as [string, string]);
  return { addressHolders: held(addressHolders), ownerHolders: held(ownerHolders) };
}

export function planOf(document: MigrationDocument): MigrationPlan {
  return buildPlan(document.routers, { addressHolders: new Map(document.index.addressHolders), ownerHolders: new Map(document.index.ownerHolders) }, document.exclusions);
}

export async function createMigration(runtime: Runtime, contentType: string | null, body: ReadableStream<Uint8Array> | null): Promise<{ row: MigrationRow; document: MigrationDocument }> {
  const uploads = await readRouterUpload(contentType, body);
  const routers: UploadedRouter[] = uploads.map((upload) => {
    let configuration;
    try {
      configuration = readRouterConfiguration(readXml(upload.configuration, routerFileLimits));
    } catch (error) {
      refusedFile(upload.router, configurationFileName, error);
    }
    if (upload.systemState) {
      // Run-time state: checked as safe XML, nothing of it is needed (Process Emails From is set from the migration's start).
      try {
        readXml(upload.systemState, routerFileLimits);
      } catch (error) {
        refusedFile(upload.router, systemStateFileName, error);
      }
    }
    return { name: upload.router, configuration, files: [configurationFileName, ...(upload.systemState ? [systemStateFileName] : [])] };
  });
  const document: MigrationDocument = {
    routers,
    index: await indexFacts(runtime, routers),
    exclusions: { profiles: [], mailboxes: [] },
    waves: { ...defaultWaveSettings, enabled: true },
    approveMailboxes: false,
  };
  const row = await runtime.migrations.create(randomUUID(), document, new Date(runtime.now()).toISOString());
  return { row, document };
}

export async function requireMigration(runtime: Runtime, id: string): Promise<{ row: MigrationRow; document: MigrationDocument }> {
  const row = await runtime.migrations.get(id);
  if (!row) throw notFound("Migration", id);
  return { row, document: await runtime.migrations.document(row) };
}

export interface MigrationChoices {
  excludedProfiles?: string[];
  excludedMailboxes?: string[];
  waves?: Partial<WaveSettings> & { enabled?: boolean };
  approveMailboxes?: boolean;
}

/** Replaces the admin's choices before start (409 after: what was created stays as it is). */
/**
 * Applies the admin's choices. Each choice is an absolute value (a whole exclusion list, a setting),
 * so a change that lost to a concurrent one (two PATCHes at once: a console ticking two boxes) is
 * applied again to what that one wrote; only a start in between refuses it.
 */
export async function changeMigration(runtime: Runtime, id: string, choices: MigrationChoices): Promise<{ row: MigrationRow; document: MigrationDocument }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await changeOnce(runtime, id, choices);
    } catch (error) {
      if (!(error instanceof MigrationConflict) || attempt >= 4) {
        if (error instanceof MigrationConflict) throw new ApiError(409, "Conflict", `${error.message} Read it again and retry.`);
        throw error;
      }
    }
  }
}

async function changeOnce(runtime: Runtime, id: string, choices: MigrationChoices): Promise<{ row: MigrationRow; document: MigrationDocument }> {
  const { row, document } = await requireMigration(runtime, id);
  if (row.status !== "Planned") throw new ApiError(409, "Conflict", `Migration '${id}' has started (${row.status}): its plan no longer changes.`);
  const plan = buildPlan(document.routers, { addressHolders: new Map(document.index.addressHolders), ownerHolders: new Map(document.index.ownerHolders) });
  const unknown = (ids: string[] | undefined, known: Set<string>, field: string) => {
    const missing = (ids ?? []).find((x) => !known.has(x));
    if (missing !== undefined) throw new ApiError(400, "BadRequest", `Invalid body parameter '${field}': '${missing}' is not in this migration's plan.`, field);
  };
  unknown(choices.excludedProfiles, new Set(plan.profiles.map((p) => p.id)), "excludedProfiles");
  unknown(choices.excludedMailboxes, new Set(plan.mailboxes.map((m) => m.id)), "excludedMailboxes");
  const exclusions: Exclusions = {
    profiles: [...new Set(choices.excludedProfiles ?? document.exclusions.profiles)],
    mailboxes: [...new Set(choices.excludedMailboxes ?? document.exclusions.mailboxes)],
  };
  const next: MigrationDocument = {
    ...document,
    exclusions,
    waves: { ...document.waves, ...choices.waves },
    approveMailboxes: choices.approveMailboxes ?? document.approveMailboxes,
  };
  return { row: await runtime.migrations.update(row, {}, next), document: next };
}
