/**
 * The cycle skeleton every workload shares: check the mailbox may run → run the workload's engine →
 * decide the next run → queue it → store the outcome. Workloads differ only in their engine.
 *
 * Mutual exclusion comes from Service Bus sessions (one message per mailbox at a time); the slot
 * check drops stale duplicates; the etag-conditional writes make sure a decision taken on state
 * that changed meanwhile (an admin disabled the mailbox) is never stored.
 */
import { queueNames } from "../config/names.js";
import { workloadBlocker, type Mailbox, type WorkloadState } from "../domain/mailbox.js";
import type { EmailServerProfile } from "../domain/profile.js";
import { queueLeaseMs, recordItems, type CycleEnd } from "../domain/schedule.js";
import type { Workload } from "../domain/workloads.js";
import { GraphRequestError, TokenRequestError } from "../graph/graph-errors.js";
import type { GraphCallCounter } from "../graph/graph-connection.js";
import type { WorkloadMessageBody } from "../queues/work-queue.js";
import type { Runtime } from "../runtime.js";
import { ConcurrencyConflict, type MailboxPatch } from "../storage/mailbox-repository.js";
import type { CycleReport } from "../telemetry/cycle-report.js";

export interface CycleContext {
  runtime: Runtime;
  mailbox: Mailbox;
  profile: EmailServerProfile;
  counter: GraphCallCounter;
  startedAt: number;
}

export interface EngineResult {
  end: CycleEnd;
  /** Mailbox fields the engine moves forward (e.g. Process Emails From). */
  mailboxPatch?: Omit<MailboxPatch, "workload">;
}

export interface WorkloadEngine {
  workload: Workload;
  run(context: CycleContext): Promise<EngineResult>;
  nextRun(now: number, end: CycleEnd, recentItems: number[], profile: EmailServerProfile): number;
}

export function workloadMessageId(workload: Workload, mailboxId: string, slot: number): string {
  return `${workload}:${mailboxId}:${slot}`;
}

/** Throttling is a wait, not a failure; anything else from Graph or the token endpoint is a failure of this cycle. */
function endForError(error: unknown): { end: CycleEnd; errorCode: string; message: string } | undefined {
  if (error instanceof GraphRequestError) {
    if (error.status === 429) return { end: { kind: "throttled", retryAfterMs: error.retryAfterMs ?? 60_000 }, errorCode: error.code, message: error.message };
    return { end: { kind: "transientFailure" }, errorCode: error.code, message: error.message };
  }
  if (error instanceof TokenRequestError) return { end: { kind: "transientFailure" }, errorCode: error.code, message: error.message };
  return undefined;
}

export async function runWorkload(runtime: Runtime, engine: WorkloadEngine, message: WorkloadMessageBody, options: { requireApproval: boolean }): Promise<CycleReport> {
  const startedAt = runtime.now();
  const base = { mailboxId: message.mailboxId, workload: engine.workload, items: 0, graphRequests: 0 };
  const skipped = (reason: string): CycleReport => ({ ...base, outcome: "skipped", reason, durationMs: runtime.now() - startedAt });

  const stored = await runtime.mailboxes.get(message.mailboxId);
  if (!stored) return skipped("unknownMailbox");
  const { mailbox } = stored;
  const state = mailbox.workloads[engine.workload];
  const blocker = workloadBlocker(mailbox, engine.workload, options);
  if (blocker) {
    // Take it off the scheduler's scan until an admin changes the mailbox.
    if (state.dueAt !== null) await runtime.mailboxes.patch(mailbox.id, { workload: { name: engine.workload, state: { dueAt: null } } }, stored.etag).catch(ignoreConflict);
    return skipped(blocker);
  }
  if (message.reason === "scheduled" && state.nextSlot !== message.slot) return skipped("stale");
  const profile = await runtime.profiles.get(mailbox.profileId);
  if (!profile) return skipped("unknownProfile");

  const counter: GraphCallCounter = { requests: 0 };
  let result: EngineResult;
  let failure: { errorCode: string; message: string } | undefined;
  try {
    result = await engine.run({ runtime, mailbox, profile, counter, startedAt });
  } catch (error) {
    if (error instanceof ConcurrencyConflict) {
      return { ...base, outcome: "superseded", graphRequests: counter.requests, durationMs: runtime.now() - startedAt };
    }
    const classified = endForError(error);
    if (!classified) throw error;
    result = { end: classified.end };
    if (classified.end.kind !== "throttled") failure = { errorCode: classified.errorCode, message: classified.message };
  }

  const now = runtime.now();
  const items = "items" in result.end ? result.end.items : 0;
  const recentItems = result.end.kind === "completed" || result.end.kind === "yielded" ? recordItems(state.recentItems, items) : state.recentItems;
  const nextRun = engine.nextRun(now, result.end, recentItems, profile);
  const next: Partial<WorkloadState> = {
    nextSlot: nextRun,
    dueAt: nextRun + queueLeaseMs(runtime.settings.cycleMaxMs),
    lastRunAt: new Date(now).toISOString(),
    recentItems,
  };
  if (failure) {
    Object.assign(next, { status: "Failure", lastError: { code: failure.errorCode, message: failure.message, at: new Date(now).toISOString() }, transientFailures: state.transientFailures + 1 });
  } else if (result.end.kind !== "throttled") {
    Object.assign(next, { status: "Success", lastSuccessAt: new Date(now).toISOString(), lastError: undefined, transientFailures: 0 });
  }

  // Queue the next run first: if the write below fails, the run still happens and re-checks state.
  await runtime.queue.send(queueNames[engine.workload], [
    {
      messageId: workloadMessageId(engine.workload, mailbox.id, nextRun),
      sessionId: mailbox.id,
      body: { mailboxId: mailbox.id, workload: engine.workload, slot: nextRun, reason: "scheduled" },
      scheduledEnqueueTime: new Date(nextRun),
    },
  ]);
  await storeOutcome(runtime, engine.workload, mailbox.id, stored.etag, { ...result.mailboxPatch, workload: { name: engine.workload, state: next } }, options);

  const outcome = failure || result.end.kind === "transientFailure" ? "failed" : result.end.kind;
  return {
    ...base,
    outcome,
    items,
    graphRequests: counter.requests,
    durationMs: runtime.now() - startedAt,
    errorCode: failure?.errorCode ?? (result.end.kind === "throttled" ? "Throttled" : undefined),
    nextRunAt: new Date(nextRun).toISOString(),
  };
}

/** Writes the cycle's outcome unless the mailbox was changed so that it may no longer run. */
async function storeOutcome(runtime: Runtime, workload: Workload, mailboxId: string, etag: string, patch: MailboxPatch, options: { requireApproval: boolean }): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await runtime.mailboxes.patch(mailboxId, patch, etag);
      return;
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict)) throw error;
      const fresh = await runtime.mailboxes.get(mailboxId);
      if (!fresh) return;
      if (workloadBlocker(fresh.mailbox, workload, options)) {
        await runtime.mailboxes.patch(mailboxId, { workload: { name: workload, state: { dueAt: null } } }, fresh.etag).catch(ignoreConflict);
        return;
      }
      etag = fresh.etag;
    }
  }
  throw new ConcurrencyConflict(mailboxId);
}

function ignoreConflict(error: unknown): void {
  if (!(error instanceof ConcurrencyConflict)) throw error;
}
