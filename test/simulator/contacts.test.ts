/**
 * Contact folders and contacts through the real Graph client: CRUD in the default folder and in a
 * created folder, the CRM stamp filter, the folder delta (paging, $select, @removed) with changes
 * made through the control API, role checks and lost sync state.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectExchangeSimulator } from "../tools/exchange-simulator/index.js";
import { deltaRound, fixtureGraph, rawGraph, startFixture, tokenForNewApp, type SimulatorFixture } from "./simulator-fixture.js";

let f: SimulatorFixture;
let count = 0;
beforeAll(async () => {
  f = await startFixture({ roles: ["Contacts.ReadWrite"] });
});
afterAll(() => f.sim.close());

function newMailbox(): string {
  return f.sim.addMailbox({ tenantId: f.tenantId, address: `con${++count}@contoso.example`, displayName: `Con ${count}` }).address;
}

const stampId = "String {8f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b} Name CrmContactId";
const stamp = (value: string) => [{ id: stampId, value }];
const removed = (id: string) => ({ "@odata.type": "#microsoft.graph.contact", id, "@removed": { reason: "deleted" } });

describe("contacts", () => {
  it("round-trip create, get, update and delete in the default folder", async () => {
    const mailbox = newMailbox();
    const graph = fixtureGraph(f);
    const created = await graph.api(`/users/${mailbox}/contacts`).post({
      givenName: "Pavel",
      surname: "Bansky",
      emailAddresses: [{ address: "pavelb@fabrikam.example", name: "Pavel Bansky" }],
      businessPhones: ["+1 732 555 0102"],
      companyName: "Fabrikam",
      jobTitle: "Buyer",
      businessAddress: { street: "1 Main St", city: "Redmond", postalCode: "98052", countryOrRegion: "USA" },
      categories: ["CRM"],
      personalNotes: "Met at the fair",
      singleValueExtendedProperties: stamp("c-1"),
    });
    expect(created).toMatchObject({
      displayName: "Pavel Bansky",
      givenName: "Pavel",
      emailAddresses: [{ name: "Pavel Bansky", address: "pavelb@fabrikam.example" }],
      businessAddress: { street: "1 Main St", city: "Redmond", state: null, postalCode: "98052", countryOrRegion: "USA" },
      homeAddress: {},
      homePhones: [],
      mobilePhone: null,
      "@odata.etag": `W/"${created.changeKey}"`,
    });
    const folders = await graph.api(`/users/${mailbox}/contactFolders/contacts`).get();
    expect(folders).toMatchObject({ displayName: "Contacts", id: created.parentFolderId });

    const read = await graph
      .api(`/users/${mailbox}/contacts/${encodeURIComponent(created.id)}`)
      .select("displayName,companyName")
      .expand(`singleValueExtendedProperties($filter=id eq '${stampId}')`)
      .get();
    expect(Object.keys(read).filter((k) => !k.startsWith("@")).sort()).toEqual(["companyName", "displayName", "id", "singleValueExtendedProperties"]);
    expect(read.singleValueExtendedProperties).toEqual(stamp("c-1"));

    const patched = await graph.api(`/users/${mailbox}/contacts/${encodeURIComponent(created.id)}`).patch({ mobilePhone: "+1 555 0100", jobTitle: null });
    expect(patched).toMatchObject({ mobilePhone: "+1 555 0100", jobTitle: null, displayName: "Pavel Bansky" });
    expect(patched.changeKey).not.toBe(created.changeKey);

    await graph.api(`/users/${mailbox}/contacts/${encodeURIComponent(created.id)}`).delete();
    const gone = await rawGraph(f, `/users/${mailbox}/contacts/${encodeURIComponent(created.id)}`);
    expect([gone.status, gone.body.error.code]).toEqual([404, "ErrorItemNotFound"]);
  });

  it("live in created folders too, and are found by the CRM stamp", async () => {
    const mailbox = newMailbox();
    const graph = fixtureGraph(f);
    const folder = await graph.api(`/users/${mailbox}/contactFolders`).post({ displayName: "CRM" });
    expect(folder).toMatchObject({ displayName: "CRM", parentFolderId: expect.any(String) });
    const duplicate = await rawGraph(f, `/users/${mailbox}/contactFolders`, { method: "POST", body: { displayName: "crm" } });
    expect([duplicate.status, duplicate.body.error.code]).toEqual([409, "ErrorFolderExists"]);
    expect((await graph.api(`/users/${mailbox}/contactFolders`).get()).value.map((c: any) => c.displayName)).toEqual(["CRM"]);

    const inFolder = await graph.api(`/users/${mailbox}/contactFolders/${encodeURIComponent(folder.id)}/contacts`).post({ givenName: "Ann", singleValueExtendedProperties: stamp("c-2") });
    f.sim.createContact(mailbox, { givenName: "Bob", singleValueExtendedProperties: stamp("c-3") });
    expect(inFolder.parentFolderId).toBe(folder.id);
    const filter = (value: string) => `singleValueExtendedProperties/any(ep: ep/id eq '${stampId}' and ep/value eq '${value}')`;
    const found = await graph.api(`/users/${mailbox}/contactFolders/${encodeURIComponent(folder.id)}/contacts`).filter(filter("c-2")).get();
    expect(found.value.map((c: any) => c.id)).toEqual([inFolder.id]);
    expect((await graph.api(`/users/${mailbox}/contacts`).filter(filter("c-2")).get()).value).toEqual([]);
    expect((await graph.api(`/users/${mailbox}/contacts`).filter(filter("C-3")).get()).value.map((c: any) => c.givenName)).toEqual(["Bob"]);
    // GET by id looks in the whole mailbox.
    expect((await graph.api(`/users/${mailbox}/contacts/${encodeURIComponent(inFolder.id)}`).get()).givenName).toBe("Ann");
  });
});

describe("contact delta", () => {
  it("pages a folder, then reports creates, updates and deletes made in Outlook", async () => {
    const mailbox = newMailbox();
    const folderId = (await fixtureGraph(f).api(`/users/${mailbox}/contactFolders/contacts`).get()).id;
    const ids = ["A", "B", "C", "D", "E"].map((name) => String(f.sim.createContact(mailbox, { givenName: name }).id));
    const delta = `${f.sim.url}/v1.0/users/${mailbox}/contactFolders/${encodeURIComponent(folderId)}/contacts/delta?$select=displayName,givenName`;
    const first = await deltaRound(f, delta, { Prefer: "odata.maxpagesize=2" });
    expect(first.pages).toBe(3);
    expect(first.items.map((c) => c.id).sort()).toEqual([...ids].sort());
    expect(first.items[0]).toEqual({ "@odata.type": "#microsoft.graph.contact", "@odata.etag": expect.any(String), id: expect.any(String), displayName: expect.any(String), givenName: expect.any(String) });

    // Through the HTTP control API, as a test in another process would.
    const added = String((await connectExchangeSimulator(f.sim.url).createContact(mailbox, { givenName: "F" })).id);
    f.sim.updateContact(mailbox, ids[0]!, { givenName: "A2", displayName: "A2" });
    f.sim.deleteContact(mailbox, ids[1]!);
    const second = await deltaRound(f, first.deltaLink);
    const byId = new Map(second.items.map((c) => [c.id, c]));
    expect([...byId.keys()].sort()).toEqual([added, ids[0], ids[1]].sort());
    expect(byId.get(ids[0])).toMatchObject({ displayName: "A2", givenName: "A2" });
    expect(byId.get(ids[1])).toEqual(removed(ids[1]!));

    f.sim.evictDeltaTokens(mailbox);
    const lost = await rawGraph(f, second.deltaLink);
    expect([lost.status, lost.body.error.code]).toEqual([410, "SyncStateNotFound"]);
  });
});

describe("contact permissions", () => {
  it("need Contacts.Read to read and Contacts.ReadWrite to write", async () => {
    const mailbox = newMailbox();
    const reader = await tokenForNewApp(f, ["Contacts.Read"]);
    const others = await tokenForNewApp(f, ["Mail.ReadWrite", "Calendars.ReadWrite", "Tasks.ReadWrite.All"]);
    expect((await rawGraph(f, `/users/${mailbox}/contacts`, { token: reader.token })).status).toBe(200);
    const write = await rawGraph(f, `/users/${mailbox}/contacts`, { method: "POST", body: { givenName: "x" }, token: reader.token });
    expect([write.status, write.body.error.code]).toEqual([403, "ErrorAccessDenied"]);
    const folder = await rawGraph(f, `/users/${mailbox}/contactFolders`, { method: "POST", body: { displayName: "x" }, token: reader.token });
    expect(folder.status).toBe(403);
    for (const path of [`/users/${mailbox}/contacts`, `/users/${mailbox}/contactFolders/contacts/contacts/delta`]) {
      expect((await rawGraph(f, path, { token: others.token })).status).toBe(403);
    }
  });
});
