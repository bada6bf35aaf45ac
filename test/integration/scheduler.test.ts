import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { queueNames } from "../../shared/config/names.js";
import { newMailbox } from "../../shared/domain/mailbox.js";
import { queueLeaseMs } from "../../shared/domain/schedule.js";
import { runSchedulerTick } from "../../shared/scheduler/scheduler.js";
import { startSyncHarness, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let clock: number;

beforeEach(async () => {
  clock = Date.parse("2026-11-22T08:00:00Z");
  h = await startSyncHarness();
  h.runtime.now = () => clock;
});
afterEach(async () => {
  await h?.stop();
});

async function addMailboxes(prefix: string, count: number, dueAt: number, enabled = true) {
  for (let i = 0; i < count; i++) {
    const mailbox = newMailbox(
      { id: `${prefix}-${i}`, emailAddress: `${prefix}${i}@contoso.example`, profileId: "profile-1", approved: true, methods: { incoming: "ServerSideSync" }, enabled: { incoming: enabled } },
      dueAt,
    );
    await h.runtime.mailboxes.put(mailbox);
  }
}

function queued(prefix: string) {
  return h.bus.peek(queueNames.incoming).filter((m) => m.sessionId.startsWith(`${prefix}-`));
}

describe("scheduler", () => {
  it("a cycle queues its own next run and the tick leaves it alone", async () => {
    const mb = await h.addMailbox("self");
    await h.runIncoming(mb.id);
    const state = (await h.mailbox(mb.id)).workloads.incoming;
    const next = h.bus.peek(queueNames.incoming).filter((m) => m.sessionId === mb.id);
    expect(next).toEqual([expect.objectContaining({ messageId: `incoming:${mb.id}:${state.nextSlot}` })]);
    clock = state.nextSlot + 1000;
    expect((await runSchedulerTick(h.runtime, { workloads: ["incoming"] })).queued).toBe(0);
  });

  it("queues one message per due workload with the mailbox as session and a slot-stable message id", async () => {
    await addMailboxes("due", 5, clock - 1000);
    await addMailboxes("later", 5, clock + 60_000);
    await addMailboxes("off", 3, clock - 1000, false);
    const report = await runSchedulerTick(h.runtime, { workloads: ["incoming"] });
    expect(report.queued).toBe(5);
    const messages = queued("due");
    expect(messages.map((m) => m.sessionId).sort()).toEqual(["due-0", "due-1", "due-2", "due-3", "due-4"]);
    expect(messages[0]!.messageId).toBe(`incoming:${messages[0]!.sessionId}:${clock - 1000}`);
    expect(queued("later")).toHaveLength(0);
    expect(queued("off")).toHaveLength(0);
  });

  it("does not queue a claimed workload again until its lease expires", async () => {
    await addMailboxes("lease", 2, clock - 1000);
    await runSchedulerTick(h.runtime, { workloads: ["incoming"] });
    expect(queued("lease")).toHaveLength(2);
    clock += 60_000;
    const again = await runSchedulerTick(h.runtime, { workloads: ["incoming"] });
    expect(again.queued).toBe(0);
    // The cycle never ran (worker crashed): after the lease the workload is queued again. The
    // message id is the same slot's, so the broker drops it while the first is still within the
    // duplicate-detection window; the workload is not lost, only not doubled.
    clock += queueLeaseMs(h.runtime.settings.cycleMaxMs);
    const afterLease = await runSchedulerTick(h.runtime, { workloads: ["incoming"] });
    expect(afterLease.queued).toBe(2);
    expect(queued("lease")).toHaveLength(2);
  });

  it("two schedulers ticking at once queue each due workload once", async () => {
    await addMailboxes("twin", 6, clock - 1000);
    await Promise.all([runSchedulerTick(h.runtime, { workloads: ["incoming"] }), runSchedulerTick(h.runtime, { workloads: ["incoming"] })]);
    expect(queued("twin")).toHaveLength(6);
    // Whichever won each claim, the next tick finds nothing due.
    expect((await runSchedulerTick(h.runtime, { workloads: ["incoming"] })).queued).toBe(0);
  });
});
