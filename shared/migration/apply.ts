/**
 * POST /api/migrations/{id}/start: create the plan's profiles and mailboxes, idempotently.
 *
 * Every id is deterministic (domain/migration/plan.ts), every record is created only if absent, and
 * each step is logged once; so running start twice, or again after a crash half-way, creates nothing
 * twice and finishes what was left. Mailboxes are created through the same service as the mailbox
 * API (createMailbox: the claims index first), unapproved, unless the admin chose to approve them;
 * then the waves of Test & Enable are scheduled (wave-runner.ts).
 */
import { ApiError } from "../api/http-responses.js";
import { approveMailbox } from "../api/mailbox-admin-api.js";
import type { Caller } from "../auth/caller.js";
import { approvalRefusal, mailboxTenantOf } from "../auth/tenant-admin.js";
import { newMailbox } from "../domain/mailbox.js";
import { planWaves } from "../domain/migration/waves.js";
import { newProfile } from "../domain/profile.js";
import type { Runtime } from "../runtime.js";
import { createMailbox, MappingConflict } from "../sync/mailbox-mapping.js";
import { MigrationConflict, type MigrationDocument, type MigrationRow } from "./migration-repository.js";
import { planOf, processEmailsFromHoursBefore, requireMigration } from "./migration-service.js";

export interface ApplyHooks {
  /** Called after each step is logged (tests stop here to simulate a crash between steps). */
  afterStep?: (key: string) => void | Promise<void>;
}

export const stepKeys = {
  profile: (id: string) => `apply|profile|${id}`,
  mailbox: (id: string) => `apply|mailbox|${id}`,
  approve: (id: string) => `apply|approve|${id}`,
  test: (wave: number, id: string) => `wave|${String(wave).padStart(4, "0")}|${id}`,
};

/** Fixes the start time, Process Emails From and the wave schedule once: a retry keeps them. */
async function begin(runtime: Runtime, row: MigrationRow, document: MigrationDocument): Promise<{ row: MigrationRow; document: MigrationDocument }> {
  const now = runtime.now();
  const plan = planOf(document);
  const enabling = plan.mailboxes.filter((m) => !m.excluded && !m.existingMailboxId);
  const started: MigrationDocument = {
    ...document,
    processEmailsFrom: new Date(now - processEmailsFromHoursBefore * 3_600_000).toISOString(),
    schedule: planWaves(enabling.map((m) => ({ id: m.id, kind: m.kind, emailAddress: m.emailAddress })), document.waves, now),
  };
  try {
    return { row: await runtime.migrations.update(row, { status: "Applying", startedAt: new Date(now).toISOString() }, started), document: started };
  } catch (error) {
    if (!(error instanceof MigrationConflict)) throw error;
    // Another start began it meanwhile: carry on with what that one fixed.
    return requireMigration(runtime, row.id);
  }
}

async function once(runtime: Runtime, migrationId: string, key: string, hooks: ApplyHooks, work: () => Promise<{ outcome: string; detail?: string }>): Promise<void> {
  if (await runtime.migrations.step(migrationId, key)) return;
  const { outcome, detail } = await work();
  await runtime.migrations.recordStep(migrationId, { key, outcome, detail, at: new Date(runtime.now()).toISOString() });
  await hooks.afterStep?.(key);
}

/**
 * `caller` is who started it: when the migration approves its mailboxes, the caller must be one who
 * may approve them (an approver who administers the mailboxes' tenant), checked before anything is
 * created, so a refused start changes nothing.
 */
export async function startMigration(runtime: Runtime, id: string, caller: Caller, hooks: ApplyHooks = {}): Promise<MigrationRow> {
  let { row, document } = await requireMigration(runtime, id);
  if (document.approveMailboxes) {
    // Migrated profiles use the deployment's app: their mailboxes are in the deployment's tenant.
    const refusal = !caller.roles.includes("Sync.Approver") && caller.kind !== "localOperator"
      ? "This migration approves its mailboxes (approveMailboxes): starting it needs the Sync.Approver role too; start it as an approver, or set approveMailboxes to false and approve the mailboxes afterwards."
      : approvalRefusal(caller, mailboxTenantOf({ kind: "deploymentApp" }, runtime.settings.graph.tenantId));
    if (refusal) throw new ApiError(403, "Forbidden", refusal);
  }
  if (row.status === "Planned") ({ row, document } = await begin(runtime, row, document));
  if (row.status !== "Applying") return row;
  const plan = planOf(document);
  const mailboxes = plan.mailboxes.filter((m) => !m.excluded && !m.existingMailboxId);
  // A profile none of whose mailboxes is created (all excluded, or all kept as they were) is not created either.
  for (const profile of plan.profiles.filter((p) => !p.excluded && mailboxes.some((m) => m.profileId === p.id))) {
    await once(runtime, id, stepKeys.profile(profile.id), hooks, async () => {
      if (await runtime.profiles.get(profile.id)) return { outcome: "existed" };
      const at = runtime.now();
      await runtime.profiles.put(newProfile({ id: profile.id, name: profile.name, credential: { kind: "deploymentApp" }, processEmailsFrom: document.processEmailsFrom }, at));
      return { outcome: "created" };
    });
  }
  for (const planned of mailboxes) {
    await once(runtime, id, stepKeys.mailbox(planned.id), hooks, async () => {
      const mailbox = newMailbox(
        {
          id: planned.id,
          emailAddress: planned.emailAddress,
          profileId: planned.profileId,
          ownerType: planned.kind,
          ownerId: planned.ownerId,
          // The router never synced appointments, contacts or tasks: ACT stays off, as it was.
          methods: { incoming: planned.incoming ? "ServerSideSync" : "None", outgoing: planned.outgoing ? "ServerSideSync" : "None", act: "None" },
        },
        runtime.now(),
      );
      try {
        return { outcome: (await createMailbox(runtime, mailbox)) ? "created" : "existed" };
      } catch (error) {
        if (error instanceof MappingConflict) return { outcome: "conflict", detail: error.message };
        throw error;
      }
    });
  }
  if (document.approveMailboxes) {
    for (const planned of mailboxes) {
      const created = await runtime.migrations.step(id, stepKeys.mailbox(planned.id));
      if (created?.outcome === "conflict") continue;
      await once(runtime, id, stepKeys.approve(planned.id), hooks, async () => {
        await approveMailbox(runtime, planned.id, caller);
        return { outcome: "approved" };
      });
    }
  }
  const schedule = document.schedule ?? [];
  const enabling = document.waves.enabled && schedule.length > 0;
  try {
    return await runtime.migrations.update(row, enabling ? { status: "Enabling", nextWave: 0, nextWaveAt: schedule[0]!.dueAt } : { status: "Applied", nextWaveAt: null });
  } catch (error) {
    if (!(error instanceof MigrationConflict)) throw error;
    return (await runtime.migrations.get(id))!;
  }
}
