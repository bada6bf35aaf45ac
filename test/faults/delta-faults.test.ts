/**
 * Delta misbehaving: sync state lost (410 SyncStateNotFound) in the middle of a paged round, pages
 * that repeat items, and the same internet message twice in one folder (a copy). Each ends with the
 * invariant within a bounded number of cycles.
 */
import { afterEach, describe, expect, it } from "vitest";
import { activityIdFor } from "../../shared/domain/email-activity.js";
import { startFaultHarness, type FaultHarness } from "./support/fault-harness.js";
import { full, recordRow } from "./support/results.js";
import { runScenario } from "./support/scenario.js";

let h: FaultHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const rounds = full ? 10 : 3;

describe("delta faults", () => {
  it("410 SyncStateNotFound on a checkpointed nextLink restarts the folder without loss or duplicates", async () => {
    // One page of 10 per cycle: every cycle ends mid-round with a nextLink checkpoint, which the
    // eviction after each round turns into a 410 for the next cycle.
    h = await startFaultHarness({ mailboxes: 4, pageSize: 10, env: { CYCLE_MAX_ITEMS: "10" } });
    const evict = async () => {
      h!.sim.evictDeltaTokens();
    };
    let evicting = true;
    const originalRound = h.round;
    h.round = async () => {
      const reports = await originalRound();
      if (evicting) await evict();
      return reports;
    };
    await runScenario(h, {
      name: "410 SyncStateNotFound mid paged round",
      inject: () => undefined,
      faultRounds: rounds,
      mailPerRound: 30,
      clear: () => {
        evicting = false;
      },
      // Every cycle reads one page of 10 (CYCLE_MAX_ITEMS=10): catching up takes as many cycles as pages.
      maxRecoveryRounds: 40,
      notes: "sync state evicted after every round; one page (10) per cycle",
    });
  }, 120_000);

  it("410 on a nextLink within one cycle restarts that folder at once", async () => {
    h = await startFaultHarness({ mailboxes: 4, pageSize: 10 });
    await runScenario(h, {
      name: "410 on a nextLink within a cycle",
      inject: (s) => s.sim.injectFault({ status: 410, code: "SyncStateNotFound", message: "The sync state is not found.", pathIncludes: "skiptoken", times: full ? 12 : 4 }),
      faultRounds: rounds,
      mailPerRound: 60,
      clear: () => undefined,
      maxRecoveryRounds: 3,
    });
  }, 60_000);

  it("delta pages that repeat items (the previous page's items again, shuffled)", async () => {
    h = await startFaultHarness({ mailboxes: 4, pageSize: 10 });
    await runScenario(h, {
      name: "delta pages repeat items",
      inject: (s) => s.mailboxes.forEach((m) => s.sim.repeatDeltaItems(m.address, true)),
      faultRounds: rounds,
      mailPerRound: 40,
      clear: (s) => s.mailboxes.forEach((m) => s.sim.repeatDeltaItems(m.address, false)),
      maxRecoveryRounds: 2,
    });
  }, 60_000);

  // Was BENCHMARKS.md "Findings" 1: two items with one internet message id and one received time
  // in a page (a user's copy of a message in the same folder) put the same index row twice in one
  // entity group transaction, which Table Storage refuses; each copy now has its own row, and the
  // list one row per activity.
  it("a copy of a message in the same folder (same internet message id and received time)", async () => {
    h = await startFaultHarness({ mailboxes: 2, pageSize: 10 });
    const [a] = h.mailboxes;
    await h.ledger.some(h.mailboxes, 3);
    await h.round();
    const at = new Date(Date.now() - 60_000);
    const original = await h.ledger.external(a!, at);
    // The copy: same internet message id and received time, another item in the same Inbox.
    h.sim.deliverMessage({ mailbox: a!.address, subject: original.subject, from: { address: "customer1@fabrikam.example", name: "Customer 1" }, to: [{ address: a!.address }], internetMessageId: original.internetMessageId, receivedDateTime: at.toISOString() });
    await h.ledger.external(a!);
    const reports = [];
    for (let r = 0; r < 3; r++) reports.push(...(await h.round()));
    const { rounds: recovery, report } = await h.recover(3);
    recordRow({
      scenario: "copy of a message in the same folder",
      report,
      recoveryCycles: report.ok ? recovery : null,
      recoverySeconds: null,
      notes: `cycles: ${reports.map((r) => r.outcome).join(", ")}`,
    });
    expect(reports.filter((r) => r.outcome === "error")).toEqual([]);
    expect(report.ok).toBe(true);
  }, 60_000);

  // Was issue 10, Correctness 1: a redelivery got a second list row (its key held the copy's
  // received time); the list now has one row per (mailbox, activity), whatever the copies.
  it("the same message delivered to a mailbox again later is listed once", async () => {
    h = await startFaultHarness({ mailboxes: 1 });
    const [a] = h.mailboxes;
    const first = await h.ledger.external(a!, new Date(Date.now() - 120_000));
    await h.round();
    h.sim.deliverMessage({ mailbox: a!.address, subject: first.subject, from: { address: "customer1@fabrikam.example" }, to: [{ address: a!.address }], internetMessageId: first.internetMessageId, receivedDateTime: new Date(Date.now() - 60_000).toISOString() });
    await h.round();
    const { rounds: recovery, report } = await h.recover(2);
    recordRow({
      scenario: "same message redelivered later",
      report,
      recoveryCycles: report.ok ? recovery : null,
      recoverySeconds: null,
      notes: "one internet message id delivered twice to one Inbox, a minute apart",
    });
    expect(report.ok).toBe(true);
  }, 60_000);

  // Was BENCHMARKS.md "Findings" 2: a lost sync state restarted the folder from the last completed
  // round, missing older mail moved into the folder since; it now restarts from the chain's own
  // lower bound.
  it("a message moved into the Inbox (received earlier), then sync state lost before the next round", async () => {
    h = await startFaultHarness({ mailboxes: 1 });
    const [a] = h.mailboxes;
    const filed = h.sim.deliverMessage({ mailbox: a!.address, folder: "archive", subject: "Filed earlier", from: { address: "customer@fabrikam.example" }, internetMessageId: "<filed-earlier@fabrikam.example>", receivedDateTime: new Date(Date.now() - 3_600_000).toISOString() });
    await h.ledger.external(a!);
    await h.round();
    await h.ledger.external(a!);
    await h.round();
    h.sim.moveMessage(a!.address, filed.id, "inbox");
    h.sim.evictDeltaTokens();
    h.ledger.expected.push({ internetMessageId: "<filed-earlier@fabrikam.example>", activityId: activityIdFor("<filed-earlier@fabrikam.example>", "", ""), subject: "Filed earlier", direction: "Incoming", mailboxIds: [a!.id], deliveredAt: Date.now() });
    const { rounds: recovery, report } = await h.recover(3);
    recordRow({
      scenario: "moved into Inbox, then 410",
      report,
      recoveryCycles: report.ok ? recovery : null,
      recoverySeconds: null,
      notes: "a message received an hour earlier moved from Archive to Inbox; sync state evicted before the next round",
    });
    expect(report.ok).toBe(true);
  }, 60_000);

  // The restart's lower bound must outlive the cycle that found the sync state lost: Process Emails
  // From has moved on to the last processed email, so a folder that starts again from it would miss
  // the older message moved in. The restart is a saved cursor, resumed after the failure.
  it("a message moved into the Inbox, sync state lost, and the restarted round failing before it completes", async () => {
    h = await startFaultHarness({ mailboxes: 1 });
    const [a] = h.mailboxes;
    const filed = h.sim.deliverMessage({ mailbox: a!.address, folder: "archive", subject: "Filed earlier", from: { address: "customer@fabrikam.example" }, internetMessageId: "<filed-before-restart@fabrikam.example>", receivedDateTime: new Date(Date.now() - 3_600_000).toISOString() });
    await h.ledger.external(a!);
    await h.round();
    await h.ledger.external(a!);
    await h.round();
    h.sim.moveMessage(a!.address, filed.id, "inbox");
    h.sim.evictDeltaTokens();
    // Only a restart's first request carries the received-time filter: both folders' fail once.
    h.sim.injectFault({ mailbox: a!.address, pathIncludes: "receivedDateTime", status: 503, code: "ServiceUnavailable", times: 2 });
    const [failed] = await h.round();
    h.ledger.expected.push({ internetMessageId: "<filed-before-restart@fabrikam.example>", activityId: activityIdFor("<filed-before-restart@fabrikam.example>", "", ""), subject: "Filed earlier", direction: "Incoming", mailboxIds: [a!.id], deliveredAt: Date.now() });
    const { rounds: recovery, report } = await h.recover(3);
    recordRow({
      scenario: "moved into Inbox, then 410, then the restart fails",
      report,
      recoveryCycles: report.ok ? recovery : null,
      recoverySeconds: null,
      notes: `as "moved into Inbox, then 410", and the restarted rounds' first requests answer 503 once (cycle: ${failed!.outcome})`,
    });
    expect(failed!.outcome).toBe("failed");
    expect(report.ok).toBe(true);
  }, 60_000);
});
