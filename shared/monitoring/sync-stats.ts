/**
 * This instance's hourly tally (hourly-tally.ts), fed by the telemetry calls every cycle already
 * makes, and written to the syncstats table at most every flushEveryMs by the queue triggers. The
 * figures were only in Application Insights before; the console's dashboard reads them from
 * storage, with nothing else to deploy.
 */
import { randomUUID } from "node:crypto";
import type { Runtime } from "../runtime.js";
import type { CycleReport } from "../telemetry/cycle-report.js";
import { hourOf, HourlyTally } from "./hourly-tally.js";

const instanceId = randomUUID();
const tally = new HourlyTally();
const flushEveryMs = 10_000;
let lastFlushMs = 0;
let flushing: Promise<void> | undefined;

export function tallyCycle(report: CycleReport): void {
  tally.recordCycle(report, Date.now());
}

export function tallyLatency(workload: string, latencyMs: number): void {
  tally.recordLatency(workload, latencyMs, Date.now());
}

/** Writes what changed since the last write, unless one was written less than flushEveryMs ago. */
export async function flushSyncStats(runtime: Runtime, options: { force?: boolean } = {}): Promise<void> {
  const now = Date.now();
  if (flushing || (!options.force && now - lastFlushMs < flushEveryMs)) return flushing;
  lastFlushMs = now;
  const rows = tally.takeChanged(hourOf(now - 2 * 60 * 60 * 1000));
  if (rows.length === 0) return;
  flushing = runtime.syncStats.write(instanceId, rows).finally(() => (flushing = undefined));
  return flushing;
}
