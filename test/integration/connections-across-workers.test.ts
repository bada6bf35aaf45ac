/**
 * Connections counted as Graph requests, and Exchange's 4 concurrent requests per mailbox, across
 * two workers: separate runtimes (own connection pools, own lane leases) over one Azurite and the
 * simulator over HTTPS, which counts the requests in flight per app and per mailbox.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSettings } from "../../shared/config/settings.js";
import { newProfile } from "../../shared/domain/profile.js";
import type { Workload } from "../../shared/domain/workloads.js";
import { createRuntime, type Runtime } from "../../shared/runtime.js";
import { actEngine } from "../../shared/sync/act/act-engine.js";
import { incomingEngine } from "../../shared/sync/incoming/incoming-engine.js";
import { trackNow } from "../../shared/sync/incoming/track-now.js";
import { outgoingEngine } from "../../shared/sync/outgoing/outgoing-engine.js";
import { runWorkload, type WorkloadEngine } from "../../shared/sync/workload-runner.js";
import { startApiServer, type ApiServer } from "../support/api-server.js";
import { startSyncHarness, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: ApiServer;
let workers: Runtime[];
beforeAll(async () => {
  h = await startSyncHarness({ pageSize: 5 });
  api = await startApiServer(h.runtime);
  workers = Array.from({ length: 2 }, () => createRuntime(loadSettings(h.env, { serviceBus: false }), { queue: h.bus, env: h.env }));
});
afterAll(async () => {
  h?.sim.setLatency({ minMs: 0, maxMs: 0 });
  await api?.close();
  await h?.stop();
});

async function cycle(runtime: Runtime, engine: WorkloadEngine, mailboxId: string) {
  const stored = await runtime.mailboxes.get(mailboxId);
  const workload: Workload = engine.workload;
  return runWorkload(runtime, engine, { mailboxId, workload, slot: stored!.mailbox.workloads[workload].nextSlot, reason: "scheduled" });
}

/** Incoming cycles until one completes (postponed ones run again, as their scheduled message would). */
async function incomingUntilDone(runtime: Runtime, mailboxId: string) {
  for (let round = 0; round < 40; round++) {
    const report = await cycle(runtime, incomingEngine, mailboxId);
    expect(report.outcome).not.toBe("failed");
    if (report.outcome === "completed" && report.items === 0) return;
    if (report.outcome === "throttled") await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`incoming of ${mailboxId} did not finish`);
}

describe("requests across workers", () => {
  it("a profile with 3 connections never has more than 3 Graph requests in flight across two workers running many mailboxes' cycles", async () => {
    await h.runtime.profiles.put(newProfile({ id: "three", name: "Three connections", maxConcurrentConnections: 3 }, Date.now()));
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const mb = await h.addMailbox(`three${i}`);
      await h.runtime.mailboxes.put({ ...(await h.mailbox(mb.id)), profileId: "three" });
      for (let m = 0; m < 6; m++) h.sim.deliverMessage({ mailbox: mb.address, folder: m % 2 ? "sentitems" : "inbox", subject: `Three ${i}.${m}`, from: { address: "c@fabrikam.example" } });
      ids.push(mb.id);
    }
    h.sim.setLatency({ minMs: 20, maxMs: 40 });
    h.sim.resetStats();
    // Each worker runs five mailboxes' cycles at once; each cycle syncs Inbox and Sent Items side by side.
    await Promise.all(ids.map((id, i) => incomingUntilDone(workers[i % 2]!, id)));
    h.sim.setLatency({ minMs: 0, maxMs: 0 });
    const stats = h.sim.stats();
    expect(stats.requests).toBeGreaterThan(ids.length * 2);
    expect(stats.maxConcurrentByApp[h.clientId]).toBeLessThanOrEqual(3);
    expect(stats.throttled).toBe(0);
  }, 120_000);

  it("a mailbox never sees more than 4 requests at once when incoming, outgoing, ACT and Track now from two workers hit it together", async () => {
    const mb = await h.addMailbox("busy", { outgoing: true, act: true });
    for (let m = 0; m < 20; m++) h.sim.deliverMessage({ mailbox: mb.address, folder: m % 2 ? "sentitems" : "inbox", subject: `Busy ${m}`, from: { address: "c@fabrikam.example" } });
    const archived = Array.from({ length: 6 }, (_, m) => h.sim.deliverMessage({ mailbox: mb.address, folder: "archive", subject: `Track me ${m}`, from: { address: "c@fabrikam.example" } }));
    const draft = await api.call("POST", "emails", { senderMailboxId: mb.id, to: [{ address: "c@fabrikam.example" }], subject: "Your quote", body: { contentType: "text", content: "Attached." } });
    expect((await api.call("POST", `emails/${draft.body.id}/send`)).status).toBe(200);
    const mailbox = await h.mailbox(mb.id);
    const profile = (await h.runtime.profiles.get(mailbox.profileId))!;
    const [w1, w2] = workers as [Runtime, Runtime];
    h.sim.setLatency({ minMs: 30, maxMs: 50 });
    h.sim.resetStats();
    const tracked = await Promise.all([
      incomingUntilDone(w1, mb.id),
      cycle(w2, actEngine, mb.id),
      cycle(w2, outgoingEngine, mb.id),
      // Track now, as the API runs it, from both workers at once (outside any session).
      ...archived.map((message, i) => {
        const worker = i % 2 ? w2 : w1;
        return trackNow(worker, worker.graphFor(profile), mailbox, message.id);
      }),
    ]);
    h.sim.setLatency({ minMs: 0, maxMs: 0 });
    expect(tracked.slice(3)).toHaveLength(archived.length);
    expect(tracked.slice(3).every((outcome) => outcome !== undefined)).toBe(true);
    const stats = h.sim.stats();
    expect(stats.requestsByMailbox[mb.address]).toBeGreaterThan(10);
    // Exchange answers a 5th concurrent request with 429 MailboxConcurrency: none was refused.
    expect(stats.throttled).toBe(0);
    expect(stats.maxConcurrentByMailbox[mb.address]).toBeLessThanOrEqual(4);
    expect(h.sim.listMessages(mb.address, "sentitems").some((m: any) => String(m.subject).startsWith("Your quote"))).toBe(true);
  }, 120_000);
});
