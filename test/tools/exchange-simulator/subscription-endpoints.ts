/**
 * `/v1.0/subscriptions`: create (201, after the validation handshake), list and get (the calling
 * app's own), renew (PATCH expirationDateTime and/or notificationUrl, 200), delete (204) and
 * reauthorize (204). Creating and managing a subscription needs the read permission of the
 * subscribed resource and access to its mailbox (application access policy), checked on every call.
 */
import { createHash, randomUUID } from "node:crypto";
import { GraphError } from "./graph-error.js";
import { requireMailboxAccess } from "./mailbox-access.js";
import type { SimRequest, SimResponse } from "./http-server.js";
import type { AccessGrant } from "./identity.js";
import type { SimulatorContext } from "./simulator-context.js";
import { readCreateInput, readRenewInput } from "./subscription-input.js";
import { parseResource, renderSubscription, subscriptionRoles, type StoredSubscription, type SubscriptionScope } from "./subscription-model.js";
import { resolveContactFolder } from "./contact-store.js";

function requestBody(request: SimRequest): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(request.body.toString("utf8") || "{}");
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new GraphError(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
}

/** The app's service principal id as creatorId; stable per app (the simulator has no directory objects). */
function servicePrincipalId(clientId: string): string {
  const hex = createHash("sha256").update(`service-principal:${clientId}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Resolves a resource to a mailbox and folder the caller may subscribe to, or throws Graph's refusal. */
function resolveScope(context: SimulatorContext, grant: AccessGrant, resource: string): SubscriptionScope {
  const parsed = parseResource(resource);
  if (!subscriptionRoles[parsed.kind].some((role) => grant.roles.includes(role))) {
    throw new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
  }
  const mailbox = context.store.find(parsed.userSegment);
  requireMailboxAccess(context, grant, mailbox, parsed.userSegment);
  if (parsed.folder === undefined) return { mailboxId: mailbox.id, kind: parsed.kind };
  const folderId = parsed.kind === "contact"
    ? resolveContactFolder(mailbox, parsed.folder).id
    : context.store.folder(mailbox, parsed.folder).id;
  return { mailboxId: mailbox.id, kind: parsed.kind, folderId };
}

/** The access checks again for an existing subscription (permissions or the access policy may have changed). */
function recheckAccess(context: SimulatorContext, grant: AccessGrant, subscription: StoredSubscription): void {
  if (!subscriptionRoles[subscription.scope.kind].some((role) => grant.roles.includes(role))) {
    throw new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
  }
  const mailbox = context.store.find(subscription.scope.mailboxId);
  requireMailboxAccess(context, grant, mailbox, subscription.scope.mailboxId);
}

function entity(context: SimulatorContext, subscription: StoredSubscription, status = 200): SimResponse {
  return {
    status,
    body: { "@odata.context": `${context.baseUrl()}/v1.0/$metadata#subscriptions/$entity`, ...renderSubscription(subscription) },
  };
}

async function createSubscription(context: SimulatorContext, request: SimRequest, grant: AccessGrant): Promise<SimResponse> {
  const input = readCreateInput(requestBody(request), context.now());
  const scope = resolveScope(context, grant, input.resource);
  const { maxSubscriptionsPerMailbox } = context.delivery.options;
  if (context.subscriptions.activeFor(scope.mailboxId).length >= maxSubscriptionsPerMailbox) {
    // The shape reported from the real service when a subscription quota is reached.
    throw new GraphError(403, "ExtensionError", "Operation: Create; Exception: [Status Code: Forbidden; Reason: Maximum number of subscriptions has been reached]");
  }
  await context.delivery.validate(input.notificationUrl);
  if (input.lifecycleNotificationUrl) await context.delivery.validate(input.lifecycleNotificationUrl);
  const subscription: StoredSubscription = {
    id: randomUUID(),
    resource: input.resource,
    scope,
    changeType: input.changeType,
    changeTypes: input.changeTypes,
    notificationUrl: input.notificationUrl,
    lifecycleNotificationUrl: input.lifecycleNotificationUrl,
    clientState: input.clientState,
    expiresAt: input.expiresAt,
    applicationId: grant.clientId,
    creatorId: servicePrincipalId(grant.clientId),
    tenantId: grant.tenantId,
    latestSupportedTlsVersion: input.latestSupportedTlsVersion,
    paused: false,
  };
  context.subscriptions.add(subscription);
  return entity(context, subscription, 201);
}

async function renewSubscription(context: SimulatorContext, request: SimRequest, grant: AccessGrant, id: string): Promise<SimResponse> {
  const subscription = context.subscriptions.requireForApp(id, grant.clientId);
  recheckAccess(context, grant, subscription);
  const input = readRenewInput(requestBody(request), context.now());
  if (input.notificationUrl !== undefined && input.notificationUrl !== subscription.notificationUrl) {
    await context.delivery.validate(input.notificationUrl);
  }
  // Found again: it may have expired or been removed while the endpoint was being validated.
  const current = context.subscriptions.requireForApp(id, grant.clientId);
  if (input.expiresAt !== undefined) current.expiresAt = input.expiresAt;
  if (input.notificationUrl !== undefined) current.notificationUrl = input.notificationUrl;
  // Renewing reauthorizes, as Graph documents.
  current.paused = false;
  return entity(context, current);
}

export async function handleSubscriptionRequest(
  context: SimulatorContext,
  request: SimRequest,
  grant: AccessGrant,
  segments: string[],
): Promise<SimResponse> {
  const method = request.method.toUpperCase();
  const [id, action, ...rest] = segments;
  const unsupported = () => new GraphError(405, "ErrorInvalidRequest", "The OData request is not supported.");
  if (rest.length) throw new GraphError(400, "BadRequest", `Resource not found for the segment '${segments.at(-1)}'.`);
  if (id === undefined) {
    if (method === "POST") return createSubscription(context, request, grant);
    if (method !== "GET") throw unsupported();
    const own = context.subscriptions.active().filter((s) => s.applicationId === grant.clientId);
    return {
      status: 200,
      body: { "@odata.context": `${context.baseUrl()}/v1.0/$metadata#subscriptions`, value: own.map(renderSubscription) },
    };
  }
  if (action !== undefined) {
    if (action.toLowerCase() !== "reauthorize") throw new GraphError(400, "BadRequest", `Resource not found for the segment '${action}'.`);
    if (method !== "POST") throw unsupported();
    const subscription = context.subscriptions.requireForApp(id, grant.clientId);
    recheckAccess(context, grant, subscription);
    subscription.paused = false;
    return { status: 204 };
  }
  if (method === "PATCH") return renewSubscription(context, request, grant, id);
  const subscription = context.subscriptions.requireForApp(id, grant.clientId);
  recheckAccess(context, grant, subscription);
  if (method === "GET") return entity(context, subscription);
  if (method === "DELETE") {
    context.subscriptions.remove(id);
    return { status: 204 };
  }
  throw unsupported();
}
