/**
 * A test tenant's token issuer: its signing keys published over HTTPS at
 * `/{tenant}/discovery/v2.0/keys` (with the OpenID metadata beside them), and tokens for the
 * product's API signed with them — so tests call the API with real signed tokens, validated by the
 * same code path as in Azure (shared/auth/token-authentication.ts), with only the authority host
 * pointing here instead of login.microsoftonline.com.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { allAppRoles, tenantAdminDirectoryRoles } from "../../shared/auth/app-roles.js";
import type { ApiAuthSettings } from "../../shared/config/settings.js";
import { ensureDevCertificates } from "../tools/dev-certificates.js";
import { ApiTokenIssuer, apiAccessTokenClaims, signJwt, type ApiTokenInput, type SigningKey } from "../tools/exchange-simulator/api-tokens.js";

export interface TestTokenIssuer {
  /** https://localhost:PORT: the authority host of the test tenant. */
  url: string;
  tenantId: string;
  /** The API's application (client) id: the tokens' audience. */
  audience: string;
  settings: ApiAuthSettings;
  issuer: ApiTokenIssuer;
  /** A signed-in user's token: every role and Global Administrator unless told otherwise. */
  userToken(options?: Partial<Omit<ApiTokenInput, "app">> & { name?: string }): string;
  /** An application's app-only token with these roles. */
  appToken(roles: string[], options?: Partial<ApiTokenInput>): string;
  /** The claims a valid user token would have, to sign changed copies of (bad-token tests). */
  claims(options?: Partial<ApiTokenInput>): Record<string, unknown>;
  sign(claims: Record<string, unknown>, key?: SigningKey, header?: Record<string, unknown>): string;
  /** How many times the keys were fetched. */
  keyFetches(): number;
  close(): Promise<void>;
}

export const globalAdministrator = tenantAdminDirectoryRoles[0].templateId;

export async function startTokenIssuer(options: { tenantId?: string; audience?: string } = {}): Promise<TestTokenIssuer> {
  const certificates = ensureDevCertificates();
  const tenantId = (options.tenantId ?? randomUUID()).toLowerCase();
  const audience = options.audience ?? randomUUID();
  let url = "";
  let fetches = 0;
  const issuer = new ApiTokenIssuer(() => url);
  const server = createServer({ cert: certificates.serverCertPem, key: certificates.serverKeyPem }, (request, response) => {
    const path = new URL(request.url ?? "/", "https://localhost").pathname;
    const send = (status: number, body: unknown) => response.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
    if (path === `/${tenantId}/discovery/v2.0/keys`) {
      fetches++;
      return send(200, issuer.jwks());
    }
    if (path === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
      return send(200, { issuer: `${url}/${tenantId}/v2.0`, jwks_uri: `${url}/${tenantId}/discovery/v2.0/keys`, id_token_signing_alg_values_supported: ["RS256"] });
    }
    send(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://localhost:${(server.address() as AddressInfo).port}`;

  const userInput = (o: Partial<ApiTokenInput> & { name?: string } = {}): ApiTokenInput => ({
    tenantId: o.tenantId ?? tenantId,
    audience: o.audience ?? audience,
    roles: o.roles ?? [...allAppRoles],
    user: o.user ?? { name: o.name ?? "Test Admin", objectId: "00000000-0000-4000-8000-00000000a11c", directoryRoles: [globalAdministrator] },
    lifetimeSeconds: o.lifetimeSeconds,
  });
  return {
    url,
    tenantId,
    audience,
    settings: { authorityHost: url, tenantId, audience },
    issuer,
    userToken: (o) => issuer.issue(userInput(o)),
    appToken: (roles, o = {}) => issuer.issue({ tenantId: o.tenantId ?? tenantId, audience: o.audience ?? audience, roles, app: o.app ?? { clientId: randomUUID() }, lifetimeSeconds: o.lifetimeSeconds }),
    claims: (o) => apiAccessTokenClaims(userInput(o), url),
    sign: (claims, key = issuer.currentKey(), header) => signJwt(claims, key, header),
    keyFetches: () => fetches,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
