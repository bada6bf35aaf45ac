import { describe, expect, it } from "vitest";
import { judgePendingRow, pendingRowStaleMs, type PendingVerdict, type RecordNow } from "../../shared/domain/address-book-rows.js";
import {
  isActiveRecord,
  isEmailEnabledRecord,
  isLeadContactOrAccount,
  orderPartyRecords,
  recordAddresses,
  recordDisplayName,
  type PartyRecordRef,
} from "../../shared/domain/party-records.js";
import { contactNameFields, senderContactId } from "../../shared/storage/sender-contacts.js";

const ticket = { typeName: "ticket", addressFields: ["reporter", "watchers"], nameField: "title" };

describe("the addresses a record holds", () => {
  it.each<[string, string, unknown, string[]]>([
    ["contact emails, normalised and distinct", "contact", { emails: [{ address: " Pat@Fabrikam.example " }, { address: "pat@fabrikam.example" }, { address: "pk@fabrikam.example" }] }, ["pat@fabrikam.example", "pk@fabrikam.example"]],
    ["account emails", "account", { name: "Fabrikam", emails: [{ address: "info@fabrikam.example" }] }, ["info@fabrikam.example"]],
    ["lead emails", "lead", { emails: [{ address: "lee@litware.example" }], status: "open" }, ["lee@litware.example"]],
    ["a declared type: its address fields, single or lists", "ticket", { reporter: "Ann@x.example", watchers: ["b@x.example", "", null], title: "t", other: "c@x.example" }, ["ann@x.example", "b@x.example"]],
    ["an undeclared type holds none", "invoice", { reporter: "ann@x.example" }, []],
    ["appointments and tasks hold none", "appointment", { organizer: { address: "o@x.example" } }, []],
  ])("%s", (_name, type, fields, expected) => {
    expect(recordAddresses(type, fields, type === "ticket" ? ticket : undefined)).toEqual(expected);
  });
});

describe("the name an activity shows, and whether the record is active", () => {
  it.each<[string, unknown, string]>([
    ["contact", { firstName: "Pat", lastName: "Kim", emails: [] }, "Pat Kim"],
    ["contact", { emails: [{ address: "pat@fabrikam.example" }] }, "pat@fabrikam.example"],
    ["account", { name: "Fabrikam", emails: [] }, "Fabrikam"],
    ["lead", { company: "Litware", emails: [], status: "open" }, "Litware"],
    ["ticket", { title: "Printer on fire", reporter: "ann@x.example" }, "Printer on fire"],
  ])("%s %j → %s", (type, fields, name) => {
    expect(recordDisplayName(type, fields, type === "ticket" ? ticket : undefined)).toBe(name);
  });

  it("inactive contacts and accounts, qualified and disqualified leads are not active", () => {
    expect([isActiveRecord("contact", { status: "inactive" }), isActiveRecord("account", { status: "active" }), isActiveRecord("lead", { status: "open" }), isActiveRecord("lead", { status: "qualified" }), isActiveRecord("ticket", {})]).toEqual([false, true, true, false, true]);
  });
});

describe("track option classes", () => {
  it.each<[string, boolean, boolean]>([
    ["contact", true, true],
    ["account", true, true],
    ["lead", true, true],
    ["user", false, true],
    ["queue", false, true],
    ["ticket", false, true],
    ["invoice", false, false],
  ])("%s: from leads, contacts and accounts %s; from email-enabled records %s", (type, lca, enabled) => {
    expect(isLeadContactOrAccount({ type })).toBe(lca);
    expect(isEmailEnabledRecord({ type }, ["ticket"])).toBe(enabled);
  });
});

describe("the order of an address's records (Dynamics' sender resolution)", () => {
  const ref = (type: string, id: string, extra: Partial<PartyRecordRef> = {}): PartyRecordRef => ({ type, id, name: id, active: true, ...extra });
  it("user, contact, account, lead, queue, declared types; active before inactive; by id within a type", () => {
    const refs = [ref("ticket", "t1"), ref("queue", "q1"), ref("lead", "l1"), ref("account", "a1"), ref("contact", "c2"), ref("contact", "c1"), ref("contact", "c0", { active: false }), ref("user", "u1")];
    expect(orderPartyRecords(refs).map((r) => r.id)).toEqual(["u1", "c1", "c2", "a1", "l1", "q1", "t1", "c0"]);
  });
  it("the mailbox owner's own records come first", () => {
    const refs = [ref("contact", "c1", { ownerId: "someone" }), ref("account", "a1", { ownerId: "me" })];
    expect(orderPartyRecords(refs, "me").map((r) => r.id)).toEqual(["a1", "c1"]);
    expect(orderPartyRecords(refs).map((r) => r.id)).toEqual(["c1", "a1"]);
  });
});

describe("a pending address-book row, judged against the record as it is now", () => {
  const now = 1_000_000_000;
  const fresh = { version: 3, stagedAt: now - 1000 };
  const stale = { version: 3, stagedAt: now - pendingRowStaleMs - 1 };
  it.each<[string, { version: number; stagedAt: number }, RecordNow | undefined, PendingVerdict]>([
    ["the write finished and the record holds the address: confirm", fresh, { version: 3, holdsAddress: true }, { resolves: true, repair: "confirm" }],
    ["the write finished and the record dropped the address: drop", fresh, { version: 3, holdsAddress: false }, { resolves: false, repair: "drop" }],
    ["a later write passed it: decide by the record", fresh, { version: 5, holdsAddress: false }, { resolves: false, repair: "drop" }],
    ["the write is under way, the record still holds the address: resolves, keep", fresh, { version: 2, holdsAddress: true }, { resolves: true, repair: "keep" }],
    ["the write is under way, the address is new: not yet, keep", fresh, { version: 2, holdsAddress: false }, { resolves: false, repair: "keep" }],
    ["a create under way: not yet, keep", fresh, undefined, { resolves: false, repair: "keep" }],
    ["the write stopped long ago, the record holds the address: confirm", stale, { version: 2, holdsAddress: true }, { resolves: true, repair: "confirm" }],
    ["the write stopped long ago and never wrote the address: drop", stale, { version: 2, holdsAddress: false }, { resolves: false, repair: "drop" }],
    ["a create that stopped long ago, or a delete that did not settle: drop", stale, undefined, { resolves: false, repair: "drop" }],
  ])("%s", (_name, row, record, verdict) => {
    expect(judgePendingRow(row, record, now)).toEqual(verdict);
  });
});

describe("contacts made for unknown senders", () => {
  it("one id per owner and address, whatever the address's case", () => {
    expect(senderContactId("u1", "Pat@Fabrikam.example")).toBe(senderContactId("u1", "pat@fabrikam.example "));
    expect(senderContactId("u1", "pat@fabrikam.example")).not.toBe(senderContactId("u2", "pat@fabrikam.example"));
    expect(senderContactId("u1", "pat@fabrikam.example")).toMatch(/^[A-Za-z0-9._@-]{1,128}$/);
  });
  it.each<[string | undefined, object]>([
    ["Pat Kim", { firstName: "Pat", lastName: "Kim" }],
    ["Mary Ann  van Dijk", { firstName: "Mary Ann van", lastName: "Dijk" }],
    ["Support", { lastName: "Support" }],
    ["  ", {}],
    [undefined, {}],
  ])("display name %j → %j", (name, fields) => {
    expect(contactNameFields(name)).toEqual(fields);
  });
});
