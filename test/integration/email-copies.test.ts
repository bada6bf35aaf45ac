/**
 * One message, several copies: a redelivery to the same Inbox, mail sent to oneself (Sent Items
 * and Inbox of one mailbox), internal mail between synced mailboxes processed in either order.
 * One list row per (mailbox, activity); every copy recorded; Outgoing whenever any copy is in Sent
 * Items; the list and GET /api/emails/{id} agree. Also: lists written by the old layout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tableNames } from "../../shared/config/names.js";
import { activityIdFor } from "../../shared/domain/email-activity.js";
import { MailboxEmailIndex } from "../../shared/storage/mailbox-email-index.js";
import { startApiServer } from "../support/api-server.js";
import { startSyncHarness, trackEverything, type HarnessMailbox, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  // Copies of every message: all mail is tracked here (the tracking tests cover what is not).
  h = await startSyncHarness({ pageSize: 3, tracking: trackEverything });
  api = await startApiServer(h.runtime);
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

const customer = { name: "Chris Customer", address: "chris@fabrikam.example" };

async function listed(mailboxId: string) {
  const response = await api.call("GET", `emails?mailboxId=${mailboxId}&pageSize=100`);
  expect(response.status).toBe(200);
  return response.body.items as Array<{ id: string; subject: string; from?: string; direction: string; receivedAt: string }>;
}

async function detail(id: string) {
  const response = await api.call("GET", `emails/${id}`);
  expect(response.status).toBe(200);
  return response.body as { direction: string; from?: { address: string }; mailboxes: Array<{ mailboxId: string; direction: string; receivedAt: string; copies: Array<{ folder: string; graphMessageId: string }> }> };
}

/** Mail sent to oneself: the Sent Items copy, and the Inbox copy seconds later. */
function sendToSelf(mb: HarnessMailbox, n: number) {
  const base = { subject: `Note to self ${n}`, from: { address: mb.address }, to: [{ address: mb.address }], internetMessageId: `<self-${n}-${mb.id}@contoso.example>` };
  const sent = h.sim.deliverMessage({ ...base, mailbox: mb.address, folder: "sentitems", receivedDateTime: "2026-11-10T09:00:00Z" });
  const received = h.sim.deliverMessage({ ...base, mailbox: mb.address, receivedDateTime: "2026-11-10T09:00:03Z" });
  return { sent, received, activityId: activityIdFor(base.internetMessageId, "", "") };
}

describe("one message, several copies", () => {
  it("a message delivered to the same Inbox again later is listed once, with both copies recorded", async () => {
    const mb = await h.addMailbox("redo");
    const internetMessageId = "<redelivered-1@fabrikam.example>";
    const first = h.sim.deliverMessage({ mailbox: mb.address, subject: "Invoice", from: customer, internetMessageId, receivedDateTime: "2026-11-09T08:00:00Z" });
    await h.runIncoming(mb.id);
    const again = h.sim.deliverMessage({ mailbox: mb.address, subject: "Invoice", from: customer, internetMessageId, receivedDateTime: "2026-11-09T08:01:00Z" });
    await h.runIncoming(mb.id);
    const items = await listed(mb.id);
    expect(items).toEqual([expect.objectContaining({ subject: "Invoice", direction: "Incoming", receivedAt: "2026-11-09T08:00:00.000Z" })]);
    const email = await detail(items[0]!.id);
    expect(email.mailboxes).toHaveLength(1);
    expect(email.mailboxes[0]!.copies.map((c) => c.graphMessageId).sort()).toEqual([first.id, again.id].sort());
  });

  it("mail sent to oneself is Outgoing in the list and the detail, and listed once, in every run", async () => {
    // Inbox and Sent Items sync side by side in one cycle; several mailboxes give several orderings.
    const mailboxes = await Promise.all([1, 2, 3, 4].map((n) => h.addMailbox(`self${n}`)));
    const sent = mailboxes.map((mb, n) => ({ mb, ...sendToSelf(mb, n) }));
    await Promise.all(mailboxes.map((mb) => h.runIncoming(mb.id)));
    for (const { mb, activityId, sent: sentCopy, received } of sent) {
      expect(await listed(mb.id)).toEqual([expect.objectContaining({ id: activityId, direction: "Outgoing", receivedAt: "2026-11-10T09:00:00.000Z", from: mb.address })]);
      const email = await detail(activityId);
      expect(email.direction).toBe("Outgoing");
      expect(email.mailboxes[0]!.copies.map((c) => `${c.folder}:${c.graphMessageId}`).sort()).toEqual([`inbox:${received.id}`, `sentitems:${sentCopy.id}`]);
    }
  });

  it.each([
    ["the recipient's mailbox first", true],
    ["the sender's mailbox first", false],
  ])("internal mail processed with %s is Outgoing in both mailboxes' lists and in the detail", async (_name, recipientFirst) => {
    const sender = await h.addMailbox(recipientFirst ? "srca" : "srcb");
    const recipient = await h.addMailbox(recipientFirst ? "dsta" : "dstb");
    const base = { subject: "Handover", from: { address: sender.address }, to: [{ address: recipient.address }], internetMessageId: `<handover-${sender.id}@contoso.example>` };
    h.sim.deliverMessage({ ...base, mailbox: sender.address, folder: "sentitems", receivedDateTime: "2026-11-11T09:00:00Z" });
    h.sim.deliverMessage({ ...base, mailbox: recipient.address, receivedDateTime: "2026-11-11T09:00:02Z" });
    const order = recipientFirst ? [recipient, sender] : [sender, recipient];
    for (const mb of order) await h.runIncoming(mb.id);
    const activityId = activityIdFor(base.internetMessageId, "", "");
    expect(await listed(recipient.id)).toEqual([expect.objectContaining({ id: activityId, direction: "Outgoing", receivedAt: "2026-11-11T09:00:02.000Z" })]);
    expect(await listed(sender.id)).toEqual([expect.objectContaining({ id: activityId, direction: "Outgoing", receivedAt: "2026-11-11T09:00:00.000Z" })]);
    expect((await detail(activityId)).direction).toBe("Outgoing");
  });
});

describe("merging a list row", () => {
  it("writers racing on one row lose no proposal: the earliest time and Outgoing win, one row remains", async () => {
    const index = new MailboxEmailIndex(h.runtime.storage.table(tableNames.mailboxItems));
    const times = Array.from({ length: 12 }, (_, i) => `2026-11-12T09:${String(30 - i).padStart(2, "0")}:00.000Z`);
    // The Outgoing proposal carries the latest time: only a lost update could drop either fact.
    await Promise.all(times.map((receivedAt, i) => index.merge("race-box", "race-activity", { receivedAt, direction: i === 0 ? "Outgoing" : "Incoming", subject: "Race" })));
    const page = await index.page("race-box", { pageSize: 100 });
    expect(page.rows.map((row) => row.email)).toEqual([{ activityId: "race-activity", receivedAt: times.at(-1), direction: "Outgoing", subject: "Race" }]);
  });

  it("writers that each take the row for absent (a new activity's) lose no proposal either: the create's 409 sends them to merge", async () => {
    const index = new MailboxEmailIndex(h.runtime.storage.table(tableNames.mailboxItems));
    const times = Array.from({ length: 12 }, (_, i) => `2026-11-12T10:${String(30 - i).padStart(2, "0")}:00.000Z`);
    await Promise.all(times.map((receivedAt, i) => index.merge("race-box-new", "race-new", { receivedAt, direction: i === 0 ? "Outgoing" : "Incoming", subject: "Race" }, { absent: true })));
    const page = await index.page("race-box-new", { pageSize: 100 });
    expect(page.rows.map((row) => row.email)).toEqual([{ activityId: "race-new", receivedAt: times.at(-1), direction: "Outgoing", subject: "Race" }]);
  });
});

describe("lists written by the old layout (one index row per copy, keyed by its received time)", () => {
  const invertedKey = (receivedAt: string, activityId: string) => `email|${String(9_999_999_999_999 - Date.parse(receivedAt)).padStart(13, "0")}|${activityId}`;

  it("are read as one row per activity, and rewritten so the next read is the same", async () => {
    const mb = await h.addMailbox("legacy");
    const internetMessageId = "<legacy-1@fabrikam.example>";
    h.sim.deliverMessage({ mailbox: mb.address, subject: "Old mail", from: customer, internetMessageId, receivedDateTime: "2026-10-01T08:00:00Z" });
    const id = activityIdFor(internetMessageId, "", "");
    // What a deployed instance holds for a message redelivered once: the activity, the mailbox's
    // one row (the copy processed last) and two list rows, both Incoming.
    const emails = h.runtime.storage.table(tableNames.emails);
    const items = h.runtime.storage.table(tableNames.mailboxItems);
    await emails.upsertEntity({ partitionKey: id, rowKey: "activity", internetMessageId, conversationId: "", from: JSON.stringify(customer), receivedAt: "2026-10-01T08:05:00.000Z", sentAt: "", bodyContentType: "text", subject: "Old mail", recipients: JSON.stringify({ to: [], cc: [], bcc: [] }), body: "" }, "Replace");
    await emails.upsertEntity({ partitionKey: id, rowKey: `in|${mb.id}`, mailboxId: mb.id, folder: "inbox", direction: "Incoming", graphMessageId: "old-copy-2", receivedAt: "2026-10-01T08:05:00.000Z" }, "Replace");
    for (const receivedAt of ["2026-10-01T08:00:00.000Z", "2026-10-01T08:05:00.000Z"]) {
      await items.upsertEntity({ partitionKey: mb.id, rowKey: invertedKey(receivedAt, id), activityId: id, subject: "Old mail", subjectTruncated: false, from: customer.address, direction: "Incoming", receivedAt }, "Replace");
    }
    const first = await listed(mb.id);
    expect(first).toEqual([expect.objectContaining({ id, subject: "Old mail", from: customer.address, direction: "Incoming", receivedAt: "2026-10-01T08:05:00.000Z" })]);
    expect(await listed(mb.id)).toEqual(first);
    // A sync that finds the copies again (after a delta restart) merges into the same row.
    await h.runIncoming(mb.id);
    expect(await listed(mb.id)).toEqual([expect.objectContaining({ id, receivedAt: "2026-10-01T08:00:00.000Z" })]);
    expect((await detail(id)).mailboxes[0]!.copies.map((c) => c.graphMessageId)).toContain("old-copy-2");
  });
});
