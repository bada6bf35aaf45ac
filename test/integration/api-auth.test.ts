/**
 * Sign-in on the API with real signed tokens over real HTTP: a test tenant publishes its keys over
 * HTTPS and the product validates every token as it does in Azure. Every bad token is refused with
 * the right status, and nothing changes.
 */
import { createHmac, createPublicKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantAdminDirectoryRoles } from "../../shared/auth/app-roles.js";
import { newSigningKey } from "../tools/exchange-simulator/api-tokens.js";
import { startApiServer, type ApiServer } from "../support/api-server.js";
import { startSyncHarness, type HarnessMailbox, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: ApiServer;
let mailbox: HarnessMailbox;

beforeAll(async () => {
  h = await startSyncHarness();
  api = await startApiServer(h.runtime);
  mailbox = await h.addMailbox("adele", { approved: false });
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const now = () => Math.floor(Date.now() / 1000);
const profileBody = { name: "Fabrikam" };

/** A write that must not happen: PUT a new profile. */
async function tryChange(headers: Record<string, string>) {
  return api.send("PUT", "profiles/not-created", profileBody, headers);
}
async function nothingChanged() {
  expect((await api.call("GET", "profiles/not-created")).status).toBe(404);
}

describe("a request without a valid token is a 401 with WWW-Authenticate, and changes nothing", () => {
  it("no token at all: Bearer challenge without an error code (RFC 6750)", async () => {
    const answer = await tryChange({ Authorization: "" });
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toBe(`Bearer realm="${api.tokens.audience}"`);
    expect(answer.body.error.code).toBe("Unauthorized");
    await nothingChanged();
  });

  const cases: Array<[string, () => string | Record<string, string>, RegExp]> = [
    ["not a bearer token", () => ({ Authorization: "Basic dXNlcjpwYXNz" }), /Bearer <token>/],
    ["expired", () => api.tokens.sign({ ...api.tokens.claims(), iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 }), /expired/],
    ["not yet valid", () => api.tokens.sign({ ...api.tokens.claims(), nbf: now() + 3600, exp: now() + 7200 }), /not valid yet/],
    ["for another API (audience)", () => api.tokens.userToken({ audience: "6e1a2b3c-0000-4000-8000-000000000001" }), /another API/],
    ["from another issuer", () => api.tokens.sign({ ...api.tokens.claims(), iss: `https://login.microsoftonline.com/${api.tokens.tenantId}/v2.0` }), /issued by this API's tenant/],
    ["from another tenant (issuer and tid)", () => api.tokens.userToken({ tenantId: "0b5c1a2d-0000-4000-8000-00000000beef" }), /this API's tenant/],
    ["with the tenant's issuer but another tid", () => api.tokens.sign({ ...api.tokens.claims(), tid: "0b5c1a2d-0000-4000-8000-00000000beef" }), /another tenant/],
    ["signed with a key the tenant does not publish", () => api.tokens.sign(api.tokens.claims(), newSigningKey()), /key the tenant does not publish/],
    ["alg: none", () => {
      const claims = Buffer.from(JSON.stringify(api.tokens.claims())).toString("base64url");
      return `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${claims}.`;
    }, /algorithm is not allowed/],
    ["HS256 with the published public key as the HMAC secret", () => {
      const key = api.tokens.issuer.currentKey();
      const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT", kid: key.kid })).toString("base64url");
      const input = `${header}.${Buffer.from(JSON.stringify(api.tokens.claims())).toString("base64url")}`;
      const secret = createPublicKey(key.privateKey).export({ type: "spki", format: "pem" });
      return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
    }, /algorithm is not allowed/],
    ["tampered payload (roles added after signing)", () => {
      const [header, , signature] = api.tokens.userToken({ roles: ["Monitor.Read"] }).split(".");
      const forged = Buffer.from(JSON.stringify({ ...api.tokens.claims(), roles: ["Sync.Admin"] })).toString("base64url");
      return `${header}.${forged}.${signature}`;
    }, /signature does not verify/],
    ["a v1.0 token", () => api.tokens.sign({ ...api.tokens.claims(), ver: "1.0" }), /v2\.0/],
    ["garbage", () => "not.a.jwt", /well-formed/],
  ];

  it.each(cases)("%s", async (_, make, message) => {
    const made = make();
    const answer = await tryChange(typeof made === "string" ? bearer(made) : made);
    expect(answer.status).toBe(401);
    expect(answer.body.error.message).toMatch(message);
    expect(answer.headers.get("www-authenticate")).toMatch(new RegExp(`^Bearer realm="${api.tokens.audience}", error="invalid_token", error_description="`));
    await nothingChanged();
  });
});

describe("a valid token without the route's role is a 403 naming the role, and changes nothing", () => {
  it.each([
    ["Monitor.Read on the admin API", ["Monitor.Read"]],
    ["Records.ReadWrite on the admin API", ["Records.ReadWrite"]],
    ["no role at all", []],
    ["roles of another application (Graph's)", ["Mail.ReadWrite", "Directory.ReadWrite.All"]],
  ])("%s", async (_, roles) => {
    const answer = await tryChange(bearer(api.tokens.userToken({ roles })));
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatchObject({ code: "Forbidden", roles: ["Sync.Admin"] });
    expect(answer.body.error.message).toContain("needs the app role Sync.Admin");
    expect(answer.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    await nothingChanged();
  });

  it("an application's token with Sync.Admin may not read mail: the records API needs Records.ReadWrite", async () => {
    const answer = await api.send("GET", `emails?mailboxId=${mailbox.id}`, undefined, bearer(api.tokens.appToken(["Sync.Admin"])));
    expect(answer.status).toBe(403);
    expect(answer.body.error.roles).toEqual(["Records.ReadWrite"]);
  });
});

describe("who gets in", () => {
  it("the health probe needs no token", async () => {
    expect((await api.send("GET", "health", undefined, { Authorization: "" })).status).toBe(200);
  });

  it("the CRM application with an app-only token and Records.ReadWrite reads and writes records", async () => {
    const crm = bearer(api.tokens.appToken(["Records.ReadWrite"]));
    expect((await api.send("GET", `emails?mailboxId=${mailbox.id}`, undefined, crm)).status).toBe(200);
    const created = await api.send("POST", "contacts", { ownerId: "owner-1", lastName: "Gu" }, crm);
    expect(created.status).toBe(201);
  });

  it("a user with Sync.Admin manages profiles; Monitor.Read reads status and alerts", async () => {
    expect((await api.send("GET", "profiles", undefined, bearer(api.tokens.userToken({ roles: ["Sync.Admin"] })))).status).toBe(200);
    const monitor = bearer(api.tokens.userToken({ roles: ["Monitor.Read"] }));
    expect((await api.send("GET", "mailboxes", undefined, monitor)).status).toBe(200);
    expect((await api.send("GET", "alerts", undefined, monitor)).status).toBe(200);
  });

  it("after the tenant rolls its signing key over, tokens signed with the new key are accepted (the keys are fetched again)", async () => {
    const fetched = api.tokens.keyFetches();
    api.tokens.issuer.rotate();
    const answer = await api.send("GET", "profiles", undefined, bearer(api.tokens.userToken({ roles: ["Sync.Admin"] })));
    expect(answer.status).toBe(200);
    expect(api.tokens.keyFetches()).toBe(fetched + 1);
    // Cached: the next request with the same key fetches nothing.
    await api.send("GET", "profiles", undefined, bearer(api.tokens.userToken({ roles: ["Sync.Admin"] })));
    expect(api.tokens.keyFetches()).toBe(fetched + 1);
  });
});

describe("approving an Exchange Online mailbox's address", () => {
  const [globalAdmin, exchangeAdmin] = tenantAdminDirectoryRoles.map((r) => r.templateId);
  const approve = (token: string) => api.send("POST", `mailboxes/${mailbox.id}/approve`, undefined, bearer(token));
  const approved = async () => (await h.mailbox(mailbox.id)).approved;

  it.each([
    ["Sync.Admin without Sync.Approver", () => api.tokens.userToken({ roles: ["Sync.Admin"] }), /app role Sync.Approver/],
    ["Sync.Approver without an admin directory role", () => api.tokens.userToken({ roles: ["Sync.Approver"], user: { name: "Lee", directoryRoles: [] } }), /Global Administrator or Exchange Administrator/],
    ["an application with Sync.Approver", () => api.tokens.appToken(["Sync.Approver"]), /an application cannot approve/],
  ])("is refused (403) for %s, and the mailbox stays unapproved", async (_, token, message) => {
    const answer = await approve(token());
    expect(answer.status).toBe(403);
    expect(answer.body.error.message).toMatch(message);
    expect(await approved()).toBe(false);
  });

  it("is refused for an administrator of another tenant than the mailbox's (its profile's own app registration)", async () => {
    const otherTenant = "0b5c1a2d-0000-4000-8000-0000000000aa";
    await h.runtime.profiles.put({ ...(await h.runtime.profiles.get("profile-1"))!, id: "other-tenant", credential: { kind: "clientSecret", tenantId: otherTenant, clientId: "5b1e7c0d-3a94-4f7b-8d21-6c9e0f4a2b37", secretSetting: "PROFILE_CREDENTIAL_OTHER" } });
    const put = await api.call("PUT", "mailboxes/mbx-other", { emailAddress: "other@fabrikam.example", profileId: "other-tenant", ownerType: "user", ownerId: "owner-other" });
    expect(put.status).toBe(201);
    const answer = await api.send("POST", "mailboxes/mbx-other/approve", undefined, bearer(api.tokens.userToken({ roles: ["Sync.Approver"] })));
    expect(answer.status).toBe(403);
    expect(answer.body.error.message).toContain(`mailbox is in tenant ${otherTenant}`);
    expect((await h.mailbox("mbx-other")).approved).toBe(false);
  });

  it("succeeds for an Exchange Administrator of the mailbox's tenant with Sync.Approver", async () => {
    const answer = await approve(api.tokens.userToken({ roles: ["Sync.Approver"], user: { name: "Exchange Admin", directoryRoles: [exchangeAdmin!] } }));
    expect(answer.status).toBe(200);
    expect(answer.body.approved).toBe(true);
    expect(await approved()).toBe(true);
    expect(globalAdmin).toBe("62e90394-69f5-4237-9190-012177145e10");
  });
});
