/** Dead-letter queue of the act workload: alert and reschedule the mailbox. */
import type { InvocationContext } from "@azure/functions";
import { queueNames } from "../shared/config/names.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";
import { handleDeadLetter } from "../shared/sync/dead-letter.js";

export async function actSyncDeadLetter(message: unknown, context: InvocationContext): Promise<void> {
  const outcome = await handleDeadLetter(await getRuntime(), message);
  context.warn("dead-lettered act message", { messageId: context.triggerMetadata?.messageId, outcome });
}

defineFunction({ kind: "serviceBusQueue", name: "actSyncDeadLetter", queueName: `${queueNames.act}/$deadletterqueue`, sessions: false, handler: actSyncDeadLetter });
