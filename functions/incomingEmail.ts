/** Service Bus trigger (sessions by mailbox): one incoming email cycle for one mailbox. */
import type { InvocationContext } from "@azure/functions";
import { queueNames } from "../shared/config/names.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { parseWorkloadMessage } from "../shared/queues/work-queue.js";
import { getRuntime } from "../shared/runtime.js";
import { incomingEngine } from "../shared/sync/incoming/incoming-engine.js";
import { runWorkload } from "../shared/sync/workload-runner.js";
import { logCycle } from "../shared/telemetry/cycle-report.js";

export async function incomingEmail(message: unknown, context: InvocationContext): Promise<void> {
  const body = parseWorkloadMessage(message);
  if (!body || body.workload !== "incoming") {
    // A malformed trigger cannot become valid by retrying it.
    context.warn("Dropped a malformed incoming-email message", { messageId: context.triggerMetadata?.messageId });
    return;
  }
  const report = await runWorkload(await getRuntime(), incomingEngine, body);
  logCycle({ info: (m, p) => context.log(m, p), warn: (m, p) => context.warn(m, p) }, report);
}

defineFunction({ kind: "serviceBusQueue", name: "incomingEmail", queueName: queueNames.incoming, handler: incomingEmail });
