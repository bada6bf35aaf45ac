/**
 * Creating, renewing and deleting a mailbox's Graph subscriptions (the only push code that calls
 * Graph). Each subscription gets its own clientState secret, of which only the hash is kept, and a
 * lifecycleNotificationUrl (it cannot be added later). What Graph answers is stored as it came:
 * the expiry it granted decides the renewal, never an assumed lifetime. A failure is recorded on
 * the subscription (the workload falls back to polling), retried by the renewal timer, and alerted.
 */
import { raiseAlert } from "../alerts/alert-service.js";
import { workloadBlocker, type Mailbox } from "../domain/mailbox.js";
import type { EmailServerProfile } from "../domain/profile.js";
import {
  pushWorkloads,
  renewalDueAt,
  requestedLifetimeMs,
  retryAfterFailureMs,
  subscribedChangeTypes,
  subscriptionKinds,
  subscriptionResource,
  workloadOfKind,
  type PushSubscription,
  type PushWorkload,
  type SubscriptionKind,
} from "../domain/push/subscriptions.js";
import type { GraphConnection } from "../graph/graph-connection.js";
import { GraphRequestError, TokenRequestError } from "../graph/graph-errors.js";
import type { Runtime } from "../runtime.js";
import { clientStateHash, newClientState } from "./client-state.js";

/** Routes Graph posts to, under /api (functions/pushNotifications.ts, functions/pushLifecycle.ts). */
export const pushRoutes = { notifications: "push/notifications", lifecycle: "push/lifecycle" } as const;

interface GraphSubscription {
  id: string;
  resource?: string;
  expirationDateTime: string;
}

export function pushEnabled(runtime: Runtime): boolean {
  return runtime.settings.pushNotificationUrl !== undefined;
}

/** Whether a mailbox workload should have subscriptions: push is on and the workload may run. */
export async function wantsSubscriptions(runtime: Runtime, mailbox: Mailbox, workload: PushWorkload): Promise<boolean> {
  if (!pushEnabled(runtime) || !mailbox.exchangeUserId) return false;
  const org = await runtime.orgSettings.get();
  return workloadBlocker(mailbox, workload, { requireApproval: org.requireApprovedMailboxes }) === null;
}

/** Creates every subscription the workload lacks (or has in a failed or expired state). */
export async function ensureSubscriptions(runtime: Runtime, mailbox: Mailbox, profile: EmailServerProfile, workload: PushWorkload): Promise<PushSubscription[]> {
  const existing = await runtime.pushSubscriptions.forMailbox(mailbox.id);
  const now = runtime.now();
  const result: PushSubscription[] = [];
  for (const kind of subscriptionKinds[workload]) {
    const current = existing.find((s) => s.kind === kind);
    const usable = current?.status === "active" && current.subscriptionId && (current.expiresAt ?? 0) > now;
    result.push(usable ? current : await subscribe(runtime, mailbox, profile, kind, current));
  }
  return result;
}

/** POST /subscriptions for one kind; the state stored either way (active, or failed with a retry time). */
export async function subscribe(runtime: Runtime, mailbox: Mailbox, profile: EmailServerProfile, kind: SubscriptionKind, previous?: PushSubscription): Promise<PushSubscription> {
  const base = runtime.settings.pushNotificationUrl!;
  const graph = runtime.graphFor(profile);
  const clientState = newClientState();
  const now = runtime.now();
  let saved: PushSubscription;
  try {
    if (!mailbox.exchangeUserId) throw new GraphRequestError({ status: 404, code: "MailboxNotResolved", message: "The mailbox's Exchange user id is not known yet (Test & Enable resolves it)." });
    const resource = subscriptionResource(kind, mailbox.exchangeUserId);
    const created = await graph.post<GraphSubscription>("/subscriptions", {
      changeType: subscribedChangeTypes,
      notificationUrl: `${base}/api/${pushRoutes.notifications}`,
      lifecycleNotificationUrl: `${base}/api/${pushRoutes.lifecycle}`,
      resource,
      expirationDateTime: new Date(now + requestedLifetimeMs).toISOString(),
      clientState,
    });
    const expiresAt = Date.parse(created.expirationDateTime);
    saved = {
      mailboxId: mailbox.id,
      kind,
      subscriptionId: created.id,
      resource,
      expiresAt,
      renewedAt: now,
      renewDueAt: renewalDueAt(now, expiresAt, created.id),
      clientStateHash: clientStateHash(clientState),
      lastNotificationAt: previous?.lastNotificationAt,
      status: "active",
      failures: 0,
      unannouncedRounds: 0,
    };
  } catch (error) {
    const code = failureCode(error);
    const failures = (previous?.failures ?? 0) + 1;
    saved = { mailboxId: mailbox.id, kind, renewDueAt: now + retryAfterFailureMs(failures), status: "failed", problem: code, failures, unannouncedRounds: 0, lastNotificationAt: previous?.lastNotificationAt };
    await raiseAlert(runtime, "PushSubscriptionFailed", { mailbox, profile, workload: workloadOfKind(kind), errorCode: code, detail: `${kind} subscription` });
  }
  await runtime.pushSubscriptions.save(saved);
  if (previous?.subscriptionId && previous.subscriptionId !== saved.subscriptionId) {
    await deleteAtGraph(graph, previous.subscriptionId);
    await runtime.pushSubscriptions.removeOwner(previous.subscriptionId);
    runtime.notificationIntake.forget(previous.subscriptionId);
  }
  return saved;
}

/**
 * PATCH the expiry of an active subscription. Returns "gone" when Graph no longer has it (404):
 * the caller recreates it and runs a delta round for what the gap may have missed.
 */
export async function renew(runtime: Runtime, mailbox: Mailbox, profile: EmailServerProfile, sub: PushSubscription): Promise<"renewed" | "gone" | "failed"> {
  const now = runtime.now();
  try {
    const renewed = await runtime.graphFor(profile).patch<GraphSubscription>(`/subscriptions/${encodeURIComponent(sub.subscriptionId!)}`, { expirationDateTime: new Date(now + requestedLifetimeMs).toISOString() });
    const expiresAt = Date.parse(renewed.expirationDateTime);
    await runtime.pushSubscriptions.save({ ...sub, expiresAt, renewedAt: now, renewDueAt: renewalDueAt(now, expiresAt, sub.subscriptionId!), status: "active", problem: undefined, failures: 0 });
    return "renewed";
  } catch (error) {
    if (error instanceof GraphRequestError && error.status === 404) return "gone";
    const code = failureCode(error);
    const failures = sub.failures + 1;
    // Still active until the expiry Graph gave: notifications keep coming meanwhile.
    await runtime.pushSubscriptions.save({ ...sub, problem: code, failures, renewDueAt: Math.min(now + retryAfterFailureMs(failures), sub.expiresAt ?? now) });
    await raiseAlert(runtime, "PushSubscriptionFailed", { mailbox, profile, workload: workloadOfKind(sub.kind), errorCode: code, detail: `renewing the ${sub.kind} subscription` });
    return "failed";
  }
}

/** Deletes the workloads' subscriptions at Graph and here (disabled workload, removed or re-addressed mailbox). */
export async function unsubscribe(runtime: Runtime, mailbox: Pick<Mailbox, "id" | "profileId">, workloads: readonly PushWorkload[]): Promise<number> {
  const subs = (await runtime.pushSubscriptions.forMailbox(mailbox.id)).filter((s) => workloads.includes(workloadOfKind(s.kind)));
  if (subs.length === 0) return 0;
  const profile = await runtime.profiles.get(mailbox.profileId);
  for (const sub of subs) {
    if (sub.subscriptionId && profile) await deleteAtGraph(runtime.graphFor(profile), sub.subscriptionId);
    await runtime.pushSubscriptions.remove(sub);
    if (sub.subscriptionId) runtime.notificationIntake.forget(sub.subscriptionId);
  }
  return subs.length;
}

/**
 * A subscription Graph could not delete expires by itself within days, and its notifications,
 * naming no subscription of ours any more, are dropped: nothing to retry.
 */
async function deleteAtGraph(graph: GraphConnection, subscriptionId: string): Promise<void> {
  try {
    await graph.delete(`/subscriptions/${encodeURIComponent(subscriptionId)}`);
  } catch (error) {
    if (!(error instanceof GraphRequestError || error instanceof TokenRequestError)) throw error;
  }
}

function failureCode(error: unknown): string {
  if (error instanceof GraphRequestError || error instanceof TokenRequestError) return error.code;
  throw error;
}

/**
 * After Test & Enable (or any change of what a mailbox syncs): subscriptions for each push workload
 * that may run, none for the others. Errors of Graph are recorded on the subscription, not thrown.
 */
export async function alignSubscriptions(runtime: Runtime, mailboxId: string): Promise<void> {
  if (!pushEnabled(runtime)) return;
  const mailbox = (await runtime.mailboxes.get(mailboxId))?.mailbox;
  if (!mailbox) return;
  const profile = await runtime.profiles.get(mailbox.profileId);
  for (const workload of pushWorkloads) {
    if (profile && (await wantsSubscriptions(runtime, mailbox, workload))) await ensureSubscriptions(runtime, mailbox, profile, workload);
    else await unsubscribe(runtime, mailbox, [workload]);
  }
}
