/**
 * Control methods for change notifications: how fast and how reliably notifications arrive, the
 * lifecycle events Graph sends when it decides to, expiry, and what was sent.
 */
import type { ChangeNotifier } from "./change-notifier.js";
import type { MailboxStore } from "./mailbox-store.js";
import type { NotificationDelivery, NotificationFaultSpec, NotificationOptions, NotificationStats } from "./notification-delivery.js";
import { lifecycleEvents, renderSubscription, type LifecycleEvent } from "./subscription-model.js";
import type { SubscriptionRegistry } from "./subscription-registry.js";

export interface SubscriptionControlMethods {
  /** Latency, batching, timeouts, retry back-off, the per-mailbox limit; omitted fields keep their value, `reset` restores the defaults. */
  configureNotifications(options: Partial<NotificationOptions> & { reset?: boolean }): void;
  /** Replaces the notification faults (dropped, duplicated, reordered, unreachable endpoints); `{}` clears. */
  setNotificationFaults(spec: NotificationFaultSpec): void;
  /**
   * Sends a lifecycle notification now; false when the subscription has no lifecycleNotificationUrl.
   * `subscriptionRemoved` removes the subscription; `reauthorizationRequired` with `pause` stops its
   * change notifications (changes meanwhile are lost) until POST …/reauthorize or a renewal.
   */
  sendLifecycleNotification(subscriptionId: string, lifecycleEvent: LifecycleEvent, options?: { pause?: boolean }): boolean;
  /** Active subscriptions of every app (of one mailbox when given), Graph JSON plus `paused`. */
  listSubscriptions(mailbox?: string): Array<Record<string, unknown>>;
  /** Makes subscriptions expire now (all, or one mailbox's), as if not renewed; returns how many. */
  expireSubscriptions(mailbox?: string): number;
  notificationStats(): NotificationStats & { expired: number; lostWhilePaused: number };
}

export const subscriptionControlMethodNames = [
  "configureNotifications", "setNotificationFaults", "sendLifecycleNotification", "listSubscriptions", "expireSubscriptions",
  "notificationStats",
] as const satisfies ReadonlyArray<keyof SubscriptionControlMethods>;

export function createSubscriptionControl(
  store: MailboxStore,
  subscriptions: SubscriptionRegistry,
  delivery: NotificationDelivery,
  notifier: ChangeNotifier,
): SubscriptionControlMethods {
  return {
    configureNotifications: (options) => delivery.configure(options),
    setNotificationFaults: (spec) => delivery.setFaults(spec),
    sendLifecycleNotification: (subscriptionId, lifecycleEvent, options) => {
      if (!lifecycleEvents.includes(lifecycleEvent)) throw new Error(`Unknown lifecycle event ${lifecycleEvent}`);
      const subscription = subscriptions.find(subscriptionId);
      if (!subscription) throw new Error(`Unknown or expired subscription ${subscriptionId}`);
      return notifier.lifecycle(subscription, lifecycleEvent, options);
    },
    listSubscriptions: (mailbox) => {
      const mailboxId = mailbox === undefined ? undefined : store.require(mailbox).id;
      return subscriptions
        .active()
        .filter((s) => mailboxId === undefined || s.scope.mailboxId === mailboxId)
        .map((s) => ({ ...renderSubscription(s), paused: s.paused }));
    },
    expireSubscriptions: (mailbox) => subscriptions.expireNow(mailbox === undefined ? undefined : store.require(mailbox).id),
    notificationStats: () => ({ ...delivery.snapshot(), expired: subscriptions.expired, lostWhilePaused: notifier.lostWhilePaused }),
  };
}
