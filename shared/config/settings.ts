/**
 * Every setting the product reads, validated once at start-up. A missing or malformed setting
 * stops start-up with one line that names it and says what is expected.
 *
 * Names follow Azure Functions conventions: identity-based connections use the
 * `<Connection>__fullyQualifiedNamespace` / `<Connection>__tableServiceUri` form so that the
 * Functions host (triggers) and this code (senders, tables) read the same settings.
 */
import { z } from "zod";
import { serviceBusConnectionSetting, syncStorageSetting } from "./names.js";

export class SettingsError extends Error {
  constructor(
    readonly setting: string,
    readonly expected: string,
  ) {
    super(`Setting ${setting} ${expected}`);
    this.name = "SettingsError";
  }
}

export type GraphCredential =
  | { kind: "clientSecret"; clientSecret: string }
  | { kind: "certificate"; privateKeyPem: string; certificatePem: string }
  | { kind: "managedIdentity"; managedIdentityClientId?: string };

export type StorageConnection =
  | { kind: "connectionString"; connectionString: string }
  | { kind: "identity"; tableServiceUri: string; blobServiceUri: string; managedIdentityClientId?: string };

export type ServiceBusConnection =
  | { kind: "connectionString"; connectionString: string }
  | { kind: "identity"; fullyQualifiedNamespace: string; managedIdentityClientId?: string };

export interface GraphSettings {
  /** Graph root, e.g. https://graph.microsoft.com (sovereign clouds differ). */
  endpoint: string;
  /** Login authority host, e.g. https://login.microsoftonline.com. */
  authorityHost: string;
  tenantId: string;
  clientId: string;
  credential: GraphCredential;
  /** Page size asked of delta queries with Prefer: odata.maxpagesize. */
  pageSize: number;
  requestTimeoutMs: number;
}

export interface SyncSettings {
  graph: GraphSettings;
  storage: StorageConnection;
  /** Absent only where the host brings its own queue (the local host's in-process bus). */
  serviceBus?: ServiceBusConnection;
  /** Identifies this deployment; stamped into mailboxes it owns. */
  deploymentId: string;
  /** Upper bounds of one cycle, after which it yields and is rescheduled soon. */
  cycleMaxItems: number;
  cycleMaxMs: number;
  /**
   * The public base URL Graph posts change notifications to (the Function App's, without /api):
   * present → push is on; absent → pure polling. https, or http on a loopback host for the local host.
   */
  pushNotificationUrl?: string;
  /** How long item-level failures are kept (Dynamics 365 keeps them 3 days). */
  itemFailureRetentionDays: number;
}

/** Who may call the HTTP API: Entra ID v2 access tokens of this tenant, for this audience. */
export interface ApiAuthSettings {
  /** Login authority host the tokens come from (LOGIN_AUTHORITY_HOST, shared with Graph). */
  authorityHost: string;
  /** The tenant (GUID) whose users and applications call the API: the tokens' issuer and `tid`. */
  tenantId: string;
  /** The API app registration's application (client) id: a v2 token's `aud`. */
  audience: string;
}

export type Environment = Record<string, string | undefined>;

const httpsUrl = z
  .string()
  .url()
  .refine((value) => value.startsWith("https://"), "must be an https URL")
  .transform((value) => value.replace(/\/+$/, ""));
const guidOrDomain = z.string().regex(/^[A-Za-z0-9.-]+$/, "must be a tenant id (GUID) or domain name");
const nonEmpty = z.string().trim().min(1);

function read<T>(env: Environment, name: string, schema: z.ZodType<T>, expected: string): T {
  const raw = env[name];
  const result = schema.safeParse(raw === "" ? undefined : raw);
  if (!result.success) {
    const problem = raw === undefined || raw === "" ? "is required" : `is malformed (${result.error.issues[0]?.message ?? "invalid"})`;
    throw new SettingsError(name, `${problem}: expected ${expected}.`);
  }
  return result.data;
}

function optional(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function integer(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SettingsError(name, `is malformed ("${raw}"): expected a whole number from ${min} to ${max}.`);
  }
  return value;
}

function readGraphCredential(env: Environment): GraphCredential {
  const kind = optional(env, "GRAPH_CREDENTIAL_KIND") ?? (optional(env, "GRAPH_CERTIFICATE_PEM") ? "certificate" : "clientSecret");
  switch (kind) {
    case "clientSecret":
      return {
        kind,
        clientSecret: read(env, "GRAPH_CLIENT_SECRET", nonEmpty, "the Entra app's client secret (a Key Vault reference in Azure)"),
      };
    case "certificate": {
      const pem = read(env, "GRAPH_CERTIFICATE_PEM", nonEmpty, "PEM text holding the app certificate and its private key");
      const privateKey = pem.match(/-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/);
      const certificate = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/);
      if (!privateKey || !certificate) {
        throw new SettingsError("GRAPH_CERTIFICATE_PEM", "is malformed: expected PEM text with both a CERTIFICATE and a PRIVATE KEY block.");
      }
      return { kind, privateKeyPem: privateKey[0], certificatePem: certificate[0] };
    }
    case "managedIdentity":
      return { kind, managedIdentityClientId: optional(env, "GRAPH_MANAGED_IDENTITY_CLIENT_ID") };
    default:
      throw new SettingsError("GRAPH_CREDENTIAL_KIND", `is malformed ("${kind}"): expected clientSecret, certificate or managedIdentity.`);
  }
}

export function readStorageConnection(env: Environment): StorageConnection {
  const name = syncStorageSetting;
  const connectionString = optional(env, name);
  if (connectionString) {
    if (!/AccountName=|UseDevelopmentStorage=true|TableEndpoint=/i.test(connectionString)) {
      throw new SettingsError(name, "is malformed: expected an Azure Storage connection string.");
    }
    return { kind: "connectionString", connectionString };
  }
  if (optional(env, `${name}__tableServiceUri`) || optional(env, `${name}__blobServiceUri`)) {
    return {
      kind: "identity",
      tableServiceUri: read(env, `${name}__tableServiceUri`, httpsUrl, "the storage account's table endpoint, https://<account>.table.core.windows.net"),
      blobServiceUri: read(env, `${name}__blobServiceUri`, httpsUrl, "the storage account's blob endpoint, https://<account>.blob.core.windows.net"),
      managedIdentityClientId: optional(env, `${name}__clientId`),
    };
  }
  throw new SettingsError(name, `is required: expected a storage connection string, or ${name}__tableServiceUri and ${name}__blobServiceUri for a managed identity.`);
}

export function readServiceBusConnection(env: Environment): ServiceBusConnection {
  const name = serviceBusConnectionSetting;
  const connectionString = optional(env, name);
  if (connectionString) {
    if (!/Endpoint=sb:\/\//i.test(connectionString)) {
      throw new SettingsError(name, "is malformed: expected a Service Bus connection string (Endpoint=sb://...).");
    }
    return { kind: "connectionString", connectionString };
  }
  const namespace = optional(env, `${name}__fullyQualifiedNamespace`);
  if (namespace) {
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(namespace)) {
      throw new SettingsError(`${name}__fullyQualifiedNamespace`, `is malformed ("${namespace}"): expected <namespace>.servicebus.windows.net.`);
    }
    return { kind: "identity", fullyQualifiedNamespace: namespace, managedIdentityClientId: optional(env, `${name}__clientId`) };
  }
  throw new SettingsError(name, `is required: expected a Service Bus connection string, or ${name}__fullyQualifiedNamespace for a managed identity.`);
}

export function readGraphSettings(env: Environment): GraphSettings {
  return {
    endpoint: read(env, "GRAPH_ENDPOINT", httpsUrl.default("https://graph.microsoft.com"), "an https URL such as https://graph.microsoft.com"),
    authorityHost: read(env, "LOGIN_AUTHORITY_HOST", httpsUrl.default("https://login.microsoftonline.com"), "an https URL such as https://login.microsoftonline.com"),
    tenantId: read(env, "GRAPH_TENANT_ID", guidOrDomain, "the Entra tenant id (GUID) or primary domain"),
    clientId: read(env, "GRAPH_CLIENT_ID", z.string().uuid(), "the Entra app registration's application (client) id, a GUID"),
    credential: readGraphCredential(env),
    pageSize: integer(env, "GRAPH_PAGE_SIZE", 50, 1, 1000),
    requestTimeoutMs: integer(env, "GRAPH_REQUEST_TIMEOUT_SECONDS", 30, 1, 300) * 1000,
  };
}

/** Graph calls only https endpoints; the local host (and tests) receive on loopback over http. */
const notificationBaseUrl = z
  .string()
  .url()
  .refine((value) => {
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    if (url.search || url.hash) return false;
    if (url.protocol === "https:") return true;
    return url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  }, "must be an https URL without query (http only on localhost)")
  .transform((value) => value.replace(/\/+$/, ""));

export const pushNotificationUrlSetting = "PUSH_NOTIFICATION_URL";

const guid = z.string().uuid().transform((value) => value.toLowerCase());

/**
 * The API's token settings. Read by the HTTP functions only (the timers and queue triggers need
 * none): at start-up in Azure (shared/runtime.ts), and by the local host for its mode.
 */
export function readApiAuthSettings(env: Environment): ApiAuthSettings {
  const graphTenant = optional(env, "GRAPH_TENANT_ID");
  const tenantDefault = graphTenant && guid.safeParse(graphTenant).success ? graphTenant : undefined;
  return {
    authorityHost: read(env, "LOGIN_AUTHORITY_HOST", httpsUrl.default("https://login.microsoftonline.com"), "an https URL such as https://login.microsoftonline.com"),
    tenantId: optional(env, "API_TENANT_ID") === undefined && tenantDefault
      ? tenantDefault.toLowerCase()
      : read(env, "API_TENANT_ID", guid, "the tenant id (GUID) whose users and applications call the API (default: GRAPH_TENANT_ID when it is a GUID)"),
    audience: read(env, "API_AUDIENCE", guid, "the API app registration's application (client) id, a GUID (the `aud` of its v2 access tokens)"),
  };
}

/** Reads and validates every setting; throws SettingsError naming the first bad one. */
export function loadSettings(env: Environment = process.env, options: { serviceBus?: boolean } = {}): SyncSettings {
  return {
    graph: readGraphSettings(env),
    storage: readStorageConnection(env),
    serviceBus: options.serviceBus === false ? undefined : readServiceBusConnection(env),
    deploymentId: read(env, "DEPLOYMENT_ID", z.string().regex(/^[A-Za-z0-9-]{1,64}$/).default("default"), "letters, digits and dashes (up to 64)"),
    cycleMaxItems: integer(env, "CYCLE_MAX_ITEMS", 500, 10, 100_000),
    cycleMaxMs: integer(env, "CYCLE_MAX_SECONDS", 240, 10, 1_500) * 1000,
    pushNotificationUrl: optional(env, pushNotificationUrlSetting) === undefined
      ? undefined
      : read(env, pushNotificationUrlSetting, notificationBaseUrl, "the Function App's public base URL, https://<app>.azurewebsites.net (empty: no push, polling only)"),
    itemFailureRetentionDays: integer(env, "ITEM_FAILURE_RETENTION_DAYS", 3, 1, 90),
  };
}

/**
 * Every app setting the product reads, for the docs, the sample settings file and the infra tests
 * (which check the templates set each required one and nothing unknown).
 */
export const settingCatalog: ReadonlyArray<{ name: string; required: "yes" | "no" | "oneOf"; description: string }> = [
  { name: "GRAPH_TENANT_ID", required: "yes", description: "Entra tenant id (GUID) or primary domain" },
  { name: "GRAPH_CLIENT_ID", required: "yes", description: "the Entra app registration's application (client) id" },
  { name: "GRAPH_CREDENTIAL_KIND", required: "no", description: "clientSecret (default), certificate or managedIdentity" },
  { name: "GRAPH_CLIENT_SECRET", required: "no", description: "client secret, for clientSecret (a Key Vault reference in Azure)" },
  { name: "GRAPH_CERTIFICATE_PEM", required: "no", description: "PEM certificate and private key, for certificate (a Key Vault reference in Azure)" },
  { name: "GRAPH_MANAGED_IDENTITY_CLIENT_ID", required: "no", description: "user-assigned identity used as the app's federated credential, for managedIdentity" },
  { name: "GRAPH_ENDPOINT", required: "no", description: "Graph root (default https://graph.microsoft.com)" },
  { name: "LOGIN_AUTHORITY_HOST", required: "no", description: "login authority (default https://login.microsoftonline.com)" },
  { name: "GRAPH_PAGE_SIZE", required: "no", description: "delta page size, 1-1000 (default 50)" },
  { name: "GRAPH_REQUEST_TIMEOUT_SECONDS", required: "no", description: "per-request timeout (default 30)" },
  { name: syncStorageSetting, required: "oneOf", description: "storage connection string (local development)" },
  { name: `${syncStorageSetting}__tableServiceUri`, required: "oneOf", description: "table endpoint, with a managed identity" },
  { name: `${syncStorageSetting}__blobServiceUri`, required: "oneOf", description: "blob endpoint, with a managed identity" },
  { name: `${syncStorageSetting}__clientId`, required: "no", description: "client id of the user-assigned identity for storage" },
  { name: serviceBusConnectionSetting, required: "oneOf", description: "Service Bus connection string (local development)" },
  { name: `${serviceBusConnectionSetting}__fullyQualifiedNamespace`, required: "oneOf", description: "<namespace>.servicebus.windows.net, with a managed identity" },
  { name: `${serviceBusConnectionSetting}__clientId`, required: "no", description: "client id of the user-assigned identity for Service Bus" },
  { name: `${serviceBusConnectionSetting}__credential`, required: "no", description: "managedidentity (read by the Functions host's trigger)" },
  { name: "API_AUDIENCE", required: "yes", description: "the API app registration's application (client) id: the audience of the API's access tokens" },
  { name: "API_TENANT_ID", required: "no", description: "tenant id (GUID) whose users and applications call the API (default GRAPH_TENANT_ID when a GUID)" },
  { name: "DEPLOYMENT_ID", required: "no", description: "this deployment's id, stamped into the mailboxes it owns (default 'default')" },
  { name: "CYCLE_MAX_ITEMS", required: "no", description: "items per cycle before it yields (default 500)" },
  { name: "CYCLE_MAX_SECONDS", required: "no", description: "seconds per cycle before it yields (default 240)" },
  { name: pushNotificationUrlSetting, required: "no", description: "public https base URL of the Function App that Graph posts change notifications to (push); empty: polling only" },
  { name: "ITEM_FAILURE_RETENTION_DAYS", required: "no", description: "days item-level failures are kept and listed, 1-90 (default 3, as Dynamics 365)" },
  { name: "CONSOLE_CLIENT_ID", required: "no", description: "the admin console's app registration (SPA) client id for browser sign-in (default API_AUDIENCE)" },
];
