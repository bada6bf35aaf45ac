/**
 * Untracked mail leaves no content behind: marker strings planted in the subject, body, addresses,
 * display names and attachment names of mail nobody tracks are found in no table and no blob of
 * the Azurite account, whatever path the mail took (Inbox, Sent Items, over 150 MB, without a size
 * property, changed after it was first seen). A tracked message's markers are found, so the scan
 * can see what it looks for. And: resetting Process Emails From reprocesses under a changed option
 * without duplicates.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiServer, type ApiServer } from "../support/api-server.js";
import { scanStorage } from "../support/storage-scan.js";
import { allEmails, startSyncHarness, type SyncHarness } from "../support/sync-harness.js";
import { activityOf, messageId, sendCrmEmail } from "../support/tracking-fixtures.js";

let h: SyncHarness;
let api: ApiServer;

beforeAll(async () => {
  h = await startSyncHarness();
  api = await startApiServer(h.runtime);
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

/** Distinctive strings, one per place a message can carry content. */
const untrackedMarkers = {
  subject: "Qx7subjectMARK",
  body: "Qx7bodyMARK",
  fromAddress: "qx7frommark@qx7domain.example",
  fromName: "Qx7fromNameMARK",
  toAddress: "qx7tomark@qx7domain.example",
  ccAddress: "qx7ccmark@qx7domain.example",
  attachment: "Qx7attachmentMARK.pdf",
  sentSubject: "Qx7sentSubjectMARK",
  sentRecipient: "qx7sentto@qx7domain.example",
  hugeSubject: "Qx7hugeSubjectMARK",
};

describe("privacy: untracked mail", () => {
  it("leaves no subject, body, address or attachment name in any table or blob; tracked mail's markers are found", async () => {
    const seller = await h.addMailbox("private", { outgoing: true });
    const quote = await sendCrmEmail(h, api, seller, { to: [{ address: "pat@fabrikam.example" }], subject: "Quote" });
    const m = untrackedMarkers;
    // Attachments are never listed for mail that is not tracked: any request for them fails the cycle.
    h.sim.injectFault({ mailbox: seller.address, pathIncludes: "/attachments", status: 500, code: "AttachmentsRead", message: "attachments were read", times: 1000 });
    const plain = h.sim.deliverMessage({
      mailbox: seller.address,
      subject: `Personal: ${m.subject}`,
      body: { contentType: "html", content: `<p>${m.body}</p>` },
      from: { name: m.fromName, address: m.fromAddress },
      to: [{ address: seller.address }, { address: m.toAddress }],
      cc: [{ address: m.ccAddress }],
      attachedFiles: [{ name: m.attachment, size: 2048 }],
    });
    // Without PidTagMessageSize, the size would be measured by listing the attachments.
    h.sim.deliverMessage({ mailbox: seller.address, subject: m.subject, from: { address: m.fromAddress }, withoutSizeProperty: true, attachedFiles: [{ name: m.attachment, size: 10 }] });
    // Over 150 MB: a tracked message would be an item failure naming its subject; this one is nobody's.
    h.sim.deliverMessage({ mailbox: seller.address, subject: m.hugeSubject, from: { address: m.fromAddress }, sizeBytes: 200 * 1024 * 1024 });
    // Sent from Outlook: Sent Items are not auto-tracked.
    h.sim.deliverMessage({ mailbox: seller.address, folder: "sentitems", subject: m.sentSubject, from: { address: seller.address }, to: [{ address: m.sentRecipient }] });
    // Positive control: a reply to CRM mail is tracked, and its markers (one in a body large enough for Blob Storage) are stored.
    const trackedBody = `Qx7trackedBodyMARK ${"x".repeat(40_000)}`;
    const tracked = messageId("tracked");
    h.sim.deliverMessage({ mailbox: seller.address, internetMessageId: tracked, subject: "RE: Quote Qx7trackedSubjectMARK", inReplyTo: quote.internetMessageId, from: { address: "pat@fabrikam.example" }, body: { contentType: "text", content: trackedBody } });

    const first = await h.runIncoming(seller.id);
    expect(first).toMatchObject({ outcome: "completed", counts: { tracked: 1, untracked: 4 } });
    // Changed after it was seen (read in Outlook): decided again, still untracked.
    h.sim.updateMessage(seller.address, plain.id, { isRead: true, categories: [m.subject] });
    const second = await h.runIncoming(seller.id);
    expect(second).toMatchObject({ outcome: "completed", counts: { tracked: 0, untracked: 1 } });
    expect(await activityOf(h, tracked)).toMatchObject({ trackedReason: "responseToCrmEmail" });
    expect(await h.runtime.failures.forMailbox(seller.id)).toEqual([]);

    // Cycle reports (the log records) carry counts and ids only.
    expect(JSON.stringify([first, second])).not.toMatch(/qx7/i);
    const scan = await scanStorage(h.azurite.connectionString, [...Object.values(untrackedMarkers), "Qx7trackedSubjectMARK", "Qx7trackedBodyMARK"]);
    expect(scan.tables).toBeGreaterThan(10);
    expect(scan.hits.filter((hit) => Object.values(untrackedMarkers).includes(hit.needle as never))).toEqual([]);
    // The tracked message's subject is in a table, its body in a blob: the scan looks where content goes.
    expect(scan.hits.some((hit) => hit.needle === "Qx7trackedSubjectMARK" && hit.where.startsWith("table"))).toBe(true);
    expect(scan.hits.some((hit) => hit.needle === "Qx7trackedBodyMARK" && hit.where.startsWith("blob"))).toBe(true);
    h.sim.clearFaults();
  });
});

describe("reprocessing under a changed option", () => {
  it("setting Process Emails From back after the option changed tracks the earlier mail, once", async () => {
    const mailbox = await h.addMailbox("reprocess");
    expect((await api.call("PUT", `mailboxes/${mailbox.id}/tracking`, { trackOption: "none" })).status).toBe(200);
    for (let i = 0; i < 3; i++) h.sim.deliverMessage({ mailbox: mailbox.address, subject: `Earlier ${i}`, from: { address: "stranger@example.org" }, receivedDateTime: `2026-10-0${i + 1}T08:00:00Z` });
    await h.runIncoming(mailbox.id);
    expect(await allEmails(h.runtime, mailbox.id)).toEqual([]);
    expect((await h.mailbox(mailbox.id)).processEmailsFrom).toBe("2026-10-03T08:00:00.000Z");

    expect((await api.call("PUT", `mailboxes/${mailbox.id}/tracking`, { trackOption: "all" })).status).toBe(200);
    h.sim.deliverMessage({ mailbox: mailbox.address, subject: "Later", from: { address: "stranger@example.org" }, receivedDateTime: "2026-10-05T08:00:00Z" });
    await h.runIncoming(mailbox.id);
    expect((await allEmails(h.runtime, mailbox.id)).map((e) => e.subject)).toEqual(["Later"]);

    const reset = await api.call("PUT", `mailboxes/${mailbox.id}`, { emailAddress: mailbox.address, profileId: "profile-1", processEmailsFrom: "2026-09-01T00:00:00Z" });
    expect(reset.status).toBe(200);
    await h.runIncoming(mailbox.id);
    await h.runIncoming(mailbox.id);
    const emails = await allEmails(h.runtime, mailbox.id);
    expect(emails.map((e) => e.subject).sort()).toEqual(["Earlier 0", "Earlier 1", "Earlier 2", "Later"]);
    expect(new Set(emails.map((e) => e.id)).size).toBe(4);
    for (const email of emails) expect((await h.runtime.emails.get(email.id))?.mailboxes).toHaveLength(1);
  });
});
