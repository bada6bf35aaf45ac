/**
 * Graph change-notification subscriptions on Outlook resources: what a subscription is, which
 * resources can be subscribed to with application permissions, and the documented limits.
 *
 * Facts (Graph v1.0 docs: subscription resource type, Create subscription, Outlook change
 * notifications overview):
 * - resources: `/users/{id}/messages`, `/users/{id}/mailFolders/{id}/messages`, `/users/{id}/events`,
 *   `/users/{id}/contacts`, `/users/{id}/contactFolders/{id}/contacts`; To Do tasks
 *   (`/users/{id}/todo/lists/{id}/tasks`) only with delegated permissions ("Application: Not supported");
 * - least-privileged permissions: Mail.ReadBasic / Mail.Read, Calendars.Read, Contacts.Read;
 * - at most 1,000 active subscriptions for Outlook resources per mailbox, all apps together;
 * - Outlook message/event/contact subscriptions (without resource data) live at most 10,080
 *   minutes (under 7 days); the published maximum was 4,230 minutes before — never assume it;
 * - clientState is at most 128 characters.
 */
import { GraphError } from "./graph-error.js";

export type ChangeType = "created" | "updated" | "deleted";
export const changeTypes: readonly ChangeType[] = ["created", "updated", "deleted"];
export type LifecycleEvent = "reauthorizationRequired" | "subscriptionRemoved" | "missed";
export const lifecycleEvents: readonly LifecycleEvent[] = ["reauthorizationRequired", "subscriptionRemoved", "missed"];

export type SubscribedKind = "message" | "event" | "contact";

/** What a subscription watches, resolved from its `resource` when it was created. */
export interface SubscriptionScope {
  mailboxId: string;
  kind: SubscribedKind;
  /** A message folder or contact folder; absent = every folder of the mailbox. */
  folderId?: string;
}

export interface StoredSubscription {
  id: string;
  /** As the client wrote it (Graph echoes it). */
  resource: string;
  scope: SubscriptionScope;
  changeType: string;
  changeTypes: ChangeType[];
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  clientState: string | null;
  expiresAt: number;
  applicationId: string;
  creatorId: string;
  tenantId: string;
  latestSupportedTlsVersion: string;
  /** After a reauthorizationRequired that paused delivery: change notifications are lost until reauthorize or renew. */
  paused: boolean;
}

export const maxClientStateLength = 128;
export const maxLifetimeMinutes = 10_080;
export const defaultMaxSubscriptionsPerMailbox = 1_000;
export const tlsVersions = ["v1_0", "v1_1", "v1_2", "v1_3"] as const;

/** Application roles that allow subscribing to each kind (the read role or anything that includes it). */
export const subscriptionRoles: Record<SubscribedKind, readonly string[]> = {
  message: ["Mail.ReadBasic", "Mail.ReadBasic.All", "Mail.Read", "Mail.ReadWrite"],
  event: ["Calendars.Read", "Calendars.ReadWrite"],
  contact: ["Contacts.Read", "Contacts.ReadWrite"],
};

/** A subscribed resource before its user and folder are resolved against the store. */
export interface ParsedResource {
  userSegment: string;
  kind: SubscribedKind;
  folder?: string;
}

/** Splits a resource path, accepting the `users('x')` / `mailFolders('inbox')` key syntax. */
function resourceSegments(resource: string): string[] {
  return resource
    .replace(/^\/+/, "")
    .split("/")
    .filter(Boolean)
    .flatMap((segment) => {
      const keyed = /^([A-Za-z]+)\('(.*)'\)$/.exec(segment);
      return keyed ? [keyed[1]!, keyed[2]!.replace(/''/g, "'")] : [segment];
    });
}

const shapes: Array<{ pattern: string[]; kind: SubscribedKind | "todoTask" }> = [
  { pattern: ["users", ":user", "messages"], kind: "message" },
  { pattern: ["users", ":user", "mailfolders", ":folder", "messages"], kind: "message" },
  { pattern: ["users", ":user", "events"], kind: "event" },
  { pattern: ["users", ":user", "contacts"], kind: "contact" },
  { pattern: ["users", ":user", "contactfolders", ":folder", "contacts"], kind: "contact" },
  { pattern: ["users", ":user", "todo", "lists", ":folder", "tasks"], kind: "todoTask" },
];

export function parseResource(resource: string): ParsedResource {
  if (resource.includes("?")) {
    // Outlook accepts $filter/$select on rich-notification resources; not simulated.
    throw new GraphError(400, "InvalidRequest", "Query options in the subscription resource are not supported by the simulator.");
  }
  const segments = resourceSegments(resource);
  if (segments[0]?.toLowerCase() === "me") {
    throw new GraphError(400, "BadRequest", "/me request is only valid with delegated authentication flow.");
  }
  for (const shape of shapes) {
    if (shape.pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = shape.pattern.every((part, i) => {
      if (part.startsWith(":")) params[part.slice(1)] = segments[i]!;
      return part.startsWith(":") || part === segments[i]!.toLowerCase();
    });
    if (!fits) continue;
    if (shape.kind === "todoTask") {
      // Graph documents todoTask subscriptions for delegated permissions only. Decision: code and message are ours.
      throw new GraphError(403, "ExtensionError", "Operation: Create; Exception: [Status Code: Forbidden; Reason: Application permissions are not supported for todoTask subscriptions.]");
    }
    return { userSegment: params.user!, kind: shape.kind, folder: params.folder };
  }
  throw new GraphError(400, "InvalidRequest", `The resource '${resource}' is not supported for subscriptions by the simulator.`);
}

/** Graph writes subscription times with seven fraction digits, UTC. */
export function subscriptionDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/Z$/, "0000Z");
}

/** The subscription as Graph returns it (property order of the docs' sample). */
export function renderSubscription(subscription: StoredSubscription): Record<string, unknown> {
  return {
    id: subscription.id,
    resource: subscription.resource,
    applicationId: subscription.applicationId,
    changeType: subscription.changeType,
    clientState: subscription.clientState,
    notificationUrl: subscription.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: subscription.lifecycleNotificationUrl,
    expirationDateTime: subscriptionDate(subscription.expiresAt),
    creatorId: subscription.creatorId,
    includeResourceData: false,
    latestSupportedTlsVersion: subscription.latestSupportedTlsVersion,
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null,
  };
}

/** The properties renderSubscription emits (the contract test checks them against the metadata). */
export const subscriptionProperties = Object.keys(
  renderSubscription({
    id: "", resource: "", scope: { mailboxId: "", kind: "message" }, changeType: "", changeTypes: [], notificationUrl: "",
    lifecycleNotificationUrl: null, clientState: null, expiresAt: 0, applicationId: "", creatorId: "", tenantId: "",
    latestSupportedTlsVersion: "", paused: false,
  }),
);
