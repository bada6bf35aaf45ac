/**
 * Graph's errors as Microsoft documents them (the errors table, the delta docs), answered by the
 * simulator over HTTPS and read by the real Graph client: what each does to a mailbox's incoming
 * sync, its state and its alerts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actEngine } from "../../shared/sync/act/act-engine.js";
import { allEmails, startSyncHarness, trackEverything, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;

beforeAll(async () => {
  // Sync machinery, not tracking: every message is tracked here.
  h = await startSyncHarness({ pageSize: 3, tracking: trackEverything });
});
afterAll(async () => {
  await h?.stop();
});

const customer = { address: "chris@fabrikam.example" };

async function synced(name: string, subjects: string[]) {
  const mb = await h.addMailbox(name);
  for (const subject of subjects) h.sim.deliverMessage({ mailbox: mb.address, subject, from: customer });
  expect((await h.runIncoming(mb.id)).outcome).toBe("completed");
  return mb;
}

async function subjects(mailboxId: string): Promise<string[]> {
  return (await allEmails(h.runtime, mailboxId)).map((e) => e.subject).sort();
}

describe("documented Graph errors", () => {
  it.each([
    [400, "syncStateNotFound"],
    [404, "syncStateNotFound"],
    [400, "resyncRequired"],
    [409, "syncStateInvalid"],
  ])("a %i with the docs' code %s restarts the folder's delta instead of failing", async (status, code) => {
    const mb = await synced(`state-${status}-${code.toLowerCase()}`, ["Before"]);
    h.sim.injectFault({ mailbox: mb.address, pathIncludes: "deltatoken", status, code, message: "The sync state generation is not found." });
    h.sim.deliverMessage({ mailbox: mb.address, subject: "After", from: customer });
    const report = await h.runIncoming(mb.id);
    expect(report).toMatchObject({ outcome: "completed" });
    expect(await subjects(mb.id)).toEqual(["After", "Before"]);
    expect((await h.mailbox(mb.id)).workloads.incoming).toMatchObject({ status: "Success", transientFailures: 0 });
  });

  it("appointments, contacts and tasks share the rule: a 400 syncStateNotFound on their delta restarts it", async () => {
    const mb = await h.addMailbox("act-state", { act: true });
    expect((await h.runCycle(actEngine, mb.id)).outcome).toBe("completed");
    h.sim.injectFault({ mailbox: mb.address, pathIncludes: "deltatoken", status: 400, code: "syncStateNotFound", message: "The sync state generation is not found.", times: "forever" });
    const report = await h.runCycle(actEngine, mb.id);
    h.sim.clearFaults();
    expect(report.outcome).toBe("completed");
    expect((await h.mailbox(mb.id)).workloads.act).toMatchObject({ status: "Success", transientFailures: 0 });
  });

  it("a 410 without a body restarts the folder, and one that persists is reported by its status, never as the client's JSON error", async () => {
    const mb = await synced("gone-bodiless", ["Before"]);
    // Two 410s answer the two folders' deltaLinks; the third one folder's restarted round.
    h.sim.injectFault({ mailbox: mb.address, pathIncludes: "/messages/delta", status: 410, emptyBody: true, times: 3 });
    h.sim.deliverMessage({ mailbox: mb.address, subject: "After", from: customer });
    const failed = await h.runIncoming(mb.id);
    expect(failed).toMatchObject({ outcome: "failed", errorCode: "Http410" });
    const state = (await h.mailbox(mb.id)).workloads.incoming;
    expect(state.lastError).toMatchObject({ code: "Http410" });
    expect(JSON.stringify(state.lastError)).not.toMatch(/SyntaxError|JSON/);
    expect((await h.runIncoming(mb.id)).outcome).toBe("completed");
    expect(await subjects(mb.id)).toEqual(["After", "Before"]);
  });

  it("a 503 without a body is Exchange's outage, named by its status", async () => {
    const mb = await synced("busy-bodiless", []);
    h.sim.injectFault({ mailbox: mb.address, status: 503, emptyBody: true });
    const report = await h.runIncoming(mb.id);
    expect(report).toMatchObject({ outcome: "failed", errorCode: "Http503" });
    expect((await h.mailbox(mb.id)).workloads.incoming).toMatchObject({ enabled: true, transientFailures: 1, lastError: { code: "Http503" } });
  });

  it("509 Bandwidth Limit Exceeded postpones the cycle like 429: no failure counted", async () => {
    const mb = await synced("bandwidth", []);
    h.sim.injectFault({ mailbox: mb.address, status: 509, code: "BandwidthLimitExceeded", message: "Bandwidth limit exceeded.", retryAfterSeconds: 90 });
    const before = Date.now();
    const report = await h.runIncoming(mb.id);
    expect(report.outcome).toBe("throttled");
    const state = (await h.mailbox(mb.id)).workloads.incoming;
    expect(state).toMatchObject({ enabled: true, status: "Success", transientFailures: 0 });
    expect(state.nextSlot).toBeGreaterThanOrEqual(before + 90_000);
  });

  it("a mailbox over its quota (507 quotaLimitReached) raises its own alert at once, is never disabled and resumes by itself", async () => {
    const mb = await synced("full", ["Before"]);
    h.sim.injectFault({ mailbox: mb.address, status: 507, code: "quotaLimitReached", message: "The user has reached their quota limit.", times: "forever" });
    const first = await h.runIncoming(mb.id);
    expect(first).toMatchObject({ outcome: "failed", errorCode: "quotaLimitReached" });
    expect((await h.runtime.alerts.list({ mailboxId: mb.id, pageSize: 100 })).items.map((a) => a.code)).toEqual(["MailboxFull"]);
    for (let i = 1; i < 12; i++) expect((await h.runIncoming(mb.id)).reason).not.toBe("disabled");
    expect((await h.mailbox(mb.id)).workloads.incoming).toMatchObject({ enabled: true, transientFailures: 12 });
    h.sim.clearFaults();
    h.sim.deliverMessage({ mailbox: mb.address, subject: "After", from: customer });
    expect((await h.runIncoming(mb.id)).outcome).toBe("completed");
    expect(await subjects(mb.id)).toEqual(["After", "Before"]);
    const codes = (await h.runtime.alerts.list({ mailboxId: mb.id, pageSize: 100 })).items.map((a) => a.code);
    expect(codes).not.toContain("TransientFailuresExhausted");
  });
});
