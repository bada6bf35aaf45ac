/**
 * What the notification and lifecycle endpoints do with a POST from Graph, without calling Graph:
 * each notification's subscription is looked up (cached, one read per subscription however many
 * notifications name it), its clientState compared in constant time, and what does not match or
 * names no subscription of ours is dropped and counted. Valid change notifications make their
 * mailbox workload due (folded per bucket, push-trigger.ts); lifecycle events mark the subscription
 * for the renewal timer (which calls Graph) and make the workload due when changes may have been
 * missed. Table writes stay off the hot path: the last-notification time is written at most once a
 * minute per subscription.
 */
import { parseNotifications, type ChangeNotification } from "../domain/push/notifications.js";
import { workloadOfKind } from "../domain/push/subscriptions.js";
import type { Runtime } from "../runtime.js";
import { recordPushNotifications } from "../telemetry/telemetry.js";
import { clientStateMatches } from "./client-state.js";
import { queuePushRounds, type WorkloadDue } from "./push-trigger.js";
import type { PushSubscriptionRepository, SubscriptionOwner } from "./subscription-repository.js";

export interface IntakeResult {
  accepted: number;
  forged: number;
  unknownSubscription: number;
  malformed: number;
  /** Queue messages sent (after folding). */
  queued: number;
}

/** A subscription id's owner and clientState never change (a recreated subscription has a new id). */
const ownerCacheMs = 10 * 60_000;
/** An id we do not know is asked again soon: its row may be being written (a new subscription). */
const unknownCacheMs = 5_000;
const maxCachedOwners = 200_000;
const stampEveryMs = 60_000;

interface Checked {
  valid: Array<{ owner: SubscriptionOwner; item: ChangeNotification }>;
  result: IntakeResult;
}

export class NotificationIntake {
  private readonly owners = new Map<string, { owner?: SubscriptionOwner; until: number }>();
  private readonly lookups = new Map<string, Promise<SubscriptionOwner | undefined>>();
  private readonly stamped = new Map<string, number>();
  private readonly queuedIds = new Map<string, number>();

  constructor(private readonly subscriptions: PushSubscriptionRepository) {}

  /** Change notifications: valid ones make their mailbox workload due. */
  async acceptChanges(runtime: Runtime, body: unknown): Promise<IntakeResult> {
    const { valid, result } = await this.check(runtime, body);
    const due = new Map<string, WorkloadDue>();
    for (const { owner } of valid) {
      const workload = workloadOfKind(owner.kind);
      due.set(`${owner.mailboxId}|${workload}`, { mailboxId: owner.mailboxId, workload });
    }
    const [queued] = await Promise.all([this.queueOnce(runtime, [...due.values()]), this.stamp(runtime.now(), valid.map((v) => v.owner))]);
    result.queued = queued;
    return result;
  }

  /**
   * Lifecycle notifications: reauthorizationRequired → renew now (the renewal timer does);
   * subscriptionRemoved → recreate now, and a delta round; missed → a delta round now.
   */
  async acceptLifecycle(runtime: Runtime, body: unknown): Promise<IntakeResult> {
    const { valid, result } = await this.check(runtime, body);
    const due: WorkloadDue[] = [];
    for (const { owner, item } of valid) {
      const workload = workloadOfKind(owner.kind);
      switch (item.lifecycleEvent) {
        case "reauthorizationRequired":
          await this.subscriptions.update(owner.mailboxId, owner.kind, { renewDueAt: runtime.now() });
          break;
        case "subscriptionRemoved":
          await this.subscriptions.update(owner.mailboxId, owner.kind, { status: "removed", problem: "subscriptionRemoved", renewDueAt: runtime.now() });
          due.push({ mailboxId: owner.mailboxId, workload });
          break;
        case "missed":
          due.push({ mailboxId: owner.mailboxId, workload });
          break;
        default:
          // A change notification posted to the lifecycle URL still says something changed.
          due.push({ mailboxId: owner.mailboxId, workload });
      }
    }
    result.queued = due.length === 0 ? 0 : (await queuePushRounds(runtime, due)).length;
    return result;
  }

  private async check(runtime: Runtime, body: unknown): Promise<Checked> {
    const parsed = parseNotifications(body);
    const result: IntakeResult = { accepted: 0, forged: 0, unknownSubscription: 0, malformed: parsed ? parsed.malformed : 1, queued: 0 };
    const valid: Checked["valid"] = [];
    const items = parsed?.items ?? [];
    const owners = await Promise.all(items.map((item) => this.ownerOf(item.subscriptionId, runtime.now())));
    items.forEach((item, i) => {
      const owner = owners[i];
      if (!owner) result.unknownSubscription++;
      else if (!clientStateMatches(item.clientState, owner.clientStateHash)) result.forged++;
      else {
        result.accepted++;
        valid.push({ owner, item });
      }
    });
    recordPushNotifications("accepted", result.accepted);
    recordPushNotifications("forged", result.forged);
    recordPushNotifications("unknownSubscription", result.unknownSubscription);
    recordPushNotifications("malformed", result.malformed);
    return { valid, result };
  }

  private async ownerOf(subscriptionId: string, now: number): Promise<SubscriptionOwner | undefined> {
    const cached = this.owners.get(subscriptionId);
    if (cached && cached.until > now) return cached.owner;
    let lookup = this.lookups.get(subscriptionId);
    if (!lookup) {
      lookup = this.subscriptions.owner(subscriptionId).finally(() => this.lookups.delete(subscriptionId));
      this.lookups.set(subscriptionId, lookup);
    }
    const owner = await lookup;
    if (this.owners.size >= maxCachedOwners) this.owners.clear();
    this.owners.set(subscriptionId, { owner, until: now + (owner ? ownerCacheMs : unknownCacheMs) });
    return owner;
  }

  /** Sends each bucket's trigger once per process; other instances' repeats the broker drops. */
  private async queueOnce(runtime: Runtime, due: WorkloadDue[]): Promise<number> {
    const now = runtime.now();
    for (const [id, until] of this.queuedIds) if (until <= now) this.queuedIds.delete(id);
    const sent = await queuePushRounds(runtime, due.filter((d) => !this.queuedIds.has(`${d.workload}:${d.mailboxId}`)));
    for (const message of sent) this.queuedIds.set(`${message.body.workload}:${message.sessionId}`, message.scheduledEnqueueTime!.getTime());
    return sent.length;
  }

  /** The last-notification time (and the end of any silence the safety net counted), folded per minute. */
  private async stamp(now: number, owners: SubscriptionOwner[]): Promise<void> {
    const writes = new Map<string, SubscriptionOwner>();
    for (const owner of owners) {
      const key = `${owner.mailboxId}|${owner.kind}`;
      if ((this.stamped.get(key) ?? 0) + stampEveryMs > now) continue;
      this.stamped.set(key, now);
      writes.set(key, owner);
    }
    if (this.stamped.size > maxCachedOwners) this.stamped.clear();
    if (writes.size > 0) await this.subscriptions.stampNotified([...writes.values()], now);
  }

  /** Forgets a subscription's cached owner (deleted or replaced). */
  forget(subscriptionId: string): void {
    this.owners.delete(subscriptionId);
  }
}
