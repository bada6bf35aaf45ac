import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateAppCertificate } from "../tools/dev-certificates.js";
import { acquireToken, msalApp, rawGraph, startFixture, type SimulatorFixture } from "./simulator-fixture.js";

let f: SimulatorFixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.sim.close());

async function postToken(tenant: string, params: Record<string, string>) {
  const response = await fetch(`${f.sim.url}/${tenant}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

const secretParams = () => ({
  grant_type: "client_credentials",
  client_id: f.clientId,
  client_secret: f.clientSecret,
  scope: `${f.sim.url}/.default`,
});

describe("token endpoint with the real MSAL client", () => {
  it("issues a token for a client secret, and Graph accepts it", async () => {
    const token = await acquireToken(msalApp(f.sim, f.tenantId, f.clientId, { clientSecret: f.clientSecret }), f.sim);
    const user = await rawGraph(f, `/users/${f.alice.address}`, { token });
    expect(user.status).toBe(200);
    expect(user.body.mail).toBe(f.alice.address);
  });

  it("issues a token for a certificate credential (SHA-256 thumbprint, PS256)", async () => {
    const cert = generateAppCertificate();
    const { clientId } = f.sim.addApp(f.tenantId, { certificates: [{ certificatePem: cert.certificatePem }], roles: ["User.Read.All"] });
    const app = msalApp(f.sim, f.tenantId, clientId, {
      clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.privateKeyPem, x5c: cert.certificatePem },
    });
    const token = await acquireToken(app, f.sim);
    expect((await rawGraph(f, `/users/${f.bob.id}`, { token })).status).toBe(200);
  });

  it("issues a token for a certificate credential (SHA-1 thumbprint, RS256)", async () => {
    const cert = generateAppCertificate();
    const { clientId } = f.sim.addApp(f.tenantId, { certificates: [{ certificatePem: cert.certificatePem }] });
    const app = msalApp(f.sim, f.tenantId, clientId, {
      clientCertificate: { thumbprint: cert.thumbprintSha1, privateKey: cert.privateKeyPem } as never,
    });
    expect(await acquireToken(app, f.sim)).toBeTruthy();
  });

  it("rejects an assertion signed by a certificate the app does not have", async () => {
    const registered = generateAppCertificate();
    const other = generateAppCertificate();
    const { clientId } = f.sim.addApp(f.tenantId, { certificates: [{ certificatePem: registered.certificatePem }] });
    const app = msalApp(f.sim, f.tenantId, clientId, {
      clientCertificate: { thumbprintSha256: other.thumbprintSha256, privateKey: other.privateKeyPem },
    });
    await expect(acquireToken(app, f.sim)).rejects.toMatchObject({ errorCode: "invalid_client", errorMessage: expect.stringContaining("AADSTS700027") });
  });

  it("rejects an assertion whose key does not match the named certificate", async () => {
    const registered = generateAppCertificate();
    const other = generateAppCertificate();
    const { clientId } = f.sim.addApp(f.tenantId, { certificates: [{ certificatePem: registered.certificatePem }] });
    const app = msalApp(f.sim, f.tenantId, clientId, {
      clientCertificate: { thumbprintSha256: registered.thumbprintSha256, privateKey: other.privateKeyPem },
    });
    await expect(acquireToken(app, f.sim)).rejects.toMatchObject({
      errorCode: "invalid_client",
      errorMessage: expect.stringContaining("signature validation"),
    });
  });

  it("surfaces a wrong secret as invalid_client AADSTS7000215", async () => {
    const app = msalApp(f.sim, f.tenantId, f.clientId, { clientSecret: "wrong" });
    await expect(acquireToken(app, f.sim)).rejects.toMatchObject({ errorCode: "invalid_client", errorMessage: expect.stringContaining("AADSTS7000215") });
  });
});

describe("token endpoint wire format", () => {
  it("answers the client credentials grant like Entra ID", async () => {
    f.sim.setTokenLifetime(120);
    const ok = await postToken(f.tenantId, secretParams());
    f.sim.setTokenLifetime(3599);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: "Bearer", expires_in: 120, ext_expires_in: 120, access_token: expect.any(String) });
  });

  it.each([
    ["unknown tenant", 400, "invalid_request", 90002, "00000000-0000-0000-0000-000000000000", {}],
    ["unknown client", 400, "unauthorized_client", 700016, undefined, { client_id: "11111111-1111-1111-1111-111111111111" }],
    ["bad secret", 401, "invalid_client", 7000215, undefined, { client_secret: "nope" }],
    ["bad scope", 400, "invalid_scope", 70011, undefined, { scope: "https://graph.microsoft.com/.default" }],
  ] as const)("%s → %i %s AADSTS%i", async (_name, status, error, code, tenant, override) => {
    const response = await postToken(tenant ?? f.tenantId, { ...secretParams(), ...override });
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({
      error,
      error_codes: [code],
      error_description: expect.stringMatching(new RegExp(`^AADSTS${code}: `)),
      timestamp: expect.any(String),
      trace_id: expect.any(String),
      correlation_id: expect.any(String),
    });
  });

  it("serves OpenID configuration and instance discovery", async () => {
    const config = (await (await fetch(`${f.sim.url}/${f.tenantId}/v2.0/.well-known/openid-configuration`)).json()) as any;
    expect(config).toMatchObject({
      token_endpoint: `${f.sim.url}/${f.tenantId}/oauth2/v2.0/token`,
      issuer: `${f.sim.url}/${f.tenantId}/v2.0`,
      authorization_endpoint: `${f.sim.url}/${f.tenantId}/oauth2/v2.0/authorize`,
      jwks_uri: `${f.sim.url}/${f.tenantId}/discovery/v2.0/keys`,
    });
    const discovery = (await (await fetch(`${f.sim.url}/common/discovery/instance?api-version=1.1`)).json()) as any;
    expect(discovery.metadata[0].aliases).toEqual([new URL(f.sim.url).host]);
    const unknown = await fetch(`${f.sim.url}/not-a-tenant/v2.0/.well-known/openid-configuration`);
    expect(unknown.status).toBe(400);
  });

  it("fails the token endpoint on an injected fault, in AAD format", async () => {
    f.sim.injectFault({ pathIncludes: "oauth2/v2.0/token", status: 503, code: "temporarily_unavailable", retryAfterSeconds: 7 });
    const failed = await postToken(f.tenantId, secretParams());
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("7");
    expect(failed.body).toMatchObject({ error: "temporarily_unavailable", error_codes: [expect.any(Number)] });
    expect((await postToken(f.tenantId, secretParams())).status).toBe(200);
  });
});

describe("Graph token validation", () => {
  it("answers 401 without a token and after tokens were expired", async () => {
    const response = await fetch(`${f.sim.url}/v1.0/users/${f.alice.id}`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).error).toMatchObject({ code: "InvalidAuthenticationToken", message: "Access token is empty." });

    const token = (await postToken(f.tenantId, secretParams())).body.access_token as string;
    expect((await rawGraph(f, `/users/${f.alice.id}`, { token })).status).toBe(200);
    f.sim.expireAccessTokens();
    const expired = await rawGraph(f, `/users/${f.alice.id}`, { token });
    expect(expired.status).toBe(401);
    expect(expired.body.error).toMatchObject({
      code: "InvalidAuthenticationToken",
      message: "Lifetime validation failed, the token is expired.",
    });
    // A new token works again.
    const fresh = (await postToken(f.tenantId, secretParams())).body.access_token as string;
    expect((await rawGraph(f, `/users/${f.alice.id}`, { token: fresh })).status).toBe(200);
  });
});
