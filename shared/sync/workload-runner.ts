/**
 * The cycle skeleton every workload shares: check the mailbox may run → take a connection slot of
 * its profile → check this record and deployment still own the mailbox (sync/mailbox-guard.ts) →
 * run the workload's engine → decide the next run → queue it → store the outcome.
 * Workloads differ only in their engine.
 *
 * Mutual exclusion comes from Service Bus sessions (one message per mailbox at a time); the slot
 * check drops stale duplicates; the etag-conditional writes make sure a decision taken on state
 * that changed meanwhile (an admin disabled the mailbox) is never stored.
 */
import { queueNames } from "../config/names.js";
import { workloadBlocker, type Mailbox } from "../domain/mailbox.js";
import type { EmailServerProfile } from "../domain/profile.js";
import { keepsQueuedRound, queueLeaseMs, type CycleEnd } from "../domain/schedule.js";
import type { Workload } from "../domain/workloads.js";
import type { GraphCallCounter, GraphConnection } from "../graph/graph-connection.js";
import type { WorkloadMessageBody } from "../queues/work-queue.js";
import type { Runtime } from "../runtime.js";
import { connectionLimitCode, connectionWaitMs } from "../storage/connection-slots.js";
import { GraphRequestError } from "../graph/graph-errors.js";
import { ConcurrencyConflict, type MailboxPatch } from "../storage/mailbox-repository.js";
import type { CycleReport } from "../telemetry/cycle-report.js";
import { currentTraceparent } from "../telemetry/telemetry.js";
import { raiseAlert } from "../alerts/alert-service.js";
import { applyFailure, interpretError, storeOutcome, successState, type CycleFailure } from "./cycle-outcome.js";
import { guardCycle } from "./mailbox-guard.js";
import { nextRunWithPush } from "../push/push-schedule.js";

export interface CycleContext {
  runtime: Runtime;
  mailbox: Mailbox;
  profile: EmailServerProfile;
  graph: GraphConnection;
  counter: GraphCallCounter;
  startedAt: number;
}

export interface EngineResult {
  end: CycleEnd;
  /** Mailbox fields the engine moves forward (e.g. Process Emails From). */
  mailboxPatch?: Omit<MailboxPatch, "workload">;
  /**
   * Nothing is left to do and nothing arrives unannounced (outgoing with no Pending Send: Send
   * queues the mailbox itself): no next round is scheduled.
   */
  idle?: boolean;
  /** Counters for the cycle report (e.g. incoming mail tracked and left alone). */
  counts?: Record<string, number>;
}

export interface WorkloadEngine {
  workload: Workload;
  run(context: CycleContext): Promise<EngineResult>;
  nextRun(now: number, end: CycleEnd, recentItems: number[], profile: EmailServerProfile, mailbox: Mailbox): number;
}

export function workloadMessageId(workload: Workload, mailboxId: string, slot: number): string {
  return `${workload}:${mailboxId}:${slot}`;
}

export async function runWorkload(runtime: Runtime, engine: WorkloadEngine, message: WorkloadMessageBody): Promise<CycleReport> {
  const startedAt = runtime.now();
  const base = { mailboxId: message.mailboxId, workload: engine.workload, items: 0, graphRequests: 0 };
  const skipped = (reason: string): CycleReport => ({ ...base, outcome: "skipped", reason, durationMs: runtime.now() - startedAt });

  const stored = await runtime.mailboxes.get(message.mailboxId);
  if (!stored) return skipped("unknownMailbox");
  const { mailbox } = stored;
  const state = mailbox.workloads[engine.workload];
  const org = await runtime.orgSettings.get();
  const blocker = workloadBlocker(mailbox, engine.workload, { requireApproval: org.requireApprovedMailboxes });
  if (blocker) {
    // Take it off the scheduler's scan until an admin changes the mailbox.
    if (state.dueAt !== null) await runtime.mailboxes.patch(mailbox.id, { workload: { name: engine.workload, state: { dueAt: null } } }, stored.etag).catch(ignoreConflict);
    if (engine.workload === "outgoing" && message.reason === "nudge") {
      // Email was marked Send: it waits, Pending Send, and the alert says why.
      await raiseAlert(runtime, blocker === "notApproved" ? "PendingSendNotApproved" : "PendingSendNotEnabled", { mailbox, workload: engine.workload });
    } else if (blocker === "notApproved") {
      await raiseAlert(runtime, "MailboxNotApproved", { mailbox, workload: engine.workload });
    }
    return skipped(blocker);
  }
  if (message.reason === "scheduled" && state.nextSlot !== message.slot) return skipped("stale");
  const profile = await runtime.profiles.get(mailbox.profileId);
  if (!profile) return skipped("unknownProfile");

  // Postponed before any Graph request when no connection of the profile can be had; once running,
  // each request takes a connection (graph-connection.ts) and waits for one rather than fail.
  const permit = await runtime.connectionSlots.reserve(profile.id, profile.maxConcurrentConnections);
  let connectionLimited = !permit;
  const counter: GraphCallCounter = { requests: 0 };
  let result: EngineResult;
  let failure: CycleFailure | undefined;
  if (!permit) {
    result = { end: { kind: "throttled", retryAfterMs: connectionWaitMs + Math.floor(Math.random() * connectionWaitMs) } };
  } else {
    try {
      const context: CycleContext = { runtime, mailbox, profile, graph: runtime.graphFor(profile, engine.workload), counter, startedAt };
      const guard = await guardCycle(context);
      if (guard.stopped) {
        // Every workload of the mailbox was disabled: nothing to queue.
        return { ...base, outcome: "failed", reason: "disabled", errorCode: guard.stopped, graphRequests: counter.requests, durationMs: runtime.now() - startedAt };
      }
      result = await engine.run(context);
      result = { ...result, mailboxPatch: { ...result.mailboxPatch, ...guard.mailboxPatch } };
    } catch (error) {
      if (error instanceof ConcurrencyConflict) {
        return { ...base, outcome: "superseded", graphRequests: counter.requests, durationMs: runtime.now() - startedAt };
      }
      const interpreted = interpretError(error, state.transientFailures);
      if (!interpreted) throw error;
      if (interpreted.kind === "postpone") {
        result = { end: interpreted.end };
        connectionLimited = error instanceof GraphRequestError && error.code === connectionLimitCode;
      } else {
        failure = interpreted.failure;
        result = { end: { kind: "transientFailure", failures: state.transientFailures + 1 } };
      }
    } finally {
      permit.release();
    }
  }

  const now = runtime.now();
  if (failure?.classification.action === "disable") {
    await applyFailure(runtime, { mailbox, profile, workload: engine.workload, failure, etag: stored.etag });
    return { ...base, outcome: "failed", graphRequests: counter.requests, durationMs: runtime.now() - startedAt, errorCode: failure.errorCode, reason: "disabled" };
  }

  const items = "items" in result.end ? result.end.items : 0;
  const next = failure ? failure.retryState(state, now) : successState(state, result.end, now);
  const polled = engine.nextRun(now, result.end, next.recentItems ?? state.recentItems, profile, mailbox);
  // With healthy change notifications the scheduled round is only the safety net (shared/push).
  const nextRun = await nextRunWithPush(runtime, { mailbox, profile, workload: engine.workload, reason: message.reason, end: result.end, now }, polled);
  const idle = result.idle === true && !failure && result.end.kind === "completed";
  const keep = !idle && keepsQueuedRound(message.reason, state, nextRun, now);
  Object.assign(next, keep ? { nextSlot: state.nextSlot, dueAt: state.dueAt } : { nextSlot: nextRun, dueAt: idle ? null : nextRun + queueLeaseMs(runtime.settings.cycleMaxMs) });

  // Queue the next run first: if the write below fails, the run still happens and re-checks state.
  if (!idle && !keep) {
    await runtime.queue.send(queueNames[engine.workload], [
      {
        messageId: workloadMessageId(engine.workload, mailbox.id, nextRun),
        sessionId: mailbox.id,
        body: { mailboxId: mailbox.id, workload: engine.workload, slot: nextRun, reason: "scheduled", traceparent: currentTraceparent() },
        scheduledEnqueueTime: new Date(nextRun),
      },
    ]);
  }
  await storeOutcome(runtime, engine.workload, mailbox.id, stored.etag, { ...result.mailboxPatch, workload: { name: engine.workload, state: next } });
  if (failure) await failure.afterRetry(runtime, mailbox, profile, engine.workload);

  const outcome = failure || result.end.kind === "transientFailure" ? "failed" : result.end.kind;
  return {
    ...base,
    outcome,
    items,
    ...(result.counts ? { counts: result.counts } : {}),
    graphRequests: counter.requests,
    durationMs: runtime.now() - startedAt,
    errorCode: failure?.errorCode ?? (result.end.kind === "throttled" ? (connectionLimited ? connectionLimitCode : "Throttled") : undefined),
    nextRunAt: idle ? undefined : new Date(keep ? state.nextSlot : nextRun).toISOString(),
  };
}

function ignoreConflict(error: unknown): void {
  if (!(error instanceof ConcurrencyConflict)) throw error;
}
