/**
 * What the local host's progress line counts, from the cycles' own reports: which mailboxes sync
 * and which fail right now, how much mail came in, and how the cycles ended. A mailbox is failing
 * while the last cycle of any of its workloads failed (a disabled workload stays failing until
 * Test & Enable and a good cycle); it is ok once a cycle completed and none of its workloads fails.
 */
import type { Workload } from "../../../shared/domain/workloads.js";
import type { CycleReport } from "../../../shared/telemetry/cycle-report.js";

export interface ProgressCounts {
  mailboxesOk: number;
  mailboxesFailing: number;
  emailsSynced: number;
  cycles: number;
  cyclesFailed: number;
  /** Waited for a free connection of the profile, or throttled by Exchange: they run again shortly. */
  cyclesPostponed: number;
}

export class CycleTally {
  private readonly lastOutcome = new Map<string, Map<Workload, "ok" | "failing">>();
  private emailsSynced = 0;
  private cycles = 0;
  private cyclesFailed = 0;
  private cyclesPostponed = 0;

  record(report: CycleReport): void {
    if (report.outcome === "skipped" || report.outcome === "superseded") return;
    this.cycles++;
    // Mail taken in and mail sent; appointments, contacts and tasks are not email.
    if (report.workload !== "act") this.emailsSynced += report.items;
    if (report.outcome === "throttled") {
      this.cyclesPostponed++;
      return;
    }
    const workloads = this.lastOutcome.get(report.mailboxId) ?? new Map<Workload, "ok" | "failing">();
    this.lastOutcome.set(report.mailboxId, workloads);
    if (report.outcome === "failed") {
      this.cyclesFailed++;
      workloads.set(report.workload, "failing");
    } else {
      workloads.set(report.workload, "ok");
    }
  }

  counts(): ProgressCounts {
    let failing = 0;
    for (const workloads of this.lastOutcome.values()) if ([...workloads.values()].includes("failing")) failing++;
    return {
      mailboxesOk: this.lastOutcome.size - failing,
      mailboxesFailing: failing,
      emailsSynced: this.emailsSynced,
      cycles: this.cycles,
      cyclesFailed: this.cyclesFailed,
      cyclesPostponed: this.cyclesPostponed,
    };
  }
}

/** The line `npm start` prints every 10 seconds (README "Quick start" shows it). */
export function progressLine(c: ProgressCounts): string {
  return `mailboxes ok ${c.mailboxesOk} · failing ${c.mailboxesFailing} · emails synced ${c.emailsSynced} · cycles ${c.cycles} (failed ${c.cyclesFailed}, postponed ${c.cyclesPostponed})`;
}
