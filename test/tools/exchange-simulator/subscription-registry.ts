/**
 * The active subscriptions. A subscription past its expirationDateTime is removed the moment
 * anything looks at it (a change to notify, a GET, a renewal, the count per mailbox), so an expired
 * subscription stops notifying and answers 404 — as an unrenewed Graph subscription does.
 */
import { GraphError } from "./graph-error.js";
import type { StoredSubscription } from "./subscription-model.js";

/** Graph's answer for a subscription id it does not know (reported from the real service). */
export const subscriptionNotFound = () => new GraphError(404, "ResourceNotFound", "The object was not found.");

export class SubscriptionRegistry {
  private readonly byId = new Map<string, StoredSubscription>();
  /** Told when a subscription expires unrenewed (for statistics). */
  expired = 0;

  constructor(private readonly now: () => number) {}

  add(subscription: StoredSubscription): void {
    this.byId.set(subscription.id, subscription);
  }

  /** An active subscription by id, or undefined (an expired one is removed here). */
  find(id: string): StoredSubscription | undefined {
    const subscription = this.byId.get(id.toLowerCase());
    if (!subscription) return undefined;
    if (subscription.expiresAt > this.now()) return subscription;
    this.byId.delete(subscription.id);
    this.expired++;
    return undefined;
  }

  /** An active subscription the app created, else 404 (another app's subscriptions are invisible to it). */
  requireForApp(id: string, applicationId: string): StoredSubscription {
    const subscription = this.find(id);
    if (!subscription || subscription.applicationId !== applicationId) throw subscriptionNotFound();
    return subscription;
  }

  remove(id: string): StoredSubscription | undefined {
    const subscription = this.find(id);
    if (subscription) this.byId.delete(subscription.id);
    return subscription;
  }

  /** Every active subscription (expired ones are removed on the way). */
  active(): StoredSubscription[] {
    return [...this.byId.keys()].map((id) => this.find(id)).filter((s): s is StoredSubscription => s !== undefined);
  }

  activeFor(mailboxId: string): StoredSubscription[] {
    return this.active().filter((s) => s.scope.mailboxId === mailboxId);
  }

  /** Makes subscriptions expire now (all, or one mailbox's): they are gone at the next look. */
  expireNow(mailboxId?: string): number {
    const doomed = this.active().filter((s) => mailboxId === undefined || s.scope.mailboxId === mailboxId);
    for (const subscription of doomed) subscription.expiresAt = this.now();
    return doomed.length;
  }

  entries(): StoredSubscription[] {
    return this.active();
  }

  restore(subscriptions: readonly StoredSubscription[]): void {
    this.byId.clear();
    for (const subscription of subscriptions) this.byId.set(subscription.id, subscription);
  }

  reset(): void {
    this.byId.clear();
    this.expired = 0;
  }
}
