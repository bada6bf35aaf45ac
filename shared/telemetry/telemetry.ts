/**
 * Telemetry for ops, through OpenTelemetry: one structured log record per cycle (its attributes
 * become customDimensions in Application Insights), metrics (cycles, items, failures by cause,
 * cycle duration, sync latency, throttling waits) and traces from scheduler to queue to worker.
 * Only ids, counts, durations, outcomes and codes are recorded: never subjects, bodies, addresses
 * or secrets. Without an exporter configured the API calls cost next to nothing.
 */
import { context, metrics, propagation, SpanStatusCode, trace, type Attributes } from "@opentelemetry/api";
import { logs, SeverityNumber } from "@opentelemetry/api-logs";
import type { Environment } from "../config/settings.js";
import type { CycleReport } from "./cycle-report.js";
import { tallyCycle, tallyLatency } from "../monitoring/sync-stats.js";

const scope = "crm-server-side-sync";
let exporting = false;

/** Whether OpenTelemetry exports to Application Insights (then it carries the cycle log too). */
export function telemetryExporting(): boolean {
  return exporting;
}

/** Starts the Azure Monitor exporters when Application Insights is configured (in Azure). */
export async function startTelemetry(env: Environment): Promise<boolean> {
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (!connectionString) return false;
  const { useAzureMonitor } = await import("@azure/monitor-opentelemetry");
  // Entra-authenticated ingestion: "Authorization=AAD;ClientId=<user-assigned identity>".
  const clientId = /ClientId=([0-9a-f-]{36})/i.exec(env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? "")?.[1];
  const credential = env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ? (await import("../config/azure-credential.js")).azureCredential(clientId) : undefined;
  useAzureMonitor({ azureMonitorExporterOptions: { connectionString, ...(credential ? { credential } : {}) } });
  exporting = true;
  return true;
}

/** The cycle's log record and metrics. */
export function recordCycle(report: CycleReport): void {
  tallyCycle(report);
  const attributes: Attributes = {
    mailboxId: report.mailboxId,
    workload: report.workload,
    outcome: report.outcome,
    items: report.items,
    graphRequests: report.graphRequests,
    durationMs: report.durationMs,
    ...(report.reason ? { reason: report.reason } : {}),
    ...(report.errorCode ? { errorCode: report.errorCode } : {}),
    ...(report.nextRunAt ? { nextRunAt: report.nextRunAt } : {}),
    ...Object.fromEntries(Object.entries(report.counts ?? {}).map(([kind, count]) => [`items.${kind}`, count])),
  };
  logs.getLogger(scope).emit({
    severityNumber: report.outcome === "failed" ? SeverityNumber.WARN : SeverityNumber.INFO,
    severityText: report.outcome === "failed" ? "WARN" : "INFO",
    body: `cycle ${report.workload} ${report.outcome}`,
    attributes,
  });
  const meter = metrics.getMeter(scope);
  const dimensions = { workload: report.workload, outcome: report.outcome };
  meter.createCounter("sync.cycles", { description: "Mailbox workload cycles by outcome" }).add(1, dimensions);
  meter.createCounter("sync.items", { description: "Items processed (emails, sends, ACT changes)" }).add(report.items, { workload: report.workload });
  meter.createHistogram("sync.cycle.duration", { unit: "ms", description: "Cycle duration" }).record(report.durationMs, dimensions);
  if (report.outcome === "failed") {
    meter.createCounter("sync.failures", { description: "Failed cycles by error code" }).add(1, { workload: report.workload, errorCode: report.errorCode ?? "unknown" });
  }
  if (report.outcome === "throttled" && report.nextRunAt) {
    const waitMs = Math.max(0, Date.parse(report.nextRunAt) - Date.now());
    meter.createHistogram("sync.throttle.wait", { unit: "ms", description: "Time postponed by throttling or the connection limit" }).record(waitMs, { workload: report.workload, errorCode: report.errorCode ?? "Throttled" });
  }
}

/** How long an item took from Exchange to the CRM store. */
export function recordSyncLatency(workload: string, latencyMs: number): void {
  tallyLatency(workload, latencyMs);
  metrics.getMeter(scope).createHistogram("sync.latency", { unit: "ms", description: "From Exchange receipt to stored in the CRM" }).record(latencyMs, { workload });
}

/** Change notifications received, by outcome (accepted, forged, unknownSubscription, malformed). */
export function recordPushNotifications(outcome: string, count: number): void {
  if (count > 0) metrics.getMeter(scope).createCounter("push.notifications", { description: "Graph change notifications by outcome" }).add(count, { outcome });
}

/** The current trace context as a W3C traceparent, to carry in a queue message. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** Runs work in a span, continuing the trace a queue message carried. */
export async function inSpan<T>(name: string, attributes: Attributes, traceparent: string | undefined, work: () => Promise<T>): Promise<T> {
  const parent = traceparent ? propagation.extract(context.active(), { traceparent }) : context.active();
  return trace.getTracer(scope).startActiveSpan(name, { attributes }, parent, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : "error" });
      throw error;
    } finally {
      span.end();
    }
  });
}
