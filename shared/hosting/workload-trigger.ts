/** The body every workload's queue trigger shares: validate the message, run the cycle, log it. */
import type { InvocationContext } from "@azure/functions";
import { parseWorkloadMessage } from "../queues/work-queue.js";
import { flushSyncStats } from "../monitoring/sync-stats.js";
import { getRuntime } from "../runtime.js";
import type { WorkloadEngine } from "../sync/workload-runner.js";
import { runWorkload } from "../sync/workload-runner.js";
import { logCycle } from "../telemetry/cycle-report.js";
import { inSpan } from "../telemetry/telemetry.js";

export function workloadTrigger(engine: WorkloadEngine): (message: unknown, context: InvocationContext) => Promise<void> {
  return async (message, context) => {
    const body = parseWorkloadMessage(message);
    if (!body || body.workload !== engine.workload) {
      // A malformed trigger cannot become valid by retrying it.
      context.warn(`Dropped a malformed ${engine.workload} message`, { messageId: context.triggerMetadata?.messageId });
      return;
    }
    const report = await inSpan(`cycle ${engine.workload}`, { mailboxId: body.mailboxId, workload: engine.workload, reason: body.reason }, body.traceparent, async () =>
      runWorkload(await getRuntime(), engine, body),
    );
    logCycle({ info: (m, p) => context.log(m, p), warn: (m, p) => context.warn(m, p) }, report);
    // The dashboard's hourly figures: a failed write loses a few seconds of figures, never the cycle.
    await flushSyncStats(await getRuntime()).catch((error: unknown) => context.warn("sync figures not written", { error: error instanceof Error ? error.message : String(error) }));
  };
}
