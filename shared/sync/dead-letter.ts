/**
 * A workload message that failed on every delivery lands in its queue's dead-letter queue. Turn it
 * into an alert and reschedule the mailbox's workload (in 5 minutes), so one poisoned run never
 * stops a mailbox for good.
 */
import { raiseAlert } from "../alerts/alert-service.js";
import { queueNames } from "../config/names.js";
import { queueLeaseMs, transientRetryDelayMs } from "../domain/schedule.js";
import { parseWorkloadMessage } from "../queues/work-queue.js";
import type { Runtime } from "../runtime.js";
import { workloadMessageId } from "./workload-runner.js";

export type DeadLetterOutcome = "rescheduled" | "notRunnable" | "unknownMailbox" | "malformed";

export async function handleDeadLetter(runtime: Runtime, body: unknown): Promise<DeadLetterOutcome> {
  const message = parseWorkloadMessage(body);
  if (!message) return "malformed";
  const stored = await runtime.mailboxes.get(message.mailboxId);
  if (!stored) return "unknownMailbox";
  const { mailbox } = stored;
  await raiseAlert(runtime, "DeadLettered", { mailbox, workload: message.workload });
  const state = mailbox.workloads[message.workload];
  if (!state.enabled || state.method !== "ServerSideSync") return "notRunnable";
  const next = runtime.now() + transientRetryDelayMs;
  await runtime.queue.send(queueNames[message.workload], [
    {
      messageId: workloadMessageId(message.workload, mailbox.id, next),
      sessionId: mailbox.id,
      body: { mailboxId: mailbox.id, workload: message.workload, slot: next, reason: "scheduled" },
      scheduledEnqueueTime: new Date(next),
    },
  ]);
  await runtime.mailboxes.patch(mailbox.id, { workload: { name: message.workload, state: { nextSlot: next, dueAt: next + queueLeaseMs(runtime.settings.cycleMaxMs) } } });
  return "rescheduled";
}
