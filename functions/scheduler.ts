/** Timer, every minute: queue the mailbox workloads that are due. */
import type { InvocationContext, Timer } from "@azure/functions";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";
import { runSchedulerTick } from "../shared/scheduler/scheduler.js";

export async function scheduler(_timer: Timer, context: InvocationContext): Promise<void> {
  const report = await runSchedulerTick(await getRuntime());
  context.log("scheduler tick", report);
}

defineFunction({ kind: "timer", name: "scheduler", schedule: "0 */1 * * * *", handler: scheduler });
