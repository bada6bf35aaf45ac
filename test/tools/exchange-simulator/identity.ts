/**
 * The Microsoft identity platform look-alike: tenants, app registrations (secret and certificate
 * credentials, granted application permissions, Exchange application access policy) and the
 * client-credentials token endpoint.
 *
 * Access tokens are opaque random strings mapped server-side to tenant, app, roles and expiry
 * (Microsoft tells clients never to parse access tokens, so the product must not depend on it).
 * Roles are copied into the token when it is issued, as in Entra: changing an app's roles affects
 * tokens issued afterwards. The mailbox scope (application access policy) is checked live.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { registerCertificate, verifyClientAssertion, type RegisteredCertificate } from "./client-assertion.js";
import { AadError, GraphError } from "./graph-error.js";

export interface AddAppInput {
  clientId?: string;
  clientSecret?: string;
  certificates?: Array<{ certificatePem: string }>;
  /** Granted application permissions, e.g. Mail.ReadWrite. */
  roles?: string[];
}

interface AppRegistration {
  clientId: string;
  tenantId: string;
  secrets: string[];
  certificates: RegisteredCertificate[];
  roles: string[];
  /** Lower-cased mailbox ids/addresses the app may access; null = whole tenant. */
  mailboxScope: string[] | null;
}

export interface AccessGrant {
  tenantId: string;
  clientId: string;
  roles: string[];
  expiresAt: number;
}

const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const ignoredScopes = new Set(["openid", "profile", "offline_access", "email"]);

export class Identity {
  private readonly tenants = new Set<string>();
  private readonly apps = new Map<string, AppRegistration>();
  private readonly tokens = new Map<string, AccessGrant>();
  private tokenLifetimeSeconds = 3599;
  tokensIssued = 0;

  constructor(private readonly now: () => number) {}

  addTenant(input: { tenantId?: string } = {}): string {
    const tenantId = (input.tenantId ?? randomUUID()).toLowerCase();
    this.tenants.add(tenantId);
    return tenantId;
  }

  /** Without any credential a secret is generated and returned, so the app can sign in. */
  addApp(tenantId: string, input: AddAppInput = {}): { clientId: string; clientSecret?: string } {
    if (!this.tenants.has(tenantId.toLowerCase())) throw new Error(`Unknown tenant ${tenantId}`);
    const clientId = (input.clientId ?? randomUUID()).toLowerCase();
    if (this.apps.has(clientId)) throw new Error(`App ${clientId} already exists`);
    const generatedSecret =
      input.clientSecret === undefined && !input.certificates?.length ? `sim~${randomBytes(24).toString("base64url")}` : undefined;
    const secret = input.clientSecret ?? generatedSecret;
    this.apps.set(clientId, {
      clientId,
      tenantId: tenantId.toLowerCase(),
      secrets: secret === undefined ? [] : [secret],
      certificates: (input.certificates ?? []).map((c) => registerCertificate(c.certificatePem)),
      roles: [...(input.roles ?? [])],
      mailboxScope: null,
    });
    return generatedSecret === undefined ? { clientId } : { clientId, clientSecret: generatedSecret };
  }

  setAppRoles(clientId: string, roles: string[]): void {
    this.requireApp(clientId).roles = [...roles];
  }

  setMailboxScope(clientId: string, mailboxes: string[] | null): void {
    this.requireApp(clientId).mailboxScope = mailboxes === null ? null : mailboxes.map((m) => m.toLowerCase());
  }

  /** Whether the application access policy lets the app reach a mailbox. */
  mayAccessMailbox(clientId: string, mailbox: { id: string; address: string }): boolean {
    const scope = this.apps.get(clientId)?.mailboxScope;
    return !scope || scope.includes(mailbox.id.toLowerCase()) || scope.includes(mailbox.address.toLowerCase());
  }

  setTokenLifetime(seconds: number): void {
    this.tokenLifetimeSeconds = seconds;
  }

  expireAccessTokens(): void {
    for (const grant of this.tokens.values()) grant.expiresAt = Number.NEGATIVE_INFINITY;
  }

  hasTenant(tenant: string): boolean {
    return this.tenants.has(tenant.toLowerCase());
  }

  requireTenant(tenant: string): string {
    if (!this.hasTenant(tenant)) {
      throw new AadError(
        400,
        "invalid_request",
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    }
    return tenant.toLowerCase();
  }

  /**
   * POST /{tenant}/oauth2/v2.0/token. `tokenEndpoints` are the URLs a client assertion may name as
   * its audience; `resource` is the simulator URL the scope must name (`{resource}/.default`).
   */
  issueToken(tenant: string, form: URLSearchParams, tokenEndpoints: string[], resource: string): object {
    const tenantId = this.requireTenant(tenant);
    const grantType = form.get("grant_type");
    if (grantType !== "client_credentials") {
      throw new AadError(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grantType ?? ""}'.`);
    }
    const assertion = form.get("client_assertion");
    const clientId = (form.get("client_id") ?? issuerOf(assertion) ?? "").toLowerCase();
    const app = this.apps.get(clientId);
    if (!app || app.tenantId !== tenantId) {
      throw new AadError(
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the ` +
          "application has not been installed by the administrator of the tenant or consented to by any user in the tenant. " +
          "You may have sent your authentication request to the wrong tenant.",
      );
    }
    const secret = form.get("client_secret");
    if (secret !== null) {
      if (!app.secrets.includes(secret)) {
        throw new AadError(
          401,
          "invalid_client",
          7000215,
          "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, " +
            `not the client secret ID, for a secret added to app '${app.clientId}'.`,
        );
      }
    } else if (assertion !== null && form.get("client_assertion_type") === clientAssertionType) {
      verifyClientAssertion(assertion, {
        clientId: app.clientId,
        audiences: tokenEndpoints.map((e) => e.toLowerCase()),
        certificates: app.certificates,
        // The assertion is stamped with the client's real clock, whatever the simulated time is.
        nowSeconds: Math.floor(Date.now() / 1000),
      });
    } else {
      throw new AadError(
        400,
        "invalid_client",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    const scopes = (form.get("scope") ?? "").split(/\s+/).filter((s) => s && !ignoredScopes.has(s.toLowerCase()));
    const expectedScope = `${resource}/.default`.toLowerCase();
    if (scopes.length !== 1 || scopes[0]!.toLowerCase() !== expectedScope) {
      throw new AadError(
        400,
        "invalid_scope",
        70011,
        `The provided value for the input parameter 'scope' is not valid. The scope ${scopes.join(" ")} is not valid. ` +
          `Client credential flows must have a scope value with /.default suffixed to the resource identifier (${resource}/.default).`,
      );
    }
    const accessToken = randomBytes(48).toString("base64url");
    this.tokens.set(accessToken, {
      tenantId,
      clientId: app.clientId,
      roles: [...app.roles],
      expiresAt: this.now() + this.tokenLifetimeSeconds * 1000,
    });
    this.tokensIssued++;
    return {
      token_type: "Bearer",
      expires_in: this.tokenLifetimeSeconds,
      ext_expires_in: this.tokenLifetimeSeconds,
      access_token: accessToken,
    };
  }

  /** Validates a Graph request's Authorization header, as Graph's front door does. */
  authenticate(authorization: string | undefined): AccessGrant {
    const unauthorized = (message: string) => new GraphError(401, "InvalidAuthenticationToken", message);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    if (!match) throw unauthorized("Access token is empty.");
    const grant = this.tokens.get(match[1]!);
    if (!grant) throw unauthorized("IDX14100: JWT is not well formed, there are no dots (.).");
    if (grant.expiresAt <= this.now()) throw unauthorized("Lifetime validation failed, the token is expired.");
    return grant;
  }

  reset(): void {
    this.tenants.clear();
    this.apps.clear();
    this.tokens.clear();
    this.tokenLifetimeSeconds = 3599;
    this.tokensIssued = 0;
  }

  private requireApp(clientId: string): AppRegistration {
    const app = this.apps.get(clientId.toLowerCase());
    if (!app) throw new Error(`Unknown app ${clientId}`);
    return app;
  }
}

/** The client id a client assertion claims (iss), for requests that omit client_id. */
function issuerOf(assertion: string | null): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(assertion?.split(".")[1] ?? "", "base64url").toString("utf8"));
    return typeof payload.iss === "string" ? payload.iss : undefined;
  } catch {
    return undefined;
  }
}

/** GET /{tenant}/v2.0/.well-known/openid-configuration, what MSAL's authority discovery reads. */
export function openIdConfiguration(baseUrl: string, tenantId: string): object {
  const authority = `${baseUrl}/${tenantId}`;
  return {
    token_endpoint: `${authority}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${authority}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${authority}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${baseUrl}/oidc/userinfo`,
    authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${authority}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "tid", "ver", "oid"],
    tenant_region_scope: "EU",
    cloud_instance_name: "microsoftonline.com",
    msgraph_host: new URL(baseUrl).host,
  };
}

/** GET /common/discovery/instance, for clients that do instance discovery against the host. */
export function instanceDiscovery(baseUrl: string): object {
  const host = new URL(baseUrl).host;
  return {
    tenant_discovery_endpoint: `${baseUrl}/{tenantid}/v2.0/.well-known/openid-configuration`,
    "api-version": "1.1",
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  };
}
