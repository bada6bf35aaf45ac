/** Outgoing email: the records API, the outgoing workload, and exactly-once sending. */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueNames } from "../../shared/config/names.js";
import { outgoingEngine } from "../../shared/sync/outgoing/outgoing-engine.js";
import { startApiServer } from "../support/api-server.js";
import { allEmails, startSyncHarness, type HarnessMailbox, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: Awaited<ReturnType<typeof startApiServer>>;
let sender: HarnessMailbox;
let colleague: HarnessMailbox;

beforeAll(async () => {
  h = await startSyncHarness();
  api = await startApiServer(h.runtime);
  sender = await h.addMailbox("seller", { outgoing: true });
  colleague = await h.addMailbox("colleague", { outgoing: true });
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

const customer = { address: "pat@fabrikam.example", name: "Pat Customer" };

async function draft(overrides: Record<string, unknown> = {}, from: HarnessMailbox = sender) {
  const created = await api.call("POST", "emails", { senderMailboxId: from.id, to: [customer], subject: "Your quote", body: { contentType: "html", content: "<p>Attached.</p>" }, ...overrides });
  expect(created.status).toBe(201);
  return created.body as { id: string; status: string };
}

const sentTo = (address: string) => (h.sim.sentLog() as Array<{ to: string[]; subject: string; attachments: Array<{ name: string; size: number; sha256?: string }> }>).filter((s) => s.to.includes(address));

describe("outgoing email", () => {
  it("Draft → Send → Sent: it goes out once through the sender's mailbox, with the tracking token, and is one activity", async () => {
    const email = await draft({ to: [customer, { address: colleague.address }], regarding: { type: "opportunity", id: "opp-42" } });
    expect(email.status).toBe("Draft");
    const sent = await api.call("POST", `emails/${email.id}/send`);
    expect(sent.body).toMatchObject({ status: "PendingSend", trackingToken: expect.stringMatching(/^CRM:\d{7}$/) });
    // Queued at once, for the sender's session.
    expect(h.bus.peek(queueNames.outgoing).some((m) => m.sessionId === sender.id)).toBe(true);
    const report = await h.runCycle(outgoingEngine, sender.id);
    expect(report).toMatchObject({ outcome: "completed", items: 1 });
    const record = (await api.call("GET", `emails/${email.id}`)).body;
    expect(record).toMatchObject({ status: "Sent", attempts: 1, direction: "Outgoing", regarding: { type: "opportunity", id: "opp-42" } });
    expect(record.internetMessageId).toBeTruthy();
    expect(record.subject).toBe(`Your quote ${record.trackingToken}`);
    expect(sentTo(customer.address)).toHaveLength(1);
    expect(h.sim.listMessages(sender.address, "sentitems").map((m: any) => m.subject)).toContain(record.subject);
    // The Sent Items copy and the colleague's Inbox copy are the same activity, not new ones.
    await h.runIncoming(sender.id);
    await h.runIncoming(colleague.id);
    expect((await allEmails(h.runtime, sender.id)).map((e) => e.id)).toEqual([email.id]);
    expect((await allEmails(h.runtime, colleague.id)).map((e) => e.id)).toEqual([email.id]);
    const joined = (await api.call("GET", `emails/${email.id}`)).body;
    expect(joined.mailboxes.map((m: any) => `${m.mailboxId}:${m.folder}`).sort()).toEqual([`${colleague.id}:inbox`, `${sender.id}:sentitems`]);
  });

  it("the list and GET /api/emails/{id} show the same sender and direction for CRM-sent email", async () => {
    // A first cycle claims the harness mailbox's address, as mapping it through the API does: it
    // resolves to its owner (a CRM user), so the sender party names that record.
    await h.runIncoming(sender.id);
    const email = await draft({ to: [{ address: colleague.address }], subject: "Same sender" });
    const senderParty = { address: sender.address, records: [{ type: "user", id: sender.id, name: sender.address }] };
    expect((await api.call("GET", `emails/${email.id}`)).body.from).toEqual(senderParty);
    await api.call("POST", `emails/${email.id}/send`);
    await h.runCycle(outgoingEngine, sender.id);
    await h.runIncoming(sender.id);
    await h.runIncoming(colleague.id);
    const record = (await api.call("GET", `emails/${email.id}`)).body;
    expect(record.from).toEqual(senderParty);
    for (const mailbox of [sender, colleague]) {
      const row = (await api.call("GET", `emails?mailboxId=${mailbox.id}&pageSize=100`)).body.items.find((e: { id: string }) => e.id === email.id);
      expect(row).toMatchObject({ from: record.from.address, direction: record.direction, subject: record.subject });
    }
  });

  it("a reply to CRM mail is tracked as a new incoming activity in the same conversation", async () => {
    const email = await draft({ to: [{ address: colleague.address }], subject: "Question" });
    await api.call("POST", `emails/${email.id}/send`);
    await h.runCycle(outgoingEngine, sender.id);
    const original = (await api.call("GET", `emails/${email.id}`)).body;
    const inbox = h.sim.listMessages(colleague.address, "inbox") as Array<{ id: string; internetMessageId: string; conversationId: string }>;
    const received = inbox.find((m) => m.internetMessageId === original.internetMessageId)!;
    h.sim.deliverMessage({ mailbox: sender.address, subject: `RE: ${original.subject}`, from: { address: colleague.address }, conversationId: received.conversationId, headers: [{ name: "In-Reply-To", value: original.internetMessageId }] });
    await h.runIncoming(sender.id);
    const reply = (await allEmails(h.runtime, sender.id)).find((e) => e.subject.startsWith("RE: Question"));
    expect(reply).toMatchObject({ direction: "Incoming" });
    expect((await api.call("GET", `emails/${reply!.id}`)).body.conversationId).toBe(received.conversationId);
  });

  it("a worker killed after Graph accepted the mail but before recording it does not send it twice", async () => {
    const email = await draft({ subject: "Once only" });
    await api.call("POST", `emails/${email.id}/send`);
    const update = h.runtime.crmEmails.update.bind(h.runtime.crmEmails);
    h.runtime.crmEmails.update = async (id, patch, etag) => {
      if (patch.status === "Sent") throw new Error("worker killed");
      return update(id, patch, etag);
    };
    await expect(h.runCycle(outgoingEngine, sender.id)).rejects.toThrow("worker killed");
    h.runtime.crmEmails.update = update;
    expect((await api.call("GET", `emails/${email.id}`)).body.status).toBe("Sending");
    const retry = await h.runCycle(outgoingEngine, sender.id);
    expect(retry.outcome).toBe("completed");
    expect((await api.call("GET", `emails/${email.id}`)).body).toMatchObject({ status: "Sent", attempts: 2 });
    expect(h.sim.sentLog(sender.address).filter((s: any) => s.subject.startsWith("Once only"))).toHaveLength(1);
  });

  it("a worker killed after building the draft but before sending leaves no stray draft and sends once", async () => {
    const email = await draft({ subject: "Rebuilt draft" });
    await api.call("POST", `emails/${email.id}/send`);
    const update = h.runtime.crmEmails.update.bind(h.runtime.crmEmails);
    h.runtime.crmEmails.update = async (id, patch, etag) => {
      if (patch.draftGraphId) throw new Error("worker killed");
      return update(id, patch, etag);
    };
    await expect(h.runCycle(outgoingEngine, sender.id)).rejects.toThrow("worker killed");
    h.runtime.crmEmails.update = update;
    await h.runCycle(outgoingEngine, sender.id);
    expect(h.sim.sentLog(sender.address).filter((s: any) => s.subject.startsWith("Rebuilt draft"))).toHaveLength(1);
    expect(h.sim.listMessages(sender.address, "drafts").filter((m: any) => m.subject.startsWith("Rebuilt draft"))).toEqual([]);
  });

  it("a 20 MB attachment is uploaded in chunks and goes through an upload session; 151 MB is refused", async () => {
    const bytes = Buffer.alloc(20 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32LE(i, i);
    const email = await draft({ subject: "Big file" });
    const announced = await api.call("POST", `emails/${email.id}/attachments`, { name: "survey.bin", contentType: "application/octet-stream", size: bytes.length });
    expect(announced.status).toBe(201);
    expect((await api.call("POST", `emails/${email.id}/send`)).status).toBe(409);
    const response = await fetch(`${api.url}${announced.body.uploadUrl}`, { method: "PUT", headers: { Authorization: api.authorization, "Content-Range": `bytes 0-${bytes.length - 1}/${bytes.length}` }, body: bytes });
    expect(await response.json()).toEqual({ complete: true, nextExpectedRanges: [] });
    await api.call("POST", `emails/${email.id}/send`);
    await h.runCycle(outgoingEngine, sender.id);
    const [sent] = h.sim.sentLog(sender.address).filter((s: any) => s.subject.startsWith("Big file")) as Array<{ attachments: Array<{ name: string; size: number; sha256: string }> }>;
    expect(sent!.attachments).toEqual([expect.objectContaining({ name: "survey.bin", size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") })]);
    const tooBig = await api.call("POST", `emails/${(await draft()).id}/attachments`, { name: "huge.iso", size: 151 * 1024 * 1024 });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error).toMatchObject({ field: "size", message: expect.stringMatching(/150 MB/) });
  }, 30_000);

  it("small attachments go inline with the draft", async () => {
    const email = await draft({ subject: "Small file", attachments: [{ name: "note.txt", contentType: "text/plain", contentBytes: Buffer.from("hello").toString("base64") }] });
    await api.call("POST", `emails/${email.id}/send`);
    await h.runCycle(outgoingEngine, sender.id);
    const [sent] = h.sim.sentLog(sender.address).filter((s: any) => s.subject.startsWith("Small file")) as Array<{ attachments: Array<{ name: string; size: number }> }>;
    expect(sent!.attachments).toEqual([expect.objectContaining({ name: "note.txt", size: 5 })]);
  });

  it("Send with issueSend false marks it Sent without sending; sending a non-Draft is a 409", async () => {
    const email = await draft({ subject: "Sent elsewhere" });
    const marked = await api.call("POST", `emails/${email.id}/send`, { issueSend: false });
    expect(marked.body).toMatchObject({ status: "Sent" });
    expect((await api.call("POST", `emails/${email.id}/send`)).status).toBe(409);
    await h.runCycle(outgoingEngine, sender.id);
    expect(h.sim.sentLog(sender.address).filter((s: any) => s.subject.startsWith("Sent elsewhere"))).toEqual([]);
  });

  it("bad create requests name the field", async () => {
    expect((await api.call("POST", "emails", { senderMailboxId: sender.id, to: [] })).body.error.field).toBe("to");
    expect((await api.call("POST", "emails", { senderMailboxId: "nobody", to: [customer] })).body.error.field).toBe("senderMailboxId");
    expect((await api.call("POST", "emails", { senderMailboxId: sender.id, to: [{ address: "not-an-address" }] })).body.error.field).toBe("to.0.address");
    expect((await api.call("POST", "emails", { senderMailboxId: sender.id, to: [customer], body: { contentType: "rtf", content: "" } })).body.error.field).toBe("body.contentType");
  });

  it("an invalid recipient fails that email only; the next one is sent", async () => {
    const bad = await draft({ subject: "Rejected one" });
    const good = await draft({ subject: "Accepted one" });
    await api.call("POST", `emails/${bad.id}/send`);
    await api.call("POST", `emails/${good.id}/send`);
    h.sim.injectFault({ mailbox: sender.address, pathIncludes: "/send", method: "POST", status: 400, code: "ErrorInvalidRecipients", message: "At least one recipient is not valid.", times: 1 });
    const report = await h.runCycle(outgoingEngine, sender.id);
    expect(report.outcome).toBe("completed");
    expect((await api.call("GET", `emails/${bad.id}`)).body).toMatchObject({ status: "Failed", failureReason: expect.stringMatching(/^ErrorInvalidRecipients/) });
    expect((await api.call("GET", `emails/${good.id}`)).body.status).toBe("Sent");
    expect((await api.call("GET", `mailboxes/${sender.id}`)).body.workloads.outgoing).toMatchObject({ enabled: true, status: "Success" });
  });

  it("Exchange's quota error postpones the mailbox's sending with a warning; nothing fails or is disabled", async () => {
    const email = await draft({ subject: "Over quota" });
    await api.call("POST", `emails/${email.id}/send`);
    h.sim.injectFault({ mailbox: sender.address, pathIncludes: "/send", method: "POST", status: 429, code: "ErrorExceededMessageLimit", retryAfterSeconds: 600, times: 1 });
    const report = await h.runCycle(outgoingEngine, sender.id);
    expect(report.outcome).toBe("throttled");
    expect((await api.call("GET", `emails/${email.id}`)).body.status).toBe("PendingSend");
    expect((await api.call("GET", `mailboxes/${sender.id}`)).body.workloads.outgoing.enabled).toBe(true);
    expect((await api.call("GET", `alerts?mailboxId=${sender.id}&level=Warning`)).body.items.map((a: any) => a.code)).toContain("SendingLimitReached");
    await h.runCycle(outgoingEngine, sender.id);
    expect((await api.call("GET", `emails/${email.id}`)).body.status).toBe("Sent");
  });

  it("email from a mailbox that is not approved, or not enabled for outgoing, stays Pending Send with an alert", async () => {
    const unapproved = await h.addMailbox("unapproved", { outgoing: true, approved: false });
    const notEnabled = await h.addMailbox("noout");
    const a = await draft({ subject: "Waits for approval" }, unapproved);
    const b = await draft({ subject: "Waits for enabling" }, notEnabled);
    await api.call("POST", `emails/${a.id}/send`);
    await api.call("POST", `emails/${b.id}/send`);
    expect((await api.call("GET", `emails/${a.id}`)).body.status).toBe("PendingSend");
    expect((await api.call("GET", `alerts?mailboxId=${unapproved.id}`)).body.items.map((x: any) => x.code)).toContain("PendingSendNotApproved");
    expect((await api.call("GET", `alerts?mailboxId=${notEnabled.id}`)).body.items.map((x: any) => x.code)).toContain("PendingSendNotEnabled");
  });
});

describe("sending limits", () => {
  it("100 emails queued on one mailbox drain at no more than 30 a minute; none fail; a warning explains the wait", async () => {
    const bulk = await h.addMailbox("bulk", { outgoing: true });
    // The engine's own pacing is under test: let the simulator accept whatever it is given.
    h.sim.setSendingLimits({ messagesPerMinute: 10_000 });
    let clock = Date.parse("2026-11-23T09:00:00Z");
    const realNow = h.runtime.now;
    h.runtime.now = () => clock;
    try {
      const ids: string[] = [];
      for (let i = 0; i < 100; i++) {
        const email = await draft({ subject: `Newsletter ${i}` }, bulk);
        await api.call("POST", `emails/${email.id}/send`);
        ids.push(email.id);
      }
      for (let cycle = 0; cycle < 10; cycle++) {
        const report = await h.runCycle(outgoingEngine, bulk.id);
        expect(report.outcome).not.toBe("failed");
        if (report.outcome === "completed") break;
        clock = Date.parse(report.nextRunAt!);
      }
      const records = await Promise.all(ids.map(async (id) => (await api.call("GET", `emails/${id}`)).body as { status: string; sentAt: string }));
      expect(records.every((r) => r.status === "Sent")).toBe(true);
      const perMinute = new Map<string, number>();
      for (const r of records) perMinute.set(r.sentAt.slice(0, 16), (perMinute.get(r.sentAt.slice(0, 16)) ?? 0) + 1);
      expect(Math.max(...perMinute.values())).toBe(30);
      expect(perMinute.size).toBe(4);
      expect((await api.call("GET", `alerts?mailboxId=${bulk.id}`)).body.items.map((a: any) => a.code)).toContain("SendingLimitReached");
    } finally {
      h.runtime.now = realNow;
      h.sim.setSendingLimits({ messagesPerMinute: 30 });
    }
  }, 60_000);
});
