/** Timer, every minute: queue the mailbox workloads that are due. */
import type { InvocationContext, Timer } from "@azure/functions";
import { purgeExpiredFailures } from "../shared/api/failure-api.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";
import { runSchedulerTick } from "../shared/scheduler/scheduler.js";
import { inSpan } from "../shared/telemetry/telemetry.js";

export async function scheduler(_timer: Timer, context: InvocationContext): Promise<void> {
  const runtime = await getRuntime();
  const report = await inSpan("scheduler tick", {}, undefined, () => runSchedulerTick(runtime));
  context.log("scheduler tick", report);
  // Item-level failures are kept ITEM_FAILURE_RETENTION_DAYS; the purge runs at most hourly.
  const purged = await purgeExpiredFailures(runtime);
  if (purged > 0) context.log("item-level failures past retention deleted", { purged });
}

defineFunction({ kind: "timer", name: "scheduler", schedule: "0 */1 * * * *", handler: scheduler });
