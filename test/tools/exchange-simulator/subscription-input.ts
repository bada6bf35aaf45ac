/**
 * Reading a create or renew request for a subscription: each refusal names the field, and nothing
 * is created or changed. Error codes and messages reported from the real service are used where
 * known (the expiration limit); the others are marked as decisions in README.md.
 */
import { GraphError } from "./graph-error.js";
import { changeTypes, maxClientStateLength, maxLifetimeMinutes, tlsVersions, type ChangeType } from "./subscription-model.js";

export interface SubscriptionCreateInput {
  resource: string;
  changeType: string;
  changeTypes: ChangeType[];
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  clientState: string | null;
  expiresAt: number;
  latestSupportedTlsVersion: string;
}

export interface SubscriptionRenewInput {
  expiresAt?: number;
  notificationUrl?: string;
}

const invalid = (message: string) => new GraphError(400, "InvalidRequest", message);

function requiredString(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== "string" || value.trim() === "") throw invalid(`The property '${name}' is required and must be a non-empty string.`);
  return value;
}

function optionalString(body: Record<string, unknown>, name: string): string | null {
  const value = body[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw invalid(`The property '${name}' must be a string.`);
  return value;
}

/**
 * Graph requires HTTPS for notification and lifecycle URLs. The simulator also accepts plain http
 * to a loopback host (127.0.0.1, ::1, localhost), so tests can receive on a local port.
 */
export function checkNotificationUrl(name: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`The property '${name}' must be an absolute URL.`);
  }
  const loopback = ["127.0.0.1", "[::1]", "localhost"].includes(parsed.hostname.toLowerCase());
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && loopback)) {
    throw invalid(`The property '${name}' must use the https scheme.`);
  }
  return url;
}

function readChangeTypes(value: string): ChangeType[] {
  const parts = value.split(",").map((part) => part.trim());
  const unknown = parts.find((part) => !(changeTypes as readonly string[]).includes(part));
  if (unknown !== undefined) {
    throw invalid(`The property 'changeType' has an unsupported value '${unknown}'; use created, updated and/or deleted.`);
  }
  return [...new Set(parts as ChangeType[])];
}

/** The expiration must lie in the future and at most the Outlook maximum ahead. */
function readExpiration(body: Record<string, unknown>, now: number, operation: "Create" | "Update"): number {
  const text = requiredString(body, "expirationDateTime");
  const expiresAt = Date.parse(text);
  if (Number.isNaN(expiresAt)) throw invalid("The property 'expirationDateTime' must be an ISO 8601 date and time.");
  if (expiresAt <= now) {
    throw new GraphError(400, "ExtensionError", `Operation: ${operation}; Exception: [Status Code: BadRequest; Reason: Subscription expiration must be in the future.]`);
  }
  if (expiresAt > now + maxLifetimeMinutes * 60_000) {
    // The shape Graph answers (reported with the older 4230-minute limit).
    throw new GraphError(400, "ExtensionError", `Operation: ${operation}; Exception: [Status Code: BadRequest; Reason: Subscription expiration can only be ${maxLifetimeMinutes} minutes in the future.]`);
  }
  return expiresAt;
}

export function readCreateInput(body: Record<string, unknown>, now: number): SubscriptionCreateInput {
  const resource = requiredString(body, "resource");
  const changeType = requiredString(body, "changeType");
  const notificationUrl = checkNotificationUrl("notificationUrl", requiredString(body, "notificationUrl"));
  const lifecycle = optionalString(body, "lifecycleNotificationUrl");
  const clientState = optionalString(body, "clientState");
  if (clientState !== null && clientState.length > maxClientStateLength) {
    throw invalid(`The property 'clientState' must be at most ${maxClientStateLength} characters.`);
  }
  const tls = optionalString(body, "latestSupportedTlsVersion") ?? "v1_2";
  if (!(tlsVersions as readonly string[]).includes(tls)) {
    throw invalid(`The property 'latestSupportedTlsVersion' must be one of ${tlsVersions.join(", ")}.`);
  }
  if (body.includeResourceData === true) {
    throw invalid("The property 'includeResourceData' is not supported by the simulator (rich notifications need an encryptionCertificate).");
  }
  return {
    resource,
    changeType,
    changeTypes: readChangeTypes(changeType),
    notificationUrl,
    lifecycleNotificationUrl: lifecycle === null ? null : checkNotificationUrl("lifecycleNotificationUrl", lifecycle),
    clientState,
    expiresAt: readExpiration(body, now, "Create"),
    latestSupportedTlsVersion: tls,
  };
}

/** A renewal carries expirationDateTime and/or notificationUrl; nothing else can change. */
export function readRenewInput(body: Record<string, unknown>, now: number): SubscriptionRenewInput {
  const fixed = Object.keys(body).filter((name) => name !== "expirationDateTime" && name !== "notificationUrl" && !name.startsWith("@"));
  if (fixed.length) {
    // lifecycleNotificationUrl in particular cannot be added later (Graph: recreate the subscription).
    throw invalid(`The property '${fixed[0]}' cannot be changed on an existing subscription.`);
  }
  if (body.expirationDateTime === undefined && body.notificationUrl === undefined) {
    throw invalid("Subscription must contain either the 'expirationDateTime' or 'notificationUrl' property and its value.");
  }
  return {
    expiresAt: body.expirationDateTime === undefined ? undefined : readExpiration(body, now, "Update"),
    notificationUrl: body.notificationUrl === undefined ? undefined : checkNotificationUrl("notificationUrl", requiredString(body, "notificationUrl")),
  };
}
