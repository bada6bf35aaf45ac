/** Accounts, leads and declared email-enabled records over real HTTP against Azurite. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiServer } from "../support/api-server.js";
import { startSyncHarness, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  h = await startSyncHarness();
  api = await startApiServer(h.runtime);
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

const send = (...args: Parameters<Awaited<ReturnType<typeof startApiServer>>["send"]>) => api.send(...args);

const accountBody = (ownerId: string) => ({ ownerId, name: "Fabrikam", emails: [{ address: "info@fabrikam.example", name: "Fabrikam" }], phone: "+1 425 555 0100", website: "https://fabrikam.example", address: { city: "Redmond" } });
const leadBody = (ownerId: string) => ({ ownerId, firstName: "Lee", lastName: "Gu", company: "Litware", subject: "Volume pricing", emails: [{ address: "lee@litware.example" }] });
const collections = { account: "accounts", lead: "leads" } as const;
const bodies = { account: accountBody, lead: leadBody };
const changes = { account: { name: "Fabrikam Inc.", status: "inactive" }, lead: { status: "qualified", subject: "Signed" } };

describe.each(Object.keys(collections) as Array<keyof typeof collections>)("%s records", (type) => {
  const route = collections[type];

  it("POST creates (201, version 1, ETag); GET reads it; a GET result PUT back with changes is version 2; DELETE removes it", async () => {
    const created = await send("POST", route, bodies[type]("crud-owner"));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...bodies[type]("crud-owner"), type, version: 1 });
    expect(created.etag).toBe('"1"');
    const read = await send("GET", `${route}/${created.body.id}`);
    expect(read.body).toEqual(created.body);
    const replaced = await send("PUT", `${route}/${created.body.id}`, { ...read.body, ...changes[type] });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ ...changes[type], version: 2, createdAt: created.body.createdAt });
    expect(replaced.etag).toBe('"2"');
    expect((await send("DELETE", `${route}/${created.body.id}`)).status).toBe(204);
    expect((await send("GET", `${route}/${created.body.id}`)).status).toBe(404);
  });

  it("a stale version or If-Match is a 409 and changes nothing", async () => {
    const created = await send("POST", route, bodies[type]("occ-owner"));
    const id = created.body.id;
    expect((await send("PUT", `${route}/${id}`, { ...bodies[type]("occ-owner"), version: 1 })).status).toBe(200);
    expect((await send("PUT", `${route}/${id}`, { ...bodies[type]("occ-owner"), ...changes[type] }, { "If-Match": '"1"' })).status).toBe(409);
    expect((await send("DELETE", `${route}/${id}`, undefined, { "If-Match": '"1"' })).status).toBe(409);
    expect((await send("GET", `${route}/${id}`)).body.version).toBe(2);
  });

  it("pages through one owner's records with continuation tokens", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await send("POST", route, bodies[type](`pager-${type}`))).body.id);
    await send("POST", route, bodies[type]("someone-else"));
    const first = await send("GET", `${route}?ownerId=pager-${type}&pageSize=2`);
    expect(first.body.items).toHaveLength(2);
    const second = await send("GET", `${route}?ownerId=pager-${type}&pageSize=2&continuationToken=${encodeURIComponent(first.body.continuationToken)}`);
    expect(second.body.continuationToken).toBeNull();
    expect([...first.body.items, ...second.body.items].map((item: { id: string }) => item.id)).toEqual([...ids].sort());
    expect((await send("GET", route)).body.error.field).toBe("ownerId");
  });
});

describe("validation", () => {
  const owner = "val-owner";
  it.each<["accounts" | "leads", Record<string, unknown>, string]>([
    ["accounts", { ...accountBody(owner), name: " " }, "name"],
    ["accounts", { ...accountBody(owner), name: undefined }, "name"],
    ["accounts", { ...accountBody(owner), emails: [{ address: "nope" }] }, "emails.0.address"],
    ["accounts", { ...accountBody(owner), emails: ["a", "b", "c", "d"].map((l) => ({ address: `${l}@x.example` })) }, "emails"],
    ["accounts", { ...accountBody(owner), website: "javascript:alert(1)" }, "website"],
    ["accounts", { ...accountBody(owner), phone: "none" }, "phone"],
    ["accounts", { ...accountBody(owner), ownerId: undefined }, "ownerId"],
    ["accounts", { ...accountBody(owner), revenue: 5 }, "revenue"],
    ["leads", { ...leadBody(owner), status: "won" }, "status"],
    ["leads", { ownerId: owner, firstName: "Lee" }, "lastName"],
    ["leads", { ...leadBody(owner), emails: [{ address: "lee" }] }, "emails.0.address"],
  ])("%s: a bad body is a 400 naming the field, for POST and PUT, and changes nothing (%#)", async (route, body, field) => {
    const existing = (await send("POST", route, route === "accounts" ? accountBody(owner) : leadBody(owner))).body;
    const before = await send("GET", `${route}?ownerId=${owner}&pageSize=1000`);
    const created = await send("POST", route, body);
    expect(created.status).toBe(400);
    expect(created.body.error.field).toBe(field);
    const replaced = await send("PUT", `${route}/${existing.id}`, body);
    expect(replaced.status).toBe(400);
    expect(replaced.body.error.field).toBe(field);
    expect((await send("GET", `${route}?ownerId=${owner}&pageSize=1000`)).body).toEqual(before.body);
  });
});

describe("declared email-enabled types", () => {
  it.each<[unknown, string]>([
    [{ types: [{ typeName: "contact", addressFields: ["email"] }] }, "types.0.typeName"],
    [{ types: [{ typeName: "Ticket", addressFields: ["email"] }] }, "types.0.typeName"],
    [{ types: [{ typeName: "ticket", addressFields: [] }] }, "types.0.addressFields"],
    [{ types: [{ typeName: "ticket", addressFields: ["e-mail"] }] }, "types.0.addressFields.0"],
    [{ types: [{ typeName: "ticket", addressFields: ["ownerId"] }] }, "types.0.addressFields.0"],
    [{ types: [{ typeName: "ticket", addressFields: ["a"] }, { typeName: "ticket", addressFields: ["b"] }] }, "types"],
  ])("a bad declaration is a 400 naming the field and changes nothing (%#)", async (body, field) => {
    const before = await send("GET", "settings/email-enabled-types");
    const response = await send("PUT", "settings/email-enabled-types", body);
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe(field);
    // The answer, not its headers (a Date header may tick over between the two reads).
    expect((await send("GET", "settings/email-enabled-types")).body).toEqual(before.body);
  });

  it("records of a declared type: PUT creates (201) then replaces (200), addresses are validated, an undeclared type is 404", async () => {
    const types = [{ typeName: "partner", addressFields: ["email", "billingEmails"], nameField: "title" }];
    expect((await send("PUT", "settings/email-enabled-types", { types })).body).toEqual({ types });
    expect((await send("GET", "settings/email-enabled-types")).body).toEqual({ types });

    const record = { ownerId: "decl-owner", title: "Northwind", email: "hello@northwind.example", tier: { level: 2 } };
    const created = await send("PUT", "records/partner/northwind", record);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...record, id: "northwind", type: "partner", version: 1 });
    const replaced = await send("PUT", "records/partner/northwind", { ...record, billingEmails: ["ap@northwind.example"] }, { "If-Match": '"1"' });
    expect(replaced.status).toBe(200);
    expect(replaced.body.version).toBe(2);
    expect((await send("PUT", "records/partner/northwind", record, { "If-Match": '"1"' })).status).toBe(409);
    expect((await send("GET", "records/partner?ownerId=decl-owner")).body.items.map((r: { id: string }) => r.id)).toEqual(["northwind"]);

    const badAddress = await send("PUT", "records/partner/other", { ownerId: "decl-owner", email: "not-an-address" });
    expect(badAddress.status).toBe(400);
    expect(badAddress.body.error.field).toBe("email");
    const badField = await send("PUT", "records/partner/other", { ownerId: "decl-owner", "bad field": 1 });
    expect(badField.body.error.field).toBe("bad field");
    expect((await send("GET", "records/partner/other")).status).toBe(404);
    expect((await send("PUT", "records/invoice/i1", { ownerId: "decl-owner" })).status).toBe(404);
    expect((await send("GET", "records/contact/x")).status).toBe(404);

    expect((await send("DELETE", "records/partner/northwind", undefined, { "If-Match": '"2"' })).status).toBe(204);
    expect((await send("GET", "records/partner/northwind")).status).toBe(404);
  });
});
