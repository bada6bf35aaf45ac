/**
 * Push faults: notifications lost (the safety net catches up), duplicated and reordered, forged,
 * the subscription removed, missed, the endpoint down for a while, renewal failing. Cycles are
 * triggered by notifications (the push driver posts what Graph posts) while the fault is armed;
 * every row ends with nothing lost and nothing duplicated.
 */
import { afterEach, describe, expect, it } from "vitest";
import { pushView } from "../../shared/push/push-view.js";
import { runRenewalTick } from "../../shared/push/renewal.js";
import { startFaultHarness, type FaultHarness } from "./support/fault-harness.js";
import { startPushDriver, type NotifyOptions, type PushDriver } from "./support/push-driver.js";
import { full } from "./support/results.js";
import { runScenario } from "./support/scenario.js";

let h: FaultHarness | undefined;
let push: PushDriver | undefined;
afterEach(async () => {
  await push?.stop();
  await h?.stop();
  h = undefined;
  push = undefined;
});

const rounds = full ? 10 : 3;
const mailPerRound = full ? 20 : 5;

/** Harness with push on; `mode` decides what a round is: Graph's notifications (push) or the safety net's scheduled cycles. */
async function pushHarness() {
  h = await startFaultHarness({ mailboxes: 4, env: { PUSH_NOTIFICATION_URL: "http://127.0.0.1:9" } });
  push = await startPushDriver(h);
  const scheduled = h.round;
  const ids = h.mailboxes.map((m) => m.id);
  const state: { mode: "scheduled" | "push"; notify: NotifyOptions; afterCycles?: () => Promise<void> } = { mode: "scheduled", notify: {} };
  h.round = async () => {
    if (state.mode === "scheduled") return scheduled();
    await push!.notify(ids, state.notify);
    const reports = await push!.pushRound();
    await state.afterCycles?.();
    return reports;
  };
  // Recovery rounds are rounds of the current mode too (the harness's own recover runs scheduled ones).
  h.recover = async (max = 10) => {
    let report = await h!.check();
    let done = 0;
    while (!report.ok && done < max) {
      await h!.round();
      done++;
      report = await h!.check();
    }
    return { rounds: done, report };
  };
  return { state, scheduled, ids };
}

describe("push faults", () => {
  it("notifications lost: the safety-net round catches up", async () => {
    const { state } = await pushHarness();
    await runScenario(h!, {
      name: "push: notifications lost",
      inject: () => void Object.assign(state, { mode: "push", notify: { lose: 1 } }),
      faultRounds: rounds,
      mailPerRound,
      clear: () => void Object.assign(state, { mode: "scheduled", notify: {} }),
      maxRecoveryRounds: 1,
      notes: "every notification dropped; one scheduled round after",
    });
  }, 120_000);

  it("notifications duplicated, late and reordered: nothing duplicated, bursts folded", async () => {
    const { state, ids } = await pushHarness();
    await runScenario(h!, {
      name: "push: notifications duplicated and reordered",
      inject: () => void Object.assign(state, { mode: "push", notify: { copies: 3, reorder: true }, afterCycles: async () => void (await push!.notify(ids, { copies: 2, reorder: true })) }),
      faultRounds: rounds,
      mailPerRound,
      clear: () => void Object.assign(state, { notify: {}, afterCycles: undefined }),
      maxRecoveryRounds: 1,
      notes: "each notification 3 times in random order, 2 late copies after each round's cycles",
    });
  }, 120_000);

  it("forged clientState and unknown subscriptions trigger nothing", async () => {
    const { state, ids } = await pushHarness();
    const before = push!.triggersQueued();
    await push!.notify(ids, { lose: 1, forge: true });
    expect(push!.triggersQueued()).toBe(before);
    await runScenario(h!, {
      name: "push: forged clientState",
      inject: () => void Object.assign(state, { mode: "push", notify: { forge: true, reorder: true } }),
      faultRounds: rounds,
      mailPerRound,
      clear: () => void Object.assign(state, { notify: {} }),
      maxRecoveryRounds: 1,
      notes: "a forged and an unknown-subscription notification beside every genuine one",
    });
  }, 120_000);

  it("subscription removed: the lifecycle event runs a delta round now; recreated by the renewal timer (else polling)", async () => {
    const { state, ids } = await pushHarness();
    await runScenario(h!, {
      name: "push: subscription removed",
      inject: async () => {
        for (const id of ids) await push!.lifecycle(id, "subscriptionRemoved");
        Object.assign(state, { mode: "push", notify: { lose: 1 } });
      },
      faultRounds: rounds,
      mailPerRound,
      clear: async () => {
        // Recreated → its delta round is queued; not recreated → the workload is back on polling.
        await runRenewalTick(h!.runtime);
        Object.assign(state, { mode: "scheduled" });
      },
      maxRecoveryRounds: 1,
      notes: "subscriptionRemoved, then no notifications; renewal tick, then polling",
    });
  }, 120_000);

  it("missed: the lifecycle event's delta round catches up without the safety net", async () => {
    const { state, ids } = await pushHarness();
    await runScenario(h!, {
      name: "push: missed",
      inject: () => void Object.assign(state, { mode: "push", notify: { lose: 1 } }),
      faultRounds: rounds,
      mailPerRound,
      clear: async () => {
        for (const id of ids) await push!.lifecycle(id, "missed");
        Object.assign(state, { notify: { lose: 1 } });
      },
      maxRecoveryRounds: 1,
      notes: "notifications dropped, then a missed lifecycle event per mailbox; push rounds only",
    });
  }, 120_000);

  it("endpoint down for a while: Graph's retried deliveries catch up once it is back", async () => {
    const { state } = await pushHarness();
    await runScenario(h!, {
      name: "push: endpoint down for a while",
      inject: () => {
        push!.endpointDown();
        Object.assign(state, { mode: "push", notify: {} });
      },
      faultRounds: rounds,
      mailPerRound,
      clear: async () => void (await push!.endpointUp()),
      maxRecoveryRounds: 1,
      notes: "notifications undeliverable, then delivered by Graph's retries; push rounds only",
    });
  }, 120_000);

  it("renewal failing until the subscription expires: the workload falls back to polling", async () => {
    const { state, ids } = await pushHarness();
    await runScenario(h!, {
      name: "push: renewal failing",
      inject: async () => {
        h!.sim.injectFault({ status: 503, pathIncludes: "subscriptions", times: "forever" });
        const soon = Date.now() + 500;
        for (const id of ids) {
          const [sub] = await h!.runtime.pushSubscriptions.forMailbox(id);
          await h!.runtime.pushSubscriptions.save({ ...sub!, expiresAt: soon, renewDueAt: Date.now() });
        }
        await runRenewalTick(h!.runtime);
        await new Promise((resolve) => setTimeout(resolve, 600));
        const view = await pushView(h!.runtime, ids[0]!);
        expect(view).toMatchObject({ enabled: true, workloads: { incoming: { state: expect.stringMatching(/^subscription(Expired|Failed)$/) } } });
        // Expired: Graph notifies no more, and the cycle's schedule is the polling one again.
        Object.assign(state, { mode: "scheduled" });
      },
      faultRounds: rounds,
      mailPerRound,
      clear: async () => {
        h!.sim.clearFaults();
        await runRenewalTick(h!.runtime);
      },
      maxRecoveryRounds: 1,
      notes: "PATCH/POST /subscriptions answer 503; expired; polling meanwhile",
    });
  }, 120_000);
});
