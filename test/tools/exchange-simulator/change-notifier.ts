/**
 * Turns item changes in the stores into change notifications for the subscriptions that watch them,
 * and sends lifecycle notifications on demand.
 *
 * Which change type a subscription sees:
 * - a folder-scoped message subscription sees a message moved out of its folder as `deleted` and one
 *   moved in as `created` (Outlook's behaviour for folder subscriptions; a soft delete is a move to
 *   Deleted Items);
 * - a mailbox-wide one (`/users/{id}/messages`) sees a move as `updated`. **Decision:** ids are
 *   immutable here, so the item stays the same item; not confirmed against the real service.
 * - contacts of one folder, or all contacts; every event of the mailbox.
 *
 * The payload is the documented changeNotification: subscriptionId, subscriptionExpirationDateTime,
 * clientState, changeType, resource, tenantId and resourceData (`@odata.type`, `@odata.id`,
 * `@odata.etag` unless deleted, `id`), with resource paths of the form Outlook sends
 * (`Users/{userId}/Messages/{id}`).
 */
import type { Mailbox } from "./mailbox-model.js";
import type { MessageChange } from "./mailbox-store.js";
import type { NotificationDelivery } from "./notification-delivery.js";
import type { PimChange } from "./pim-store.js";
import type { SubscriptionRegistry } from "./subscription-registry.js";
import { subscriptionDate, type ChangeType, type LifecycleEvent, type StoredSubscription, type SubscribedKind } from "./subscription-model.js";

/** One item change, whatever store it came from. */
interface ItemChange {
  kind: SubscribedKind;
  changeType: ChangeType | "moved";
  id: string;
  changeKey?: string;
  folderId?: string;
  fromFolderId?: string;
}

const odata: Record<SubscribedKind, { type: string; segment: string }> = {
  message: { type: "#Microsoft.Graph.Message", segment: "Messages" },
  event: { type: "#Microsoft.Graph.Event", segment: "Events" },
  contact: { type: "#Microsoft.Graph.Contact", segment: "Contacts" },
};

/** The change type this subscription sees for the change, or undefined when it does not watch it. */
function changeTypeSeen(subscription: StoredSubscription, change: ItemChange): ChangeType | undefined {
  const { scope } = subscription;
  if (scope.kind !== change.kind) return undefined;
  if (change.changeType === "moved") {
    if (scope.folderId === undefined) return "updated";
    if (scope.folderId === change.folderId) return "created";
    if (scope.folderId === change.fromFolderId) return "deleted";
    return undefined;
  }
  if (scope.folderId !== undefined && scope.folderId !== change.folderId) return undefined;
  return change.changeType;
}

export function changeNotification(subscription: StoredSubscription, change: ItemChange, changeType: ChangeType): Record<string, unknown> {
  const { type, segment } = odata[change.kind];
  const path = `Users/${subscription.scope.mailboxId}/${segment}/${change.id}`;
  return {
    subscriptionId: subscription.id,
    subscriptionExpirationDateTime: subscriptionDate(subscription.expiresAt),
    clientState: subscription.clientState,
    changeType,
    resource: path,
    tenantId: subscription.tenantId,
    resourceData: {
      "@odata.type": type,
      "@odata.id": path,
      ...(changeType === "deleted" || !change.changeKey ? {} : { "@odata.etag": `W/"${change.changeKey}"` }),
      id: change.id,
    },
  };
}

export function lifecycleNotification(subscription: StoredSubscription, lifecycleEvent: LifecycleEvent): Record<string, unknown> {
  return {
    subscriptionId: subscription.id,
    subscriptionExpirationDateTime: subscriptionDate(subscription.expiresAt),
    tenantId: subscription.tenantId,
    clientState: subscription.clientState,
    lifecycleEvent,
  };
}

export class ChangeNotifier {
  /** Change notifications not sent because their subscription was paused (reauthorizationRequired). */
  lostWhilePaused = 0;

  constructor(
    private readonly subscriptions: SubscriptionRegistry,
    private readonly delivery: NotificationDelivery,
  ) {}

  messageChanged(mailbox: Mailbox, change: MessageChange): void {
    const { message } = change;
    this.itemChanged(mailbox, {
      kind: "message",
      changeType: change.changeType,
      id: message.id,
      changeKey: message.changeKey,
      folderId: message.folderId,
      fromFolderId: change.changeType === "moved" ? change.fromFolderId : undefined,
    });
  }

  pimChanged(mailbox: Mailbox, change: PimChange): void {
    this.itemChanged(mailbox, change);
  }

  /**
   * Sends a lifecycle notification to the subscription's lifecycleNotificationUrl (none is sent
   * without one). `subscriptionRemoved` also removes the subscription; `reauthorizationRequired`
   * with `pause` stops its change notifications until it is reauthorized or renewed.
   */
  lifecycle(subscription: StoredSubscription, event: LifecycleEvent, options: { pause?: boolean } = {}): boolean {
    if (event === "subscriptionRemoved") this.subscriptions.remove(subscription.id);
    if (event === "reauthorizationRequired" && options.pause) subscription.paused = true;
    if (!subscription.lifecycleNotificationUrl) return false;
    this.delivery.enqueue(subscription.lifecycleNotificationUrl, lifecycleNotification(subscription, event), "lifecycle");
    return true;
  }

  private itemChanged(mailbox: Mailbox, change: ItemChange): void {
    for (const subscription of this.subscriptions.activeFor(mailbox.id)) {
      const changeType = changeTypeSeen(subscription, change);
      if (!changeType || !subscription.changeTypes.includes(changeType)) continue;
      if (subscription.paused) {
        this.lostWhilePaused++;
        continue;
      }
      this.delivery.enqueue(subscription.notificationUrl, changeNotification(subscription, change, changeType), "change");
    }
  }
}
