/**
 * What the monitoring dashboard charts per hour (pure): items synced, cycles, failed and throttled
 * cycles, the time throttling postponed work, and delivery latency (Exchange receipt → stored in
 * the CRM). Each instance tallies its own cycles and writes its rows (one per hour and workload);
 * the dashboard adds the instances' rows up (shared/storage/sync-stats-repository.ts).
 */
import type { CycleReport } from "../telemetry/cycle-report.js";

export interface HourlyCounts {
  cycles: number;
  items: number;
  failed: number;
  throttled: number;
  throttleWaitMs: number;
  latencyCount: number;
  latencySumMs: number;
  latencyMaxMs: number;
}

export const emptyCounts = (): HourlyCounts => ({ cycles: 0, items: 0, failed: 0, throttled: 0, throttleWaitMs: 0, latencyCount: 0, latencySumMs: 0, latencyMaxMs: 0 });

/** "2026-12-02T12": the hour a time falls in (UTC), which sorts as text. */
export function hourOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13);
}

export function addCounts(into: HourlyCounts, more: HourlyCounts): HourlyCounts {
  into.cycles += more.cycles;
  into.items += more.items;
  into.failed += more.failed;
  into.throttled += more.throttled;
  into.throttleWaitMs += more.throttleWaitMs;
  into.latencyCount += more.latencyCount;
  into.latencySumMs += more.latencySumMs;
  into.latencyMaxMs = Math.max(into.latencyMaxMs, more.latencyMaxMs);
  return into;
}

export class HourlyTally {
  private readonly rows = new Map<string, HourlyCounts>();
  private readonly changed = new Set<string>();

  private row(hour: string, workload: string): HourlyCounts {
    const key = `${hour}|${workload}`;
    let counts = this.rows.get(key);
    if (!counts) this.rows.set(key, (counts = emptyCounts()));
    this.changed.add(key);
    return counts;
  }

  recordCycle(report: Pick<CycleReport, "workload" | "outcome" | "items" | "nextRunAt">, atMs: number): void {
    const counts = this.row(hourOf(atMs), report.workload);
    counts.cycles++;
    counts.items += report.items;
    if (report.outcome === "failed") counts.failed++;
    if (report.outcome === "throttled") {
      counts.throttled++;
      if (report.nextRunAt) counts.throttleWaitMs += Math.max(0, Date.parse(report.nextRunAt) - atMs);
    }
  }

  recordLatency(workload: string, latencyMs: number, atMs: number): void {
    const counts = this.row(hourOf(atMs), workload);
    counts.latencyCount++;
    counts.latencySumMs += latencyMs;
    counts.latencyMaxMs = Math.max(counts.latencyMaxMs, latencyMs);
  }

  /** The rows changed since the last call (this instance's whole hour each, so a write replaces), and forgets hours before keepFromHour. */
  takeChanged(keepFromHour: string): Array<{ hour: string; workload: string; counts: HourlyCounts }> {
    const out = [...this.changed].map((key) => {
      const [hour, workload] = key.split("|") as [string, string];
      return { hour, workload, counts: { ...this.rows.get(key)! } };
    });
    this.changed.clear();
    for (const key of this.rows.keys()) if (key.split("|")[0]! < keepFromHour) this.rows.delete(key);
    return out;
  }
}
