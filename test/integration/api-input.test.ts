/** What the API refuses, over real HTTP against Azurite: each 400 names the field, and nothing changes. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiServer } from "../support/api-server.js";
import { startSyncHarness, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  h = await startSyncHarness();
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
