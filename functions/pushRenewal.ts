/** Timer, every minute: renew push subscriptions that are due, recreate lost ones, follow a changed notification URL. */
import type { InvocationContext, Timer } from "@azure/functions";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { runRenewalTick } from "../shared/push/renewal.js";
import { getRuntime } from "../shared/runtime.js";
import { inSpan } from "../shared/telemetry/telemetry.js";

export async function pushRenewal(_timer: Timer, context: InvocationContext): Promise<void> {
  const runtime = await getRuntime();
  const report = await inSpan("push renewal tick", {}, undefined, () => runRenewalTick(runtime));
  context.log("push renewal tick", report);
}

defineFunction({ kind: "timer", name: "pushRenewal", schedule: "30 */1 * * * *", handler: pushRenewal });
