/** What the API refuses, over real HTTP against Azurite: each 400 names the field, and nothing changes. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newProfile } from "../../shared/domain/profile.js";
import { startApiServer } from "../support/api-server.js";
import { startSyncHarness, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  h = await startSyncHarness({ env: { PROFILE_CREDENTIAL_CONTOSO: "harness-secret-value" } });
  api = await startApiServer(h.runtime);
  await h.addMailbox("ann");
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

function expectRefused(response: { status: number; body: any }, field: string, message?: RegExp) {
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  expect(response.body.error.field).toBe(field);
  if (message) expect(response.body.error.message).toMatch(message);
}

describe("the field a 400 names", () => {
  const badId = encodeURIComponent("not an id!");
  it.each([
    ["GET", `profiles/${badId}`, "id"],
    ["DELETE", `profiles/${badId}`, "id"],
    ["GET", `mailboxes/${badId}`, "id"],
    ["POST", `mailboxes/${badId}/approve`, "id"],
    ["GET", `contacts/${badId}`, "id"],
    ["GET", `emails/${badId}`, "id"],
    ["POST", `emails/${badId}/send`, "id"],
    ["GET", `sync-filters/${badId}`, "ownerId"],
    ["PUT", `sync-filters/${badId}/task`, "ownerId"],
    ["PUT", "sync-filters/owner-1/email", "recordType"],
  ])("%s %s: a bad route parameter is named", async (method, route, field) => {
    expectRefused(await api.call(method, route, method === "PUT" ? { enabled: true } : undefined), field, new RegExp(`^Invalid route parameter '${field}'`));
  });

  it.each([
    ["PUT", "profiles/p1", { name: "P", colour: "blue" }, "colour"],
    ["PUT", "mailboxes/m1", { emailAddress: "m1@contoso.example", profileId: "profile-1", syncMethods: { incoming: "None", calendar: "None" } }, "syncMethods.calendar"],
    ["POST", "contacts", { ownerId: "o1", firstName: "Pat", nickname: "P", twitter: "@p" }, "nickname"],
    ["PUT", "settings", { requireApprovedMailboxes: true, theme: "dark" }, "theme"],
  ])("%s %s: an unknown key is named", async (method, route, body, field) => {
    expectRefused(await api.call(method, route, body), field, /is not a field of this request/);
  });

  it("a body that is not an object is still the body", async () => {
    expectRefused(await api.call("PUT", "profiles/p1", [1, 2]), "(body)");
  });
});

describe("text fields", () => {
  it.each([
    ["POST", "contacts", { ownerId: "text-owner", firstName: "\u0000" }, "firstName", /control character U\+0000/],
    ["POST", "contacts", { ownerId: "text-owner", lastName: "Kim", company: "Fabrikam\u001b[0m" }, "company", /U\+001B/],
    ["POST", "tasks", { ownerId: "text-owner", subject: "Call\u0007back" }, "subject", /U\+0007/],
    ["POST", "appointments", { ownerId: "text-owner", subject: "Review", location: "Room\u0085", start: { dateTime: "2026-07-01T09:00:00", timeZone: "UTC" }, end: { dateTime: "2026-07-01T10:00:00", timeZone: "UTC" } }, "location", /U\+0085/],
    ["PUT", "profiles/text-profile", { name: "\u001b" }, "name", /U\+001B/],
    ["PUT", "mailboxes/text-mailbox", { emailAddress: "t@contoso.example", profileId: "profile-1", ownerId: "owner\u0000" }, "ownerId", /U\+0000/],
    ["POST", "emails", { senderMailboxId: "mbx-ann", to: [{ address: "pat@fabrikam.example" }], subject: "Quote \uD800" }, "subject", /lone surrogate U\+D800/],
    ["POST", "emails", { senderMailboxId: "mbx-ann", to: [{ address: "pat@fabrikam.example", name: "Pat\u0000" }] }, "to.0.name", /U\+0000/],
  ])("%s %s with a control character or lone surrogate is refused (%#)", async (method, route, body, field, message) => {
    expectRefused(await api.call(method, route, body), field, message);
  });

  it("nothing was created by the refused requests", async () => {
    for (const collection of ["contacts", "tasks", "appointments"]) expect((await api.call("GET", `${collection}?ownerId=text-owner`)).body.items).toEqual([]);
    expect((await api.call("GET", "profiles/text-profile")).status).toBe(404);
    expect((await api.call("GET", "mailboxes/text-mailbox")).status).toBe(404);
  });

  it("tabs, line breaks and any Unicode character are text", async () => {
    const created = await api.call("POST", "contacts", { ownerId: "text-owner-2", firstName: "Zoë 😀", businessAddress: { street: "Line 1\r\nLine 2\tc/o" } });
    expect(created.status).toBe(201);
    expect(created.body.businessAddress.street).toBe("Line 1\r\nLine 2\tc/o");
  });
});

describe("the app setting a profile's credential names", () => {
  const credential = (extra: Record<string, string>) => ({ kind: "clientSecret", tenantId: h.tenantId, clientId: h.clientId, ...extra });

  it.each<[Record<string, string>, string]>([
    [{ secretSetting: "HOME" }, "credential.secretSetting"],
    [{ secretSetting: "GRAPH_CLIENT_SECRET" }, "credential.secretSetting"],
    [{ secretSetting: "PROFILE_CREDENTIAL_" }, "credential.secretSetting"],
    [{ secretSetting: "profile_credential_contoso" }, "credential.secretSetting"],
    [{ kind: "certificate", certificateSetting: "SyncStorage" }, "credential.certificateSetting"],
  ])("%j is refused: only PROFILE_CREDENTIAL_* settings hold profile credentials", async (extra, field) => {
    expectRefused(await api.call("PUT", "profiles/other-app", { name: "Other app", credential: credential(extra) }), field, /PROFILE_CREDENTIAL_/);
    expect((await api.call("GET", "profiles/other-app")).status).toBe(404);
  });

  it("a PROFILE_CREDENTIAL_* setting that exists is accepted, and the profile's mailboxes sync with it", async () => {
    expect((await api.call("PUT", "profiles/other-app", { name: "Other app", credential: credential({ secretSetting: "PROFILE_CREDENTIAL_CONTOSO" }) })).status).toBe(201);
    const mailbox = await h.addMailbox("own-app");
    expect((await api.call("PUT", `mailboxes/${mailbox.id}`, { emailAddress: mailbox.address, profileId: "other-app" })).status).toBe(200);
    expect((await h.runIncoming(mailbox.id)).outcome).not.toBe("failed");
  });

  it("a profile stored before the rule that names another setting fails with CredentialsInvalid instead of using that setting", async () => {
    await h.runtime.profiles.put(newProfile({ id: "old-profile", name: "Old", credential: credential({ secretSetting: "GRAPH_CLIENT_SECRET" }) as never }, h.runtime.now()));
    const mailbox = await h.addMailbox("old-profile-user");
    expect((await api.call("PUT", `mailboxes/${mailbox.id}`, { emailAddress: mailbox.address, profileId: "old-profile" })).status).toBe(200);
    expect(await h.runIncoming(mailbox.id)).toMatchObject({ outcome: "failed", errorCode: "MissingSetting" });
    const alerts = (await api.call("GET", "alerts?profileId=old-profile")).body.items;
    expect(alerts.map((a: { code: string }) => a.code)).toContain("CredentialsInvalid");
  });
});
