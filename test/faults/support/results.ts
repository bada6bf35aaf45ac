/**
 * One row per fault scenario, written to test/faults/results/<scenario>.json as each test ends;
 * report.ts gathers them into the table printed by `npm run test:faults` and BENCHMARKS.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { InvariantReport } from "./invariant.js";

export const resultsDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../results");

/** FAULTS_FULL=1: the long runs (more mail, more rounds, repeated kills). */
export const full = process.env.FAULTS_FULL === "1" || process.env.FAULTS_FULL === "true";

export interface FaultRow {
  scenario: string;
  mode: "short" | "full";
  delivered: number;
  stored: number;
  duplicated: number;
  lost: number;
  disabled: number;
  /** Cycles per mailbox after the fault ended until the invariant held (harness), or restarts survived. */
  recoveryCycles: number | null;
  /** Seconds from the end of the fault until the invariant held (informative; never asserted). */
  recoverySeconds: number | null;
  faultsFired?: number;
  notes: string;
  /** A known product bug this scenario shows (the row is expected to fail until it is fixed). */
  knownBug?: string;
}

export function recordRow(row: Omit<FaultRow, "mode" | "delivered" | "stored" | "duplicated" | "lost" | "disabled"> & { report: InvariantReport }): FaultRow {
  const { report, ...rest } = row;
  const full: FaultRow = {
    ...rest,
    mode: process.env.FAULTS_FULL ? "full" : "short",
    delivered: report.delivered,
    stored: report.stored,
    duplicated: report.duplicated,
    lost: report.lost + report.wrong.length,
    disabled: report.disabled.length,
  };
  mkdirSync(resultsDir, { recursive: true });
  const slug = row.scenario.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  writeFileSync(path.join(resultsDir, `${slug}.json`), `${JSON.stringify(full, null, 2)}\n`);
  return full;
}
