/** Connection throttling across workers, the per-mailbox request limit, and what an idle cycle costs. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSettings } from "../../shared/config/settings.js";
import { tableNames } from "../../shared/config/names.js";
import { newProfile } from "../../shared/domain/profile.js";
import { createRuntime, type Runtime } from "../../shared/runtime.js";
import { incomingEngine } from "../../shared/sync/incoming/incoming-engine.js";
import { runWorkload } from "../../shared/sync/workload-runner.js";
import { startSyncHarness, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
beforeAll(async () => {
  h = await startSyncHarness();
});
afterAll(async () => {
  await h?.stop();
});

async function cycle(runtime: Runtime, mailboxId: string) {
  const stored = await runtime.mailboxes.get(mailboxId);
  return runWorkload(runtime, incomingEngine, { mailboxId, workload: "incoming", slot: stored!.mailbox.workloads.incoming.nextSlot, reason: "scheduled" });
}

describe("resource control", () => {
  it("a profile's max concurrent connections hold across many workers; cycles without a slot are postponed, not failed", async () => {
    await h.runtime.profiles.put(newProfile({ id: "limited", name: "Limited", maxConcurrentConnections: 3 }, Date.now()));
    const mailboxes = [];
    for (let i = 0; i < 12; i++) {
      const mb = await h.addMailbox(`limit${i}`);
      const stored = (await h.runtime.mailboxes.get(mb.id))!.mailbox;
      await h.runtime.mailboxes.put({ ...stored, profileId: "limited" });
      h.sim.deliverMessage({ mailbox: mb.address, subject: `Limit ${i}`, from: { address: "c@fabrikam.example" } });
      mailboxes.push(mb);
    }
    // Four workers: separate runtimes (separate slot holders) over the same storage and tenant.
    const workers = Array.from({ length: 4 }, () => createRuntime(loadSettings(h.env, { serviceBus: false }), { queue: h.bus, env: h.env }));
    h.sim.setLatency({ minMs: 40, maxMs: 60 });
    h.sim.resetStats();
    let pending = mailboxes.map((m) => m.id);
    let postponed = 0;
    for (let round = 0; round < 20 && pending.length > 0; round++) {
      const reports = await Promise.all(pending.map((id, i) => cycle(workers[i % workers.length]!, id)));
      postponed += reports.filter((r) => r.errorCode === "ConnectionLimit").length;
      expect(reports.filter((r) => r.outcome === "failed")).toEqual([]);
      pending = reports.filter((r) => r.outcome !== "completed").map((r) => r.mailboxId);
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 250));
    }
    h.sim.setLatency({ minMs: 0, maxMs: 0 });
    expect(pending).toEqual([]);
    expect(postponed).toBeGreaterThan(0);
    const stats = h.sim.stats();
    // The limit counts Graph requests (a cycle syncs Inbox and Sent Items side by side), not cycles.
    expect(stats.maxConcurrentByApp[h.clientId]).toBeLessThanOrEqual(3);
    // A 5th request to a mailbox would be refused (not admitted, so not in the max): none was.
    expect(stats.throttled).toBe(0);
  }, 60_000);

  it("an idle cycle costs one Graph request per folder and one table write", async () => {
    const mb = await h.addMailbox("idlecost");
    h.sim.deliverMessage({ mailbox: mb.address, subject: "Warm up", from: { address: "c@fabrikam.example" } });
    await h.runIncoming(mb.id);
    const writes: string[] = [];
    for (const name of Object.values(tableNames)) {
      const table = h.runtime.storage.table(name) as unknown as Record<string, (...args: unknown[]) => unknown>;
      for (const method of ["createEntity", "updateEntity", "upsertEntity", "deleteEntity", "submitTransaction"]) {
        const original = table[method]!.bind(table);
        table[method] = (...args: unknown[]) => {
          writes.push(`${name}.${method}`);
          return original(...args);
        };
      }
    }
    const idle = await h.runIncoming(mb.id);
    expect(idle).toMatchObject({ outcome: "completed", items: 0, graphRequests: 2 });
    expect(writes).toEqual([`${tableNames.mailboxes}.updateEntity`]);
  });
});
