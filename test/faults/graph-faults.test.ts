/**
 * Exchange Online misbehaving: 429 storms with and without Retry-After, bursts of 500/503/504,
 * connections reset, requests hanging past the request timeout — also in the middle of a paged
 * delta round. Each ends with the invariant (every message once, right direction and mailboxes,
 * nothing disabled) within a bounded number of cycles. FAULTS_FULL=1 runs longer storms.
 */
import { afterEach, beforeEach, describe, it } from "vitest";
import { startFaultHarness, type FaultHarness } from "./support/fault-harness.js";
import { full } from "./support/results.js";
import { runScenario } from "./support/scenario.js";

let h: FaultHarness;
beforeEach(async () => {
  h = await startFaultHarness({ mailboxes: 4 });
});
afterEach(async () => {
  await h?.stop();
});

const rounds = full ? 12 : 3;
const mail = full ? 8 : 3;

describe("Graph faults", () => {
  it("a 429 storm with Retry-After postpones every cycle, fails none, and loses nothing", async () => {
    await runScenario(h, {
      name: "429 storm with Retry-After",
      inject: (s) => s.sim.injectFault({ status: 429, code: "ApplicationThrottled", message: "Application is over its MailboxConcurrency limit.", retryAfterSeconds: 2, times: "forever" }),
      faultRounds: rounds,
      mailPerRound: mail,
      maxRecoveryRounds: 2,
    });
  }, 60_000);

  it("a 429 storm without Retry-After the same", async () => {
    await runScenario(h, {
      name: "429 storm without Retry-After",
      inject: (s) => s.sim.injectFault({ status: 429, code: "TooManyRequests", times: "forever" }),
      faultRounds: rounds,
      mailPerRound: mail,
      maxRecoveryRounds: 2,
    });
  }, 60_000);

  it("bursts of 500, 503 and 504 are retried; no mailbox is disabled", async () => {
    await runScenario(h, {
      name: "500/503/504 bursts",
      inject: (s) => {
        const statuses = [500, 503, 504];
        // Each mailbox's burst is at most 4 failed requests: far from the 10 failed cycles in a row that disable.
        s.mailboxes.forEach((m, i) => s.sim.injectFault({ mailbox: m.address, status: statuses[i % 3]!, times: full ? 8 : 4 }));
      },
      faultRounds: rounds + 2,
      mailPerRound: mail,
      clear: () => undefined,
      maxRecoveryRounds: 3,
      notes: `${full ? 8 : 4} failing requests per mailbox`,
    });
  }, 60_000);

  it("5xx in the middle of a paged delta round", async () => {
    await runScenario(h, {
      name: "503 on nextLink pages (mid-round)",
      inject: (s) => s.sim.injectFault({ status: 503, pathIncludes: "skiptoken", times: full ? 12 : 4 }),
      faultRounds: rounds + 2,
      mailPerRound: 60,
      clear: () => undefined,
      maxRecoveryRounds: 3,
      notes: "page size 10, about 15 messages per mailbox a round so every round pages",
    });
  }, 60_000);

  it("connections reset without an answer", async () => {
    await runScenario(h, {
      name: "network resets",
      inject: (s) => s.mailboxes.forEach((m) => s.sim.injectFault({ mailbox: m.address, kind: "reset", times: full ? 6 : 3 })),
      faultRounds: rounds + 1,
      mailPerRound: mail,
      clear: () => undefined,
      maxRecoveryRounds: 3,
    });
  }, 60_000);

  it("requests hanging past the request timeout", async () => {
    await runScenario(h, {
      name: "timeouts (hang 2.5 s, timeout 1 s)",
      inject: (s) => s.mailboxes.forEach((m) => s.sim.injectFault({ mailbox: m.address, kind: "hang", ms: 2_500, times: full ? 4 : 2 })),
      faultRounds: rounds,
      mailPerRound: mail,
      clear: () => undefined,
      maxRecoveryRounds: 4,
      notes: "a hung request keeps its slot of the 4 per mailbox until the simulator lets it go",
    });
  }, 90_000);
});
