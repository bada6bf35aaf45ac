/**
 * The shape most harness scenarios share: a first sync, then rounds of cycles while mail keeps
 * arriving and a fault is active, then rounds until the invariant holds again. Asserts the
 * invariant and that recovery took a bounded number of cycles; records the row.
 */
import { expect } from "vitest";
import type { FaultHarness } from "./fault-harness.js";
import { recordRow, type FaultRow } from "./results.js";

export interface ScenarioSpec {
  name: string;
  /** Arms the fault (called once, after the first sync). */
  inject(h: FaultHarness): void | Promise<void>;
  /** Rounds run while the fault is armed (mail arrives before each). */
  faultRounds: number;
  mailPerRound: number;
  /** Ends the fault (default: clearFaults). */
  clear?(h: FaultHarness): void | Promise<void>;
  /** Rounds allowed after the fault ends before the invariant must hold. */
  maxRecoveryRounds?: number;
  /** Pause between recovery rounds (for faults whose aftermath is timed by a client library). */
  recoveryPauseMs?: number;
  notes?: string;
}

export async function runScenario(h: FaultHarness, spec: ScenarioSpec): Promise<FaultRow> {
  await h.ledger.some(h.mailboxes, 4);
  const first = await h.round();
  expect(first.map((r) => r.outcome)).toEqual(h.mailboxes.map(() => "completed"));
  h.sim.resetStats();
  await spec.inject(h);
  const outcomes: Record<string, number> = {};
  for (let r = 0; r < spec.faultRounds; r++) {
    await h.ledger.some(h.mailboxes, spec.mailPerRound);
    for (const report of await h.round()) outcomes[report.outcome] = (outcomes[report.outcome] ?? 0) + 1;
  }
  const faultsFired = h.sim.stats().faultsFired;
  await (spec.clear ? spec.clear(h) : h.sim.clearFaults());
  const endedAt = Date.now();
  const { rounds, report } = await h.recover(spec.maxRecoveryRounds ?? 3, spec.recoveryPauseMs);
  const row = recordRow({
    scenario: spec.name,
    report,
    recoveryCycles: rounds,
    recoverySeconds: Math.round((Date.now() - endedAt) / 100) / 10,
    faultsFired,
    notes: `${spec.notes ? `${spec.notes}; ` : ""}cycles during the fault: ${Object.entries(outcomes).map(([k, v]) => `${k} ${v}`).join(", ")}`,
  });
  expect(report.wrong).toEqual([]);
  expect(report.disabled).toEqual([]);
  expect({ duplicated: report.duplicated, lost: report.lost, stored: report.stored }).toEqual({ duplicated: 0, lost: 0, stored: report.delivered });
  expect(rounds).toBeLessThanOrEqual(spec.maxRecoveryRounds ?? 3);
  return row;
}
