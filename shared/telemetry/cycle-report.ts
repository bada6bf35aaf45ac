/**
 * One structured record per cycle: ids, counts, durations, outcome and error code. Never subjects,
 * bodies, addresses or secrets, so it can go to any log sink.
 */
import type { Workload } from "../domain/workloads.js";
import { recordCycle, telemetryExporting } from "./telemetry.js";

export type CycleOutcome = "completed" | "yielded" | "throttled" | "failed" | "skipped" | "superseded";

export interface CycleReport {
  mailboxId: string;
  workload: Workload;
  outcome: CycleOutcome;
  /** Why a cycle was skipped, e.g. notApproved, stale, unknownMailbox. */
  reason?: string;
  items: number;
  /** What the items were, by kind (incoming: tracked, untracked): counts only, never content. */
  counts?: Record<string, number>;
  graphRequests: number;
  durationMs: number;
  errorCode?: string;
  nextRunAt?: string;
}

export interface CycleLogger {
  info(message: string, properties: object): void;
  warn(message: string, properties: object): void;
}

export function logCycle(logger: CycleLogger, report: CycleReport): void {
  recordCycle(report);
  // Exported through OpenTelemetry already (with its fields as customDimensions): logging it to
  // the host as well would count every cycle twice in Application Insights.
  if (telemetryExporting()) return;
  const line = `cycle ${report.workload} ${report.outcome}`;
  if (report.outcome === "failed") logger.warn(line, report);
  else logger.info(line, report);
}
