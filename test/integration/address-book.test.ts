/**
 * The address book against Azurite: every address of every email-enabled record resolves to its
 * records, kept in step by every write (API or repository), healing after a write stopped half-way.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pendingRowStaleMs } from "../../shared/domain/address-book-rows.js";
import type { ActRecord, ActFieldsByType } from "../../shared/domain/act-records.js";
import { ActRecordRepository } from "../../shared/storage/act-record-repository.js";
import { AddressBook } from "../../shared/storage/address-book.js";
import { AddressBookIndex, type RecordAddressIndex } from "../../shared/storage/address-book-index.js";
import { LargeTextStore } from "../../shared/storage/large-text-store.js";
import { createContactForSender } from "../../shared/storage/sender-contacts.js";
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

const call = (method: string, route: string, body?: unknown) => api.call(method, route, body);

async function resolve(...addresses: string[]) {
  const response = await call("POST", "address-book/resolve", { addresses });
  expect(response.status).toBe(200);
  return Object.fromEntries(response.body.items.map((item: { address: string; records: Array<{ type: string; id: string }> }) => [item.address, item.records.map((r) => `${r.type}:${r.id}`)]));
}

describe("resolving addresses", () => {
  it("an address on a contact, an account, a lead and a user's mailbox resolves to all four, in Dynamics' order, whatever its case", async () => {
    await call("PUT", "mailboxes/mbx-sam", { emailAddress: "sam@shared.example", profileId: "profile-1", ownerId: "user-sam" });
    const contact = (await call("POST", "contacts", { ownerId: "owner-a", firstName: "Sam", emails: [{ address: "Sam@Shared.example" }] })).body;
    const account = (await call("POST", "accounts", { ownerId: "owner-a", name: "Shared Ltd", emails: [{ address: "sam@shared.example" }] })).body;
    const lead = (await call("POST", "leads", { ownerId: "owner-b", lastName: "Sam", emails: [{ address: "sam@shared.example" }] })).body;
    await call("PUT", "mailboxes/mbx-desk", { emailAddress: "desk@shared.example", profileId: "profile-1", ownerType: "queue", ownerId: "queue-desk", syncMethods: { act: "None" } });

    expect(await resolve(" SAM@shared.example", "desk@shared.example", "stranger@nowhere.example")).toEqual({
      "sam@shared.example": ["user:user-sam", `contact:${contact.id}`, `account:${account.id}`, `lead:${lead.id}`],
      "desk@shared.example": ["queue:queue-desk"],
      "stranger@nowhere.example": [],
    });
    // The mailbox owner's own records first, as Dynamics resolves a sender.
    const asOwnerB = await call("POST", "address-book/resolve", { addresses: ["sam@shared.example"], ownerId: "owner-b" });
    expect(asOwnerB.body.items[0].records[0]).toMatchObject({ type: "lead", id: lead.id, name: "Sam", ownerId: "owner-b", active: true });

    const refs = (await h.runtime.addressBook.resolve(["sam@shared.example"])).get("sam@shared.example")!;
    expect(refs.find((r) => r.type === "user")).toMatchObject({ id: "user-sam", mailboxId: "mbx-sam" });
    expect((await call("POST", "address-book/resolve", { addresses: [] })).body.error.field).toBe("addresses");
  });

  it("changing a record's addresses moves it in the index; deleting it removes it; a changed name shows", async () => {
    const created = (await call("POST", "accounts", { ownerId: "owner-c", name: "Tailspin", emails: [{ address: "old@tailspin.example" }] })).body;
    expect(await resolve("old@tailspin.example")).toEqual({ "old@tailspin.example": [`account:${created.id}`] });
    await call("PUT", `accounts/${created.id}`, { ownerId: "owner-d", name: "Tailspin Toys", emails: [{ address: "new@tailspin.example" }] });
    expect(await resolve("old@tailspin.example", "new@tailspin.example")).toEqual({ "old@tailspin.example": [], "new@tailspin.example": [`account:${created.id}`] });
    const [ref] = (await h.runtime.addressBook.resolve(["new@tailspin.example"])).get("new@tailspin.example")!;
    expect(ref).toMatchObject({ name: "Tailspin Toys", ownerId: "owner-d" });
    await call("DELETE", `accounts/${created.id}`);
    expect(await resolve("new@tailspin.example")).toEqual({ "new@tailspin.example": [] });
  });

  it("contacts the ACT engine writes through the repository are indexed too", async () => {
    const record: ActRecord<"contact"> = { type: "contact", id: "from-exchange-1", ownerId: "owner-e", version: 1, createdAt: "2026-01-01T00:00:00.000Z", modifiedAt: "2026-01-01T00:00:00.000Z", fields: { firstName: "Ex", emails: [{ address: "ex@exchange.example" }], status: "active" } };
    await h.runtime.actRecords.create(record);
    expect(await resolve("ex@exchange.example")).toEqual({ "ex@exchange.example": ["contact:from-exchange-1"] });
  });

  it("records of a declared type resolve by their address fields, and stop resolving when the type is no longer declared", async () => {
    await call("PUT", "settings/email-enabled-types", { types: [{ typeName: "vendor", addressFields: ["email", "invoices"], nameField: "title" }] });
    await call("PUT", "records/vendor/v1", { ownerId: "owner-f", title: "Contoso Supplies", email: "sales@supplies.example", invoices: ["ap@supplies.example"] });
    expect(await resolve("sales@supplies.example", "ap@supplies.example")).toEqual({ "sales@supplies.example": ["vendor:v1"], "ap@supplies.example": ["vendor:v1"] });
    expect((await h.runtime.addressBook.resolve(["ap@supplies.example"])).get("ap@supplies.example")![0]!.name).toBe("Contoso Supplies");
    expect(await h.runtime.addressBook.emailEnabledTypes()).toEqual(["user", "contact", "account", "lead", "queue", "vendor"]);
    await call("PUT", "settings/email-enabled-types", { types: [] });
    expect(await resolve("sales@supplies.example")).toEqual({ "sales@supplies.example": [] });
  });
});

describe("a write that stops half-way heals", () => {
  /** A repository over the same storage whose address index fails as told. */
  function repositoryWith(failure: "afterMarking" | "beforeSettling", now = () => Date.now()) {
    const real = new AddressBookIndex(h.runtime.storage, h.runtime.emailEnabledTypes, now);
    const crashing: RecordAddressIndex = {
      async stage(change) {
        const staged = await real.stage(change);
        if (failure === "afterMarking") throw new Error("crash after marking");
        return staged && { settle: async () => undefined };
      },
    };
    return new ActRecordRepository(h.runtime.storage, new LargeTextStore(h.runtime.storage), now, crashing);
  }
  const contact = (id: string, addresses: string[]): ActRecord<"contact"> => ({ type: "contact", id, ownerId: "owner-h", version: 1, createdAt: "2026-01-01T00:00:00.000Z", modifiedAt: "2026-01-01T00:00:00.000Z", fields: { lastName: id, emails: addresses.map((address) => ({ address })), status: "active" } as ActFieldsByType["contact"] });
  const rowStates = async (address: string) => {
    const index = new AddressBookIndex(h.runtime.storage, h.runtime.emailEnabledTypes, Date.now);
    return (await index.rowsOf(address)).records.map((row) => row.state);
  };

  it("a crash after the record was written, before the index settled: the new address resolves, the old one does not, and the rows are repaired", async () => {
    await h.runtime.actRecords.create(contact("half-1", ["keep@half.example", "drop@half.example"]));
    const current = (await h.runtime.actRecords.get("contact", "half-1"))!;
    await repositoryWith("beforeSettling").update({ ...current.record, fields: { ...current.record.fields, emails: [{ address: "keep@half.example" }, { address: "add@half.example" }] } });
    expect(await rowStates("drop@half.example")).toEqual(["pending"]);
    expect(await resolve("keep@half.example", "drop@half.example", "add@half.example")).toEqual({ "keep@half.example": ["contact:half-1"], "drop@half.example": [], "add@half.example": ["contact:half-1"] });
    expect(await rowStates("drop@half.example")).toEqual([]);
    expect(await rowStates("add@half.example")).toEqual(["confirmed"]);
  });

  it("a crash after marking, before the record was written: the record as it is decides, and the marks are dropped once stale", async () => {
    await h.runtime.actRecords.create(contact("half-2", ["was@half.example"]));
    const current = (await h.runtime.actRecords.get("contact", "half-2"))!;
    await expect(repositoryWith("afterMarking").update({ ...current.record, fields: { ...current.record.fields, emails: [{ address: "never@half.example" }] } })).rejects.toThrow(/crash/);
    expect(await resolve("was@half.example", "never@half.example")).toEqual({ "was@half.example": ["contact:half-2"], "never@half.example": [] });
    // Still pending: from here it could be a write under way.
    expect(await rowStates("never@half.example")).toEqual(["pending"]);
    const later = new AddressBook(new AddressBookIndex(h.runtime.storage, h.runtime.emailEnabledTypes, Date.now), h.runtime.emailEnabledTypes, { record: async (type, id) => (await h.runtime.declaredRecords.get(type, id))?.record, mailbox: async () => undefined }, () => Date.now() + pendingRowStaleMs + 60_000);
    expect((await later.resolve(["never@half.example", "was@half.example"])).get("was@half.example")!.map((r) => r.id)).toEqual(["half-2"]);
    expect(await rowStates("never@half.example")).toEqual([]);
    expect(await rowStates("was@half.example")).toEqual(["confirmed"]);
  });

  it("a crash in a delete after marking leaves the record resolving; after the delete, it does not", async () => {
    await h.runtime.actRecords.create(contact("half-3", ["gone@half.example"]));
    await expect(repositoryWith("afterMarking").remove("contact", "half-3")).rejects.toThrow(/crash/);
    expect(await resolve("gone@half.example")).toEqual({ "gone@half.example": ["contact:half-3"] });
    await repositoryWith("beforeSettling").remove("contact", "half-3");
    expect(await resolve("gone@half.example")).toEqual({ "gone@half.example": [] });
  });

  it("concurrent writers of one record leave the index as the last write left the record", async () => {
    await h.runtime.actRecords.create(contact("race-1", ["r0@race.example"]));
    const base = (await h.runtime.actRecords.get("contact", "race-1"))!.record;
    const candidates = ["r1", "r2", "r3", "r4", "r5"].map((l) => `${l}@race.example`);
    await Promise.all(candidates.map((address) => h.runtime.actRecords.update({ ...base, fields: { ...base.fields, emails: [{ address }] } })));
    const final = (await h.runtime.actRecords.get("contact", "race-1"))!.record;
    const held = final.fields.emails.map((e) => e.address);
    const resolved = await resolve("r0@race.example", ...candidates);
    for (const address of ["r0@race.example", ...candidates]) expect(resolved[address], address).toEqual(held.includes(address) ? ["contact:race-1"] : []);
  });
});

describe("automatically created contacts", () => {
  it("one contact per owner and sender however often (and however concurrently) it is asked for; it resolves", async () => {
    const sender = { ownerId: "owner-g", address: "Newcomer@Startup.example", name: "Nia Newcomer" };
    const results = await Promise.all([1, 2, 3].map(() => createContactForSender(h.runtime.actRecords, sender, Date.now())));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.contact.id)).size).toBe(1);
    expect(results[0]!.contact.fields).toMatchObject({ firstName: "Nia", lastName: "Newcomer", emails: [{ address: "newcomer@startup.example", name: "Nia Newcomer" }] });
    expect((await createContactForSender(h.runtime.actRecords, sender, Date.now())).created).toBe(false);
    expect((await call("GET", `contacts?ownerId=owner-g`)).body.items).toHaveLength(1);
    expect(await resolve("newcomer@startup.example")).toEqual({ "newcomer@startup.example": [`contact:${results[0]!.contact.id}`] });
  });
});
