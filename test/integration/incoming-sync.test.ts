import { RestError } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tableNames } from "../../shared/config/names.js";
import { allEmails, startSyncHarness, trackEverything, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;

beforeAll(async () => {
  // These tests are about the sync machinery: every message is tracked (tracking-*.test.ts cover the options).
  h = await startSyncHarness({ pageSize: 3, tracking: trackEverything });
});
afterAll(async () => {
  await h?.stop();
});

const customer = { name: "Chris Customer", address: "chris@fabrikam.example" };

describe("incoming email", () => {
  it("a message delivered to the Inbox becomes one Incoming email activity with its fields", async () => {
    const mb = await h.addMailbox("ingrid");
    const delivered = h.sim.deliverMessage({
      mailbox: mb.address,
      subject: "Quote for 40 chairs",
      body: { contentType: "html", content: "<p>Could you send a quote?</p>" },
      from: customer,
      to: [{ address: mb.address, name: "Ingrid" }],
      cc: [{ address: "dana@fabrikam.example" }],
      receivedDateTime: "2026-11-01T10:00:00.000Z",
    });
    const report = await h.runIncoming(mb.id);
    expect(report.outcome).toBe("completed");
    const emails = await allEmails(h.runtime, mb.id);
    expect(emails).toHaveLength(1);
    const email = await h.runtime.emails.get(emails[0]!.id);
    expect(email).toMatchObject({
      subject: "Quote for 40 chairs",
      from: customer,
      to: [{ address: mb.address, name: "Ingrid" }],
      cc: [{ address: "dana@fabrikam.example" }],
      receivedAt: "2026-11-01T10:00:00.000Z",
      internetMessageId: delivered.internetMessageId,
      direction: "Incoming",
      status: "Received",
      body: { contentType: "html", content: "<p>Could you send a quote?</p>" },
    });
    expect(email!.conversationId).toBeTruthy();
    expect(email!.mailboxes).toEqual([expect.objectContaining({ mailboxId: mb.id, folder: "inbox", direction: "Incoming" })]);
  });

  it("mail in Sent Items gets direction Outgoing", async () => {
    const mb = await h.addMailbox("sven");
    h.sim.deliverMessage({ mailbox: mb.address, folder: "sentitems", subject: "Your order", from: { address: mb.address }, to: [customer], receivedDateTime: "2026-11-02T09:00:00Z" });
    await h.runIncoming(mb.id);
    const [summary] = await allEmails(h.runtime, mb.id);
    expect(summary?.direction).toBe("Outgoing");
    expect((await h.runtime.emails.get(summary!.id))?.status).toBe("Sent");
  });

  it("a message received by two synced mailboxes becomes one email activity with both recorded", async () => {
    const a = await h.addMailbox("anna");
    const b = await h.addMailbox("bert");
    const internetMessageId = "<shared-1@fabrikam.example>";
    for (const mb of [a, b]) {
      h.sim.deliverMessage({ mailbox: mb.address, subject: "Team offsite", from: customer, to: [{ address: a.address }, { address: b.address }], internetMessageId, receivedDateTime: "2026-11-03T08:00:00Z" });
    }
    await Promise.all([h.runIncoming(a.id), h.runIncoming(b.id)]);
    const [fromA] = await allEmails(h.runtime, a.id);
    const [fromB] = await allEmails(h.runtime, b.id);
    expect(fromA!.id).toBe(fromB!.id);
    const email = await h.runtime.emails.get(fromA!.id);
    expect(email!.mailboxes.map((m) => m.mailboxId).sort()).toEqual([a.id, b.id].sort());
  });

  it("delivering the same queue message twice creates nothing twice: the second is stale", async () => {
    const mb = await h.addMailbox("dora");
    for (let i = 0; i < 5; i++) h.sim.deliverMessage({ mailbox: mb.address, subject: `Note ${i}`, from: customer, receivedDateTime: `2026-11-04T08:0${i}:00Z` });
    const slot = (await h.mailbox(mb.id)).workloads.incoming.nextSlot;
    const { runWorkload } = await import("../../shared/sync/workload-runner.js");
    const { incomingEngine } = await import("../../shared/sync/incoming/incoming-engine.js");
    const message = { mailboxId: mb.id, workload: "incoming" as const, slot, reason: "scheduled" as const };
    const first = await runWorkload(h.runtime, incomingEngine, message);
    const second = await runWorkload(h.runtime, incomingEngine, message);
    expect(first.outcome).toBe("completed");
    expect(second).toMatchObject({ outcome: "skipped", reason: "stale" });
    expect(await allEmails(h.runtime, mb.id)).toHaveLength(5);
  });

  it("two workers racing on one mailbox store every message exactly once", async () => {
    const mb = await h.addMailbox("rita");
    for (let i = 0; i < 12; i++) h.sim.deliverMessage({ mailbox: mb.address, subject: `Race ${i}`, from: customer, receivedDateTime: `2026-11-05T08:${String(i).padStart(2, "0")}:00Z` });
    await Promise.all([h.runIncoming(mb.id), h.runIncoming(mb.id)]);
    const emails = await allEmails(h.runtime, mb.id);
    expect(emails).toHaveLength(12);
    expect(new Set(emails.map((e) => e.id)).size).toBe(12);
  });

  it("a 410 SyncStateNotFound in the middle of a paged round restarts the folder without duplicates or gaps", async () => {
    const mb = await h.addMailbox("tara");
    for (let i = 0; i < 10; i++) h.sim.deliverMessage({ mailbox: mb.address, subject: `Batch ${i}`, from: customer, receivedDateTime: `2026-11-06T08:${String(i).padStart(2, "0")}:00Z` });
    // Page size 3: the second page of the Inbox round answers 410.
    h.sim.injectFault({ mailbox: mb.address, pathIncludes: "skiptoken", status: 410, code: "SyncStateNotFound", message: "The sync state was not found.", times: 1 });
    const report = await h.runIncoming(mb.id);
    expect(report.outcome).toBe("completed");
    const emails = await allEmails(h.runtime, mb.id);
    expect(emails.map((e) => e.subject).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `Batch ${i}`).sort());
  });

  it("a failed write while the next page is already requested moves no cursor: the next cycle finds every message", async () => {
    const mb = await h.addMailbox("pia");
    // Page size 3, newest first: page 1 holds 5, 4 and 3, page 2 (the only $skiptoken page) the rest.
    for (let i = 0; i < 6; i++) h.sim.deliverMessage({ mailbox: mb.address, subject: i === 4 ? "Write fails" : `Paged ${i}`, from: customer, receivedDateTime: `2026-11-09T08:0${i}:00Z` });
    // Lets page 2's request through unchanged, counting it: it can only come from the prefetch,
    // since page 1's writes fail and the round goes no further.
    h.sim.injectFault({ mailbox: mb.address, pathIncludes: "skiptoken", kind: "hang", ms: 1, times: 1 });
    const firedBefore = h.sim.stats().faultsFired;
    // Table Storage refuses page 1's message while armed (in the pipeline, above the SDK's retries).
    const emailsTable = h.runtime.storage.table(tableNames.emails);
    emailsTable.pipeline.addPolicy({
      name: "refuse-write-fails",
      sendRequest: async (request, next) => {
        if (request.method !== "GET" && typeof request.body === "string" && request.body.includes("Write fails")) {
          throw new RestError("Injected storage failure", { statusCode: 500, request });
        }
        return next(request);
      },
    });
    const failed = await h.runIncoming(mb.id).catch((error: unknown) => error);
    emailsTable.pipeline.removePolicy({ name: "refuse-write-fails" });
    expect(failed).toBeInstanceOf(RestError);
    expect(h.sim.stats().faultsFired - firedBefore).toBe(1);
    expect((await allEmails(h.runtime, mb.id)).map((e) => e.subject)).not.toContain("Write fails");

    const report = await h.runIncoming(mb.id);
    expect(report.outcome).toBe("completed");
    const emails = await allEmails(h.runtime, mb.id);
    expect(emails.map((e) => e.subject).sort()).toEqual(["Paged 0", "Paged 1", "Paged 2", "Paged 3", "Paged 5", "Write fails"]);
  });

  it("a cycle has at most one Graph request per folder in flight: prefetched pages, whole reads and attachments take turns", async () => {
    const mb = await h.addMailbox("duo");
    // Two pages in each folder, every message with an attachment to import: each folder has a
    // prefetch, attachment lists and downloads to overlap, were they not taking turns.
    for (const folder of ["inbox", "sentitems"] as const) {
      for (let i = 0; i < 6; i++) {
        h.sim.deliverMessage({ mailbox: mb.address, folder, subject: `${folder} ${i}`, from: customer, to: [customer], receivedDateTime: `2026-11-10T08:0${i}:00Z`, attachedFiles: [{ name: `order-${i}.pdf`, size: 2_000 }] });
      }
    }
    // Slow answers, so that requests which may overlap do.
    h.sim.setLatency({ minMs: 100, maxMs: 150, mailbox: mb.address });
    try {
      expect((await h.runIncoming(mb.id)).outcome).toBe("completed");
    } finally {
      h.sim.setLatency({ minMs: 0, maxMs: 0, mailbox: mb.address });
    }
    expect(await allEmails(h.runtime, mb.id)).toHaveLength(12);
    // Two folders at a time (incoming-engine.ts): Exchange's 4 per mailbox leave room for outgoing and ACT.
    expect(h.sim.stats().maxConcurrentByMailbox[mb.address.toLowerCase()]).toBeLessThanOrEqual(2);
  });

  it("evicted delta tokens restart the folder and only new mail is added", async () => {
    const mb = await h.addMailbox("uma");
    for (let i = 0; i < 4; i++) h.sim.deliverMessage({ mailbox: mb.address, subject: `Old ${i}`, from: customer, receivedDateTime: `2026-11-07T08:0${i}:00Z` });
    await h.runIncoming(mb.id);
    h.sim.evictDeltaTokens(mb.address);
    h.sim.deliverMessage({ mailbox: mb.address, subject: "New after eviction", from: customer });
    await h.runIncoming(mb.id);
    const subjects = (await allEmails(h.runtime, mb.id)).map((e) => e.subject).sort();
    expect(subjects).toEqual(["New after eviction", "Old 0", "Old 1", "Old 2", "Old 3"]);
  });

  it("nothing is missed or doubled when delta pages repeat items", async () => {
    const mb = await h.addMailbox("vera");
    h.sim.repeatDeltaItems(mb.address, true);
    for (let i = 0; i < 11; i++) h.sim.deliverMessage({ mailbox: mb.address, subject: `Repeat ${i}`, from: customer, receivedDateTime: `2026-11-08T08:${String(i).padStart(2, "0")}:00Z` });
    await h.runIncoming(mb.id);
    const emails = await allEmails(h.runtime, mb.id);
    expect(emails.map((e) => e.subject).sort()).toEqual(Array.from({ length: 11 }, (_, i) => `Repeat ${i}`).sort());
  });

  it("Process Emails From: older mail is not created and the mailbox's date advances to the last processed email", async () => {
    const mb = await h.addMailbox("paul", { processEmailsFrom: "2026-10-15T00:00:00.000Z" });
    h.sim.deliverMessage({ mailbox: mb.address, subject: "Too old", from: customer, receivedDateTime: "2026-10-01T00:00:00Z" });
    h.sim.deliverMessage({ mailbox: mb.address, subject: "Recent", from: customer, receivedDateTime: "2026-10-20T12:00:00Z" });
    h.sim.deliverMessage({ mailbox: mb.address, subject: "Newest", from: customer, receivedDateTime: "2026-10-21T12:00:00Z" });
    await h.runIncoming(mb.id);
    expect((await allEmails(h.runtime, mb.id)).map((e) => e.subject).sort()).toEqual(["Newest", "Recent"]);
    expect((await h.mailbox(mb.id)).processEmailsFrom).toBe("2026-10-21T12:00:00.000Z");
  });

  it("mail over 150 MB is not created and an item failure says why", async () => {
    const mb = await h.addMailbox("huge");
    h.sim.deliverMessage({ mailbox: mb.address, subject: "Scans", from: customer, sizeBytes: 151 * 1024 * 1024 });
    h.sim.deliverMessage({ mailbox: mb.address, subject: "Small", from: customer });
    await h.runIncoming(mb.id);
    expect((await allEmails(h.runtime, mb.id)).map((e) => e.subject)).toEqual(["Small"]);
    const failures = await h.runtime.failures.forMailbox(mb.id);
    expect(failures).toEqual([expect.objectContaining({ code: "MessageTooLarge", sizeBytes: 151 * 1024 * 1024 })]);
    expect(failures[0]!.message).toMatch(/150 MB/);
  });

  it("mail without PidTagMessageSize is measured by its body and attachments, so the 150 MB limit still applies", async () => {
    const mb = await h.addMailbox("unsized");
    const attachedFiles = [{ name: "scan-1.pdf", size: 100 * 1024 * 1024 }, { name: "scan-2.pdf", size: 51 * 1024 * 1024 }];
    h.sim.deliverMessage({ mailbox: mb.address, subject: "Scans", from: customer, body: { contentType: "text", content: "see attached" }, withoutSizeProperty: true, attachedFiles });
    h.sim.deliverMessage({ mailbox: mb.address, subject: "Small", from: customer, withoutSizeProperty: true, attachedFiles: [{ name: "note.txt", size: 2_000 }] });
    await h.runIncoming(mb.id);
    expect((await allEmails(h.runtime, mb.id)).map((e) => e.subject)).toEqual(["Small"]);
    const failures = await h.runtime.failures.forMailbox(mb.id);
    expect(failures).toEqual([expect.objectContaining({ code: "MessageTooLarge", sizeBytes: 151 * 1024 * 1024 + "see attached".length })]);
  });

  it("a body too large for a table property is stored whole in Blob Storage", async () => {
    const mb = await h.addMailbox("long");
    const content = "Lorem ipsum dolor sit amet. ".repeat(5000);
    h.sim.deliverMessage({ mailbox: mb.address, subject: "Long report", from: customer, body: { contentType: "text", content } });
    await h.runIncoming(mb.id);
    const [summary] = await allEmails(h.runtime, mb.id);
    const email = await h.runtime.emails.get(summary!.id);
    expect(email!.body.content).toBe(content);
  });

  it("an idle cycle costs one Graph request per folder", async () => {
    const mb = await h.addMailbox("idle");
    h.sim.deliverMessage({ mailbox: mb.address, subject: "Only one", from: customer });
    await h.runIncoming(mb.id);
    const idle = await h.runIncoming(mb.id);
    expect(idle).toMatchObject({ outcome: "completed", items: 0, graphRequests: 2 });
  });

  it("a message moved out of the Inbox keeps its activity", async () => {
    const mb = await h.addMailbox("mover");
    const { id } = h.sim.deliverMessage({ mailbox: mb.address, subject: "Move me", from: customer });
    await h.runIncoming(mb.id);
    h.sim.moveMessage(mb.address, id, "archive");
    const report = await h.runIncoming(mb.id);
    expect(report.outcome).toBe("completed");
    expect((await allEmails(h.runtime, mb.id)).map((e) => e.subject)).toEqual(["Move me"]);
  });

  it("429 with Retry-After postpones the cycle without counting a failure", async () => {
    const mb = await h.addMailbox("busy");
    h.sim.injectFault({ mailbox: mb.address, status: 429, code: "ApplicationThrottled", message: "Application is over its MailboxConcurrency limit.", retryAfterSeconds: 120, times: 2 });
    const before = Date.now();
    const report = await h.runIncoming(mb.id);
    expect(report.outcome).toBe("throttled");
    const state = (await h.mailbox(mb.id)).workloads.incoming;
    expect(state.transientFailures).toBe(0);
    expect(state.status).toBe("NotRun");
    expect(state.nextSlot).toBeGreaterThanOrEqual(before + 120_000);
  });
});
