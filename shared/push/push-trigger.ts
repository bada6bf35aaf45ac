/**
 * "This mailbox workload is due now", as a notification says it: a queue message in the mailbox's
 * session, delivered at the end of its time bucket, whose id folds every notification of the bucket
 * into one cycle (the broker drops the repeats). It is a trigger like the scheduler's: the cycle
 * runs as ever and its delta round decides what changed.
 */
import { queueNames } from "../config/names.js";
import { pushTrigger, type PushWorkload } from "../domain/push/subscriptions.js";
import type { OutgoingQueueMessage } from "../queues/work-queue.js";
import type { Runtime } from "../runtime.js";

export interface WorkloadDue {
  mailboxId: string;
  workload: PushWorkload;
}

export async function queuePushRounds(runtime: Runtime, due: readonly WorkloadDue[]): Promise<OutgoingQueueMessage[]> {
  const now = runtime.now();
  const byQueue = new Map<PushWorkload, Map<string, OutgoingQueueMessage>>();
  for (const { mailboxId, workload } of due) {
    const { messageId, deliverAt } = pushTrigger(workload, mailboxId, now);
    const messages = byQueue.get(workload) ?? new Map<string, OutgoingQueueMessage>();
    messages.set(messageId, { messageId, sessionId: mailboxId, body: { mailboxId, workload, slot: deliverAt, reason: "push" }, scheduledEnqueueTime: new Date(deliverAt) });
    byQueue.set(workload, messages);
  }
  const sent: OutgoingQueueMessage[] = [];
  for (const [workload, messages] of byQueue) {
    await runtime.queue.send(queueNames[workload], [...messages.values()]);
    sent.push(...messages.values());
  }
  return sent;
}
