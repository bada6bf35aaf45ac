/** Dead-letter queue of the incoming workload: alert and reschedule the mailbox. */
import type { InvocationContext } from "@azure/functions";
import { queueNames } from "../shared/config/names.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";
import { handleDeadLetter } from "../shared/sync/dead-letter.js";

export async function incomingEmailDeadLetter(message: unknown, context: InvocationContext): Promise<void> {
  const outcome = await handleDeadLetter(await getRuntime(), message);
  context.warn("dead-lettered incoming message", { messageId: context.triggerMetadata?.messageId, outcome });
}

defineFunction({ kind: "serviceBusQueue", name: "incomingEmailDeadLetter", queueName: `${queueNames.incoming}/$deadletterqueue`, sessions: false, handler: incomingEmailDeadLetter });
