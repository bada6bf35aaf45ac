/**
 * When a workload runs next. Pure: the engines pass the facts of the cycle that just ended and
 * store what comes back. The due index keeps times as fixed-width strings so that the scheduler's
 * "due at or before now" filter is a plain string comparison in Table Storage.
 */
import { maxTransientFailures } from "./error-classification.js";
import type { PollingBounds } from "./profile.js";

/** Sentinel due value for a workload that is not scheduled (disabled, method None, …). */
export const neverDue = "9999999999999";

export function dueKey(ms: number | null): string {
  return ms === null ? neverDue : String(Math.max(0, Math.floor(ms))).padStart(13, "0");
}

export function parseDueKey(key: string | undefined): number | null {
  if (!key || key === neverDue) return null;
  const value = Number(key);
  return Number.isFinite(value) ? value : null;
}

/**
 * How long a queued or running workload is protected from being queued again. Longer than a cycle
 * may run, so only a crashed or lost cycle lets the scheduler queue it again.
 */
export function queueLeaseMs(cycleMaxMs: number): number {
  return cycleMaxMs + 5 * 60 * 1000;
}

/**
 * A cycle a notification or a Send started, while the workload's scheduled round is still queued
 * for a slot ahead of now and no later than the round this cycle would schedule: that round
 * stands (its slot, its claim) and nothing is sent. Sending would leave the queued message to be
 * delivered and skipped as stale — a billed session receive and an execution for nothing, on
 * every notification. If the queued message was lost, the scheduler queues the round when its
 * claim runs out, as for any lost message.
 */
export function keepsQueuedRound(reason: "scheduled" | "nudge" | "push", queued: { nextSlot: number; dueAt: number | null }, nextRun: number, now: number): boolean {
  return reason !== "scheduled" && queued.dueAt !== null && queued.nextSlot > now && queued.nextSlot <= nextRun;
}

export type CycleEnd =
  | { kind: "completed"; items: number }
  /** The cycle stopped at its item or time bound with work left: come back at once. */
  | { kind: "yielded"; items: number }
  /** Graph asked to wait (429 / Retry-After): not a failure. */
  | { kind: "throttled"; retryAfterMs: number }
  /** A failure that is retried; `failures` counts the failures in a row, this one included. */
  | { kind: "transientFailure"; failures: number };

export const transientRetryDelayMs = 5 * 60 * 1000;
/** The longest wait between retries of a failure that never disables (a platform outage). */
export const maxRetryDelayMs = 30 * 60 * 1000;
const yieldDelayMs = 1_000;

/**
 * Next run of a workload after a cycle: about `defaultSeconds` later, sooner for busy mailboxes and
 * later for quiet ones, within the bounds; at once after a yield; after Retry-After when throttled;
 * after a failure, as retryDelayMs says.
 */
export function nextRunAfter(now: number, end: CycleEnd, recentItems: number[], bounds: PollingBounds): number {
  switch (end.kind) {
    case "yielded":
      return now + yieldDelayMs;
    case "throttled":
      return now + Math.max(1_000, end.retryAfterMs);
    case "transientFailure":
      return now + retryDelayMs(end.failures);
    case "completed":
      return now + adaptiveIntervalSeconds(recentItems, bounds) * 1000;
  }
}

/**
 * The wait after the n-th failure in a row: 5 minutes up to the 10th (the retries a failure of the
 * mailbox's own gets before it disables), then doubling to a cap of 30 minutes, so an outage of
 * the platform that never disables anything costs it little and sync resumes soon after it ends.
 */
export function retryDelayMs(failuresInARow: number): number {
  const beyond = Math.max(0, failuresInARow - maxTransientFailures);
  return Math.min(maxRetryDelayMs, transientRetryDelayMs * 2 ** beyond);
}

/**
 * Busy mailboxes come round faster (down to the minimum), quiet ones slower (up to the maximum):
 * any mail in the last cycle → halfway towards the minimum; mail in each of the last three → the
 * minimum; none in the last six → the maximum; otherwise the default.
 */
export function adaptiveIntervalSeconds(recentItems: number[], bounds: PollingBounds): number {
  const last = recentItems.slice(0, 6);
  if (last.length >= 3 && last.slice(0, 3).every((n) => n > 0)) return bounds.minSeconds;
  if ((last[0] ?? 0) > 0) return Math.round((bounds.minSeconds + bounds.defaultSeconds) / 2);
  if (last.length >= 6 && last.every((n) => n === 0)) return bounds.maxSeconds;
  return bounds.defaultSeconds;
}

/** Keeps the last few cycles' item counts, newest first. */
export function recordItems(recentItems: number[], items: number): number[] {
  return [items, ...recentItems].slice(0, 6);
}

/**
 * ACT's bounds: the profile's (5–12 minutes by default), stretched to 15 minutes at the quiet end
 * when the mailbox also syncs incoming email, as server-side sync does.
 */
export function actPollingBounds(bounds: PollingBounds, incomingEnabled: boolean): PollingBounds {
  if (!incomingEnabled) return bounds;
  return { ...bounds, maxSeconds: Math.round((bounds.maxSeconds * 15) / 12) };
}
