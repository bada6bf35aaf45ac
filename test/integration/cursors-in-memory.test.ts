/**
 * A worker keeps the incoming cursors it last read or saved, stamped in the mailbox row by the
 * cycle's outcome write: an idle cycle reads the row and nothing else. Whatever moves or removes
 * the cursors elsewhere — another worker's cycle, a crash between a cursor save and the outcome,
 * the admin API — leaves a row this worker's copy does not match, or a copy whose save fails; no
 * mail is lost or stored twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tableNames } from "../../shared/config/names.js";
import { loadSettings } from "../../shared/config/settings.js";
import { createRuntime, type Runtime } from "../../shared/runtime.js";
import { storeOutcome } from "../../shared/sync/cycle-outcome.js";
import { incomingEngine } from "../../shared/sync/incoming/incoming-engine.js";
import { runWorkload } from "../../shared/sync/workload-runner.js";
import { countTableRequests, diffCounts, type TableCounter } from "../bench/support/table-counter.js";
import { allEmails, startSyncHarness, trackEverything, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let other: Runtime;
let counter: TableCounter;

beforeAll(async () => {
  h = await startSyncHarness({ tracking: trackEverything });
  // A second worker: its own runtime (its own memory) over the same storage and tenant.
  other = createRuntime(loadSettings(h.env, { serviceBus: false }), { queue: h.bus, env: h.env });
  counter = countTableRequests(h.runtime);
});
afterAll(async () => {
  await h?.stop();
});

async function cycle(runtime: Runtime, mailboxId: string) {
  const stored = await runtime.mailboxes.get(mailboxId);
  return runWorkload(runtime, incomingEngine, { mailboxId, workload: "incoming", slot: stored!.mailbox.workloads.incoming.nextSlot, reason: "scheduled" });
}

/** A cycle of the harness's worker, with the table requests it made. */
async function counted(mailboxId: string) {
  const stored = await h.runtime.mailboxes.get(mailboxId);
  const before = counter.snapshot();
  const report = await runWorkload(h.runtime, incomingEngine, { mailboxId, workload: "incoming", slot: stored!.mailbox.workloads.incoming.nextSlot, reason: "scheduled" });
  return { report, tables: diffCounts(counter.snapshot(), before) };
}

const cursorReads = (tables: ReturnType<typeof diffCounts>) => tables.byTable[tableNames.cursors]?.reads ?? 0;
const deliver = (address: string, subject: string) => h.sim.deliverMessage({ mailbox: address, subject, from: { address: "customer@fabrikam.example" } });

describe("incoming cursors kept in the worker's memory", () => {
  it("an idle cycle reads the mailbox row and writes it: no cursor query", async () => {
    const mb = await h.addMailbox("memo-idle");
    deliver(mb.address, "Warm up");
    await cycle(h.runtime, mb.id);
    // The first cycle stamped the row with the cursors it saved.
    expect((await h.mailbox(mb.id)).incomingCursorsStamp).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await cycle(h.runtime, mb.id);
    const { report, tables } = await counted(mb.id);
    expect(report).toMatchObject({ outcome: "completed", items: 0, graphRequests: 2 });
    expect(cursorReads(tables)).toBe(0);
    expect(tables.reads).toBe(1);
    expect(tables.writes).toBe(1);
  });

  it("a cursor another worker moved is queried again, and its mail is not taken in twice", async () => {
    const mb = await h.addMailbox("memo-moved");
    deliver(mb.address, "First");
    await cycle(h.runtime, mb.id);
    deliver(mb.address, "Second");
    expect(await cycle(other, mb.id)).toMatchObject({ outcome: "completed", items: 1 });
    const { report, tables } = await counted(mb.id);
    expect(report).toMatchObject({ outcome: "completed", items: 0 });
    expect(cursorReads(tables)).toBe(1);
    // And held again from there.
    expect(cursorReads((await counted(mb.id)).tables)).toBe(0);
    expect((await allEmails(h.runtime, mb.id)).map((e) => e.subject).sort()).toEqual(["First", "Second"]);
  });

  it("a stale copy (another worker saved a cursor and stopped before its outcome) fails its save and is dropped; nothing is lost or doubled", async () => {
    const mb = await h.addMailbox("memo-crash");
    deliver(mb.address, "One");
    await cycle(h.runtime, mb.id);
    await cycle(h.runtime, mb.id);
    // The other worker takes in "Two" and saves the cursor past it; its outcome write never lands (the row keeps this worker's stamp).
    const mine = (await h.mailbox(mb.id)).incomingCursorsStamp!;
    deliver(mb.address, "Two");
    expect(await cycle(other, mb.id)).toMatchObject({ outcome: "completed", items: 1 });
    await h.runtime.mailboxes.patch(mb.id, { incomingCursorsStamp: mine });
    // This worker's copy still matches the row: its cycle reads from the older link, stores "Two", and its cursor save fails.
    deliver(mb.address, "Three");
    expect((await counted(mb.id)).report.outcome).toBe("superseded");
    // Dropped: the next cycle queries the cursors and goes on from the other worker's.
    const next = await counted(mb.id);
    expect(cursorReads(next.tables)).toBe(1);
    expect(next.report.outcome).toBe("completed");
    expect((await allEmails(h.runtime, mb.id)).map((e) => e.subject).sort()).toEqual(["One", "Three", "Two"]);
    expect(cursorReads((await counted(mb.id)).tables)).toBe(0);
  });

  it("a row replaced whole (the admin API's save) carries no stamp: the cursors are queried, and removed ones are not used", async () => {
    const mb = await h.addMailbox("memo-replaced");
    deliver(mb.address, "Before");
    await cycle(h.runtime, mb.id);
    // Another process removes every incoming cursor and replaces the row, as an address change does.
    for (const key of (await other.cursors.forMailbox(mb.id, "incoming")).keys()) await other.cursors.remove(mb.id, "incoming", key);
    await other.mailboxes.put((await other.mailboxes.get(mb.id))!.mailbox);
    expect((await h.mailbox(mb.id)).incomingCursorsStamp).toBeUndefined();
    const { report, tables } = await counted(mb.id);
    expect(cursorReads(tables)).toBe(1);
    // Started over: the whole Inbox read again (keyed by message, nothing doubled).
    expect(report).toMatchObject({ outcome: "completed", items: 1 });
    expect((await allEmails(h.runtime, mb.id)).map((e) => e.subject)).toEqual(["Before"]);
  });

  it("an outcome written on a retry after a conflict carries no stamp", async () => {
    const mb = await h.addMailbox("memo-retry");
    await cycle(h.runtime, mb.id);
    const stamped = (await h.runtime.mailboxes.get(mb.id))!;
    expect(stamped.mailbox.incomingCursorsStamp).toBeDefined();
    // Someone changes the row after the cycle read it: the cycle's outcome write meets a conflict.
    await h.runtime.mailboxes.patch(mb.id, { approved: true });
    await storeOutcome(h.runtime, "incoming", mb.id, stamped.etag, { incomingCursorsStamp: "stamp-of-a-stale-set0000", workload: { name: "incoming", state: { status: "Success" } } });
    const after = await h.mailbox(mb.id);
    expect(after.workloads.incoming.status).toBe("Success");
    expect(after.incomingCursorsStamp).toBe(stamped.mailbox.incomingCursorsStamp);
  });
});
