/**
 * Track options per mailbox owner, parties' records, Sent Items, "automatically create records"
 * and one activity for several owners — through the API, the simulator and incoming cycles
 * against Azurite.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrackOption } from "../../shared/domain/tracking/track-options.js";
import { senderContactId } from "../../shared/storage/sender-contacts.js";
import { startApiServer, type ApiServer } from "../support/api-server.js";
import { allEmails, startSyncHarness, type HarnessMailbox, type SyncHarness } from "../support/sync-harness.js";
import { activityOf, messageId, sendCrmEmail, setTracking } from "../support/tracking-fixtures.js";

let h: SyncHarness;
let api: ApiServer;

beforeAll(async () => {
  h = await startSyncHarness();
  api = await startApiServer(h.runtime);
  // Known correspondents: a contact, an account sharing the contact's address, a lead, and a record of a declared type.
  expect((await api.call("POST", "contacts", { ownerId: "owner-crm", firstName: "Dana", lastName: "Reyes", emails: [{ address: "dana@fabrikam.example" }], status: "active" })).status).toBe(201);
  expect((await api.call("POST", "accounts", { ownerId: "owner-crm", name: "Fabrikam", emails: [{ address: "dana@fabrikam.example" }] })).status).toBe(201);
  expect((await api.call("POST", "leads", { ownerId: "owner-crm", lastName: "Gu", company: "Litware", emails: [{ address: "lee@litware.example" }] })).status).toBe(201);
  expect((await api.call("PUT", "settings/email-enabled-types", { types: [{ typeName: "vendor", addressFields: ["email"], nameField: "title" }] })).status).toBe(200);
  expect((await api.call("PUT", "records/vendor/northwind", { ownerId: "owner-crm", title: "Northwind", email: "sales@northwind.example" })).status).toBe(201);
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

async function ownerWith(localPart: string, trackOption: TrackOption | null, autoCreateRecords = false): Promise<HarnessMailbox> {
  const mailbox = await h.addMailbox(localPart, { outgoing: true });
  const put = await api.call("PUT", `mailboxes/${mailbox.id}/tracking`, { trackOption, autoCreateRecords });
  expect(put.status).toBe(200);
  return mailbox;
}

function receive(mailbox: HarnessMailbox, from: { address: string; name?: string }, extra: Record<string, unknown> = {}) {
  const internetMessageId = messageId("received");
  h.sim.deliverMessage({ mailbox: mailbox.address, internetMessageId, subject: "Hello", from, to: [{ address: mailbox.address }], ...extra });
  return internetMessageId;
}

describe("GET/PUT /api/mailboxes/{id}/tracking", () => {
  it("shows the organization default until the owner chooses; bad input is a 400 naming the field and changes nothing", async () => {
    const mailbox = await h.addMailbox("options");
    expect((await api.call("GET", `mailboxes/${mailbox.id}/tracking`)).body).toMatchObject({
      mailboxId: mailbox.id, ownerId: mailbox.id, trackOption: null, effectiveTrackOption: "responsesToCrmEmail", autoCreateRecords: false,
    });
    const put = await api.call("PUT", `mailboxes/${mailbox.id}/tracking`, { trackOption: "fromLeadsContactsAccounts", autoCreateRecords: true });
    expect(put.body).toMatchObject({ trackOption: "fromLeadsContactsAccounts", effectiveTrackOption: "fromLeadsContactsAccounts", autoCreateRecords: true });
    for (const [body, field] of [
      [{ trackOption: "everything" }, "trackOption"],
      [{ autoCreateRecords: "yes" }, "autoCreateRecords"],
      [{ trackOption: "all", colour: "red" }, "colour"],
    ] as const) {
      const refused = await api.call("PUT", `mailboxes/${mailbox.id}/tracking`, body);
      expect(refused.status).toBe(400);
      expect(refused.body.error.field).toBe(field);
    }
    expect((await api.call("GET", `mailboxes/${mailbox.id}/tracking`)).body).toMatchObject({ trackOption: "fromLeadsContactsAccounts", autoCreateRecords: true });
    expect((await api.call("GET", "mailboxes/nobody/tracking")).status).toBe(404);
    // Back to the organization default.
    expect((await api.call("PUT", `mailboxes/${mailbox.id}/tracking`, { trackOption: null })).body).toMatchObject({ trackOption: null, effectiveTrackOption: "responsesToCrmEmail", autoCreateRecords: false });
  });
});

describe("track options", () => {
  it("all: every received message, why it was tracked shown in the list and the detail", async () => {
    const mailbox = await ownerWith("everything", "all");
    const id = receive(mailbox, { address: "stranger@example.org" });
    const report = await h.runIncoming(mailbox.id);
    expect(report.counts).toEqual({ tracked: 1, untracked: 0 });
    expect(await activityOf(h, id)).toMatchObject({ trackedReason: "allEmail" });
    expect((await api.call("GET", `emails?mailboxId=${mailbox.id}`)).body.items).toEqual([expect.objectContaining({ trackedReason: "allEmail" })]);
  });

  it("fromLeadsContactsAccounts: mail from a contact, account or lead; not from a declared type's record or a stranger", async () => {
    const mailbox = await ownerWith("known", "fromLeadsContactsAccounts");
    const ids = {
      contactAndAccount: receive(mailbox, { address: "Dana@Fabrikam.example", name: "Dana" }),
      lead: receive(mailbox, { address: "lee@litware.example" }),
      vendor: receive(mailbox, { address: "sales@northwind.example" }),
      stranger: receive(mailbox, { address: "stranger@example.org" }),
    };
    expect((await h.runIncoming(mailbox.id)).counts).toEqual({ tracked: 2, untracked: 2 });
    const dana = await activityOf(h, ids.contactAndAccount);
    expect(dana?.trackedReason).toBe("fromLeadContactAccount");
    // An address on two records resolves to both; the From party stands for the first (contact before account).
    expect(dana?.from?.records?.map((r) => r.type)).toEqual(["contact", "account"]);
    expect(dana?.from?.records?.[1]).toMatchObject({ type: "account", name: "Fabrikam", ownerId: "owner-crm" });
    expect((await activityOf(h, ids.lead))?.from?.records).toEqual([expect.objectContaining({ type: "lead", name: "Gu" })]);
    expect(await activityOf(h, ids.vendor)).toBeUndefined();
    expect(await activityOf(h, ids.stranger)).toBeUndefined();
  });

  it("fromEmailEnabledRecords: any email-enabled record, declared types included", async () => {
    const mailbox = await ownerWith("enabled", "fromEmailEnabledRecords");
    const vendor = receive(mailbox, { address: "sales@northwind.example" });
    const stranger = receive(mailbox, { address: "stranger@example.org" });
    await h.runIncoming(mailbox.id);
    expect(await activityOf(h, vendor)).toMatchObject({ trackedReason: "fromEmailEnabledRecord", from: { records: [{ type: "vendor", id: "northwind", name: "Northwind" }] } });
    expect(await activityOf(h, stranger)).toBeUndefined();
  });

  it("none: not even a reply to CRM mail, but the CRM's own email is an activity", async () => {
    const mailbox = await ownerWith("nothing", "none");
    // A party the caller named a record for keeps it and is not resolved; the others are.
    const sent = await sendCrmEmail(h, api, mailbox, { to: [{ address: "dana@fabrikam.example" }], cc: [{ address: "lee@litware.example", partyId: "lead-chosen" }], subject: "Offer" });
    const reply = receive(mailbox, { address: "dana@fabrikam.example" }, { subject: `RE: ${sent.subject}`, inReplyTo: sent.internetMessageId });
    const contact = receive(mailbox, { address: "dana@fabrikam.example" });
    await h.runIncoming(mailbox.id);
    expect(await activityOf(h, reply)).toBeUndefined();
    expect(await activityOf(h, contact)).toBeUndefined();
    expect((await allEmails(h.runtime, mailbox.id)).map((e) => e.id)).toEqual([sent.id]);
    const record = (await api.call("GET", `emails/${sent.id}`)).body;
    expect(record).toMatchObject({ trackedReason: "sentFromCrm", to: [{ address: "dana@fabrikam.example", records: [{ type: "contact" }, { type: "account" }] }] });
    expect(record.cc).toEqual([{ address: "lee@litware.example", partyId: "lead-chosen" }]);
  });

  it("an option changed takes effect for mail processed afterwards", async () => {
    const mailbox = await ownerWith("changing", "none");
    const before = receive(mailbox, { address: "stranger@example.org" });
    await h.runIncoming(mailbox.id);
    await api.call("PUT", `mailboxes/${mailbox.id}/tracking`, { trackOption: "all" });
    const after = receive(mailbox, { address: "stranger@example.org" });
    await h.runIncoming(mailbox.id);
    expect(await activityOf(h, before)).toBeUndefined();
    expect(await activityOf(h, after)).toMatchObject({ trackedReason: "allEmail" });
  });
});

describe("Sent Items", () => {
  it("off (the default): mail the owner sent from Outlook is not tracked, even under all; CRM email is", async () => {
    const mailbox = await ownerWith("outlook", "all");
    const outlook = messageId("outlook");
    h.sim.deliverMessage({ mailbox: mailbox.address, folder: "sentitems", internetMessageId: outlook, subject: "From Outlook", from: { address: mailbox.address }, to: [{ address: "dana@fabrikam.example" }] });
    const crm = await sendCrmEmail(h, api, mailbox, { to: [{ address: "dana@fabrikam.example" }], subject: "From the CRM" });
    expect(await activityOf(h, outlook)).toBeUndefined();
    expect((await allEmails(h.runtime, mailbox.id)).map((e) => e.id)).toEqual([crm.id]);
  });

  it("on: sent mail goes through the option with the recipients as the correspondent, direction Outgoing", async () => {
    await setTracking(h, { autoTrackSentFolderItems: true });
    try {
      const mailbox = await ownerWith("autosent", "fromLeadsContactsAccounts");
      const toContact = messageId("to-contact");
      const toStranger = messageId("to-stranger");
      h.sim.deliverMessage({ mailbox: mailbox.address, folder: "sentitems", internetMessageId: toContact, subject: "Hi Dana", from: { address: mailbox.address }, to: [{ address: "dana@fabrikam.example" }] });
      h.sim.deliverMessage({ mailbox: mailbox.address, folder: "sentitems", internetMessageId: toStranger, subject: "Hi", from: { address: mailbox.address }, to: [{ address: "stranger@example.org" }] });
      await h.runIncoming(mailbox.id);
      expect(await activityOf(h, toContact)).toMatchObject({ trackedReason: "fromLeadContactAccount", direction: "Outgoing" });
      expect(await activityOf(h, toStranger)).toBeUndefined();
    } finally {
      await setTracking(h, { autoTrackSentFolderItems: false });
    }
  });
});

describe("one activity for several owners", () => {
  it.each([
    ["the narrower owner's mailbox synced first", true],
    ["the tracking owner's mailbox synced first", false],
  ])("tracked by one owner, received by another with option none: one activity, both mailboxes (%s)", async (_name, narrowFirst) => {
    const tracker = await ownerWith(`tracker${narrowFirst ? 1 : 2}`, "all");
    const narrow = await ownerWith(`narrow${narrowFirst ? 1 : 2}`, "none");
    const internetMessageId = messageId("shared");
    for (const mailbox of [tracker, narrow]) {
      h.sim.deliverMessage({ mailbox: mailbox.address, internetMessageId, subject: "Team offsite", from: { address: "stranger@example.org" }, to: [{ address: tracker.address }, { address: narrow.address }] });
    }
    for (const mailbox of narrowFirst ? [narrow, tracker] : [tracker, narrow]) await h.runIncoming(mailbox.id);
    const activity = await activityOf(h, internetMessageId);
    expect(activity?.mailboxes.map((m) => m.mailboxId).sort()).toEqual([tracker.id, narrow.id].sort());
    expect((await allEmails(h.runtime, narrow.id)).map((e) => e.id)).toEqual([activity!.id]);
    expect((await allEmails(h.runtime, tracker.id)).map((e) => e.id)).toEqual([activity!.id]);
  });
});

describe("automatically create records", () => {
  it("on: an unknown sender of tracked mail gets a contact owned by the mailbox owner, once; off: none", async () => {
    const creating = await ownerWith("creating", "all", true);
    const first = receive(creating, { address: "New.Person@example.org", name: "New Person" });
    const second = receive(creating, { address: "new.person@example.org" });
    await h.runIncoming(creating.id);
    const contactId = senderContactId(creating.id, "new.person@example.org");
    const contact = await h.runtime.actRecords.get("contact", contactId);
    expect(contact?.record).toMatchObject({ ownerId: creating.id, fields: { firstName: "New", lastName: "Person", emails: [{ address: "new.person@example.org" }] } });
    for (const id of [first, second]) expect((await activityOf(h, id))?.from?.records).toEqual([{ type: "contact", id: contactId, name: "New Person", ownerId: creating.id }]);

    const notCreating = await ownerWith("notcreating", "all", false);
    const third = receive(notCreating, { address: "someone.else@example.org", name: "Someone Else" });
    await h.runIncoming(notCreating.id);
    expect((await activityOf(h, third))?.from?.records).toBeUndefined();
    expect(await h.runtime.actRecords.get("contact", senderContactId(notCreating.id, "someone.else@example.org"))).toBeUndefined();
  });
});
