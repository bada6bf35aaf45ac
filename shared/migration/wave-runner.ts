/**
 * Runs the migrations' Test & Enable waves that are due (from the timer function migrationWaves).
 * A wave is claimed with a lease at the row's ETag, so two timer instances never run the same wave;
 * each mailbox's result is logged once, so a wave cut short by a crash resumes with the mailboxes it
 * had not tested. When a wave ends with failures, each profile concerned gets the
 * MigrationWaveFailures alert.
 */
import pLimit from "p-limit";
import { raiseAlert } from "../alerts/alert-service.js";
import type { Runtime } from "../runtime.js";
import { testAndEnable } from "../sync/test-and-enable.js";
import { stepKeys } from "./apply.js";
import { MigrationConflict, type MigrationRow } from "./migration-repository.js";

/** Long enough for 200 mailboxes' Test & Enable; a crashed wave is picked up again after it. */
export const waveLeaseMs = 30 * 60_000;

async function testOne(runtime: Runtime, migrationId: string, wave: number, mailboxId: string): Promise<void> {
  const key = stepKeys.test(wave, mailboxId);
  if (await runtime.migrations.step(migrationId, key)) return;
  const at = () => new Date(runtime.now()).toISOString();
  const stored = await runtime.mailboxes.get(mailboxId);
  if (!stored) {
    const created = await runtime.migrations.step(migrationId, stepKeys.mailbox(mailboxId));
    await runtime.migrations.recordStep(migrationId, { key, outcome: "failed", detail: created?.detail ? `not created: ${created.detail}` : "MailboxMissing: the mailbox record does not exist (deleted since the migration started?)", at: at() });
    return;
  }
  const result = await testAndEnable(runtime, stored.mailbox);
  const failures = Object.entries(result.workloads).filter(([, probe]) => probe?.status === "Failure");
  await runtime.migrations.recordStep(migrationId, {
    key,
    outcome: failures.length === 0 ? "passed" : "failed",
    detail: failures.map(([workload, probe]) => `${workload}: ${probe!.errorCode ?? "Failure"}${probe!.reason ? ` (${probe!.reason})` : ""}`).join("; ") || undefined,
    at: at(),
  });
}

async function alertFailures(runtime: Runtime, migrationId: string, wave: number, mailboxIds: string[]): Promise<void> {
  const results = await runtime.migrations.listSteps(migrationId, `wave|${String(wave).padStart(4, "0")}|`);
  const failed = new Set(results.filter((r) => r.outcome === "failed").map((r) => r.key.split("|")[2]!));
  if (failed.size === 0) return;
  const perProfile = new Map<string, { failed: number; total: number }>();
  for (const id of mailboxIds) {
    const profileId = (await runtime.mailboxes.get(id))?.mailbox.profileId ?? "(none)";
    const counts = perProfile.get(profileId) ?? { failed: 0, total: 0 };
    counts.total++;
    if (failed.has(id)) counts.failed++;
    perProfile.set(profileId, counts);
  }
  for (const [profileId, counts] of perProfile) {
    if (counts.failed === 0) continue;
    const profile = await runtime.profiles.get(profileId);
    await raiseAlert(runtime, "MigrationWaveFailures", {
      profile: profile ?? { id: profileId, name: profileId },
      detail: `migration ${migrationId}, wave ${wave + 1}: ${counts.failed} of ${counts.total} mailboxes failed`,
    });
  }
}

async function runWave(runtime: Runtime, row: MigrationRow): Promise<void> {
  const document = await runtime.migrations.document(row);
  const schedule = document.schedule ?? [];
  const wave = schedule[row.nextWave];
  const started = runtime.now();
  if (wave) {
    const limit = pLimit(10);
    await Promise.all(wave.mailboxIds.map((id) => limit(() => testOne(runtime, row.id, wave.index, id))));
    await alertFailures(runtime, row.id, wave.index, wave.mailboxIds);
  }
  const next = schedule[row.nextWave + 1];
  // Waves stay `intervalMinutes` apart even when one ran late.
  const nextAt = next ? Math.max(next.dueAt, started + document.waves.intervalMinutes * 60_000) : null;
  await runtime.migrations.update(row, next ? { nextWave: row.nextWave + 1, nextWaveAt: nextAt, waveLeaseUntil: 0 } : { status: "Completed", nextWave: row.nextWave + 1, nextWaveAt: null, waveLeaseUntil: 0 });
}

/** Runs every wave due now; returns how many ran. */
export async function runDueWaves(runtime: Runtime): Promise<number> {
  const now = runtime.now();
  let ran = 0;
  for (const due of await runtime.migrations.dueForWave(now)) {
    if (due.waveLeaseUntil > now) continue;
    let claimed: MigrationRow;
    try {
      claimed = await runtime.migrations.update(due, { waveLeaseUntil: now + waveLeaseMs });
    } catch (error) {
      if (error instanceof MigrationConflict) continue;
      throw error;
    }
    await runWave(runtime, claimed);
    ran++;
  }
  return ran;
}
