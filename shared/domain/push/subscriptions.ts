/**
 * Graph change notifications (push), the pure rules: which resources a mailbox workload subscribes
 * to, when a subscription is renewed, whether a workload's subscriptions are healthy, how a healthy
 * workload's polling stretches to a safety net, and how a burst of notifications folds into one
 * cycle. A notification only makes a workload due; the delta round decides what changed.
 */
import type { CycleEnd } from "../schedule.js";
import type { Workload } from "../workloads.js";

/** The workloads Graph can notify about. Outgoing has nothing to watch: Send queues it at once. */
export const pushWorkloads = ["incoming", "act"] as const;
export type PushWorkload = (typeof pushWorkloads)[number];

export function isPushWorkload(workload: Workload): workload is PushWorkload {
  return (pushWorkloads as readonly string[]).includes(workload);
}

export type SubscriptionKind = "messages" | "events" | "contacts";

/**
 * One mailbox-wide subscription on messages triggers every folder's delta (Inbox, Sent Items,
 * tracked folders). ACT watches the calendar's events and the contacts. To Do tasks have none:
 * Graph offers todoTask notifications to delegated permissions only, not to an app like this one,
 * so ACT's safety-net round is what picks task changes up.
 */
export const subscriptionKinds: Record<PushWorkload, readonly SubscriptionKind[]> = {
  incoming: ["messages"],
  act: ["events", "contacts"],
};

export function workloadOfKind(kind: SubscriptionKind): PushWorkload {
  return kind === "messages" ? "incoming" : "act";
}

export const subscribedChangeTypes = "created,updated,deleted";

/** The resource path Graph is asked to watch, by the user's object id (Graph requires it rather than the UPN). */
export function subscriptionResource(kind: SubscriptionKind, exchangeUserId: string): string {
  return `/users/${exchangeUserId}/${kind}`;
}

/**
 * The lifetime asked for: under three days, within every maximum Graph has published for Outlook
 * resources. What counts is the expirationDateTime Graph answers with; renewal works from that.
 */
export const requestedLifetimeMs = 4_230 * 60_000;

/**
 * When the renewal timer must renew a subscription: between 60 % and 75 % of the lifetime Graph
 * granted, spread by the subscription id so that renewals of subscriptions created together (Test &
 * Enable of 200 mailboxes, switching push on) do not all fall on one tick.
 */
export function renewalDueAt(renewedAt: number, expiresAt: number, subscriptionId: string): number {
  const lifetime = Math.max(0, expiresAt - renewedAt);
  return Math.round(expiresAt - lifetime * (0.25 + 0.15 * spreadOf(subscriptionId)));
}

/** A stable number in [0, 1) from an id: FNV-1a, then a finalizer so similar ids land far apart. */
export function spreadOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 2 ** 32;
}

/** A failed creation or renewal is retried after this long, then doubling, up to the cap. */
const retryBaseMs = 5 * 60_000;
const retryCapMs = 60 * 60_000;

export function retryAfterFailureMs(failuresInARow: number): number {
  return Math.min(retryCapMs, retryBaseMs * 2 ** Math.max(0, failuresInARow - 1));
}

/** What is stored per subscription (one per mailbox and kind). Times in ms. */
export interface PushSubscription {
  mailboxId: string;
  kind: SubscriptionKind;
  /** Absent while the subscription could not be created. */
  subscriptionId?: string;
  resource?: string;
  /** As Graph returned it (expirationDateTime). */
  expiresAt?: number;
  renewedAt?: number;
  /** When the renewal timer acts next (renew, recreate or retry); null: never. */
  renewDueAt: number | null;
  /** SHA-256 of the clientState, hex; the secret itself is never stored. */
  clientStateHash?: string;
  lastNotificationAt?: number;
  /** active; failed (could not be created or renewed); removed (Graph removed it, being recreated). */
  status: "active" | "failed" | "removed";
  /** The error code or lifecycle event behind a status other than active. */
  problem?: string;
  /** Creation or renewal failures in a row. */
  failures: number;
  /** Safety-net rounds in a row that found changes no notification had announced. */
  unannouncedRounds: number;
}

export type PushProblem = "notSubscribed" | "subscriptionFailed" | "subscriptionExpired" | "subscriptionRemoved" | "notificationsMissing";

export type PushHealth = { healthy: true } | { healthy: false; problem: PushProblem; detail?: string };

/** Safety-net rounds in a row that found unannounced changes before notifications count as missing. */
export const unannouncedRoundsLimit = 2;

/**
 * Whether a workload may rely on notifications: every subscription it needs exists, is active,
 * has not expired, and has not missed changes the safety net found.
 */
export function workloadPushHealth(workload: PushWorkload, subscriptions: readonly PushSubscription[], now: number): PushHealth {
  for (const kind of subscriptionKinds[workload]) {
    const sub = subscriptions.find((s) => s.kind === kind);
    if (!sub) return { healthy: false, problem: "notSubscribed", detail: kind };
    if (sub.status === "failed") return { healthy: false, problem: "subscriptionFailed", detail: `${kind}${sub.problem ? `: ${sub.problem}` : ""}` };
    if (sub.status === "removed") return { healthy: false, problem: "subscriptionRemoved", detail: kind };
    if (sub.expiresAt === undefined || sub.expiresAt <= now) return { healthy: false, problem: "subscriptionExpired", detail: kind };
    if (sub.unannouncedRounds >= unannouncedRoundsLimit) return { healthy: false, problem: "notificationsMissing", detail: kind };
  }
  return { healthy: true };
}

/**
 * Where in its interval a safety-net round falls. `first`: the workload had never completed a
 * round before this one (just enabled). `random`: uniform in [0, 1).
 */
export interface SafetyNetSpread {
  first: boolean;
  random: number;
}

/** Later rounds fall within the last tenth of the interval: phases spread by enabling stay spread. */
const laterRoundSpread = 0.1;

/**
 * A healthy workload's next scheduled round: the safety net's interval after a completed cycle
 * (or the polling schedule, when that is longer). Yields, throttling and failures keep their own
 * timing: those are not idle polling.
 *
 * Mailboxes enabled together (a bulk Test & Enable of thousands, a restart) would otherwise come
 * round together for ever, a wave every interval: the first round after enabling falls anywhere
 * in the interval, and each later one within its last tenth, so the fleet's safety-net rounds
 * arrive at an even rate — never more often than the interval's nine tenths.
 */
export function safetyNetNextRun(now: number, end: CycleEnd, scheduled: number, safetyNetSeconds: number, spread: SafetyNetSpread): number {
  if (end.kind !== "completed") return scheduled;
  const share = spread.first ? spread.random : 1 - laterRoundSpread * spread.random;
  return Math.max(scheduled, now + Math.round(share * safetyNetSeconds * 1000));
}

/**
 * Notifications that arrive within one bucket fold into one queue message (the broker drops the
 * repeated id). The message is delivered at the bucket's end, so every change a folded
 * notification announced happened before the cycle it triggers starts.
 */
export const notificationBucketMs = 2_000;

export function pushTrigger(workload: PushWorkload, mailboxId: string, now: number): { messageId: string; deliverAt: number } {
  const bucket = Math.floor(now / notificationBucketMs);
  return { messageId: `${workload}:${mailboxId}:push:${bucket}`, deliverAt: (bucket + 1) * notificationBucketMs };
}
