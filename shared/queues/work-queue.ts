/**
 * The queue seam. Queues carry triggers, not truth: a message says "run this mailbox's workload",
 * and what is due lives in Table Storage, so a lost or duplicated message costs one extra cycle at
 * most. Sending goes through this interface because the Functions Service Bus output binding can
 * set neither sessionId nor messageId; Azure uses Service Bus, the local host an in-process bus
 * with the same semantics.
 */
import { z } from "zod";
import { workloads, type Workload } from "../domain/workloads.js";

/** Body of a workload message. `slot` is the due time (ms) the message was sent for. */
export interface WorkloadMessageBody {
  mailboxId: string;
  workload: Workload;
  slot: number;
  /** Why it was queued: the scheduler's pass, an on-demand nudge, or a change notification (push). */
  reason: "scheduled" | "nudge" | "push";
  /** W3C trace context of whoever queued it, so the worker's span joins that trace. */
  traceparent?: string;
}

export interface OutgoingQueueMessage<TBody = WorkloadMessageBody> {
  /** Re-sends with the same id inside the duplicate-detection window are dropped by the broker. */
  messageId: string;
  /** One session per mailbox: a mailbox's workload runs in one place at a time. */
  sessionId: string;
  body: TBody;
  /** Deliver no earlier than this time. */
  scheduledEnqueueTime?: Date;
}

export interface WorkQueueSender {
  send(queueName: string, messages: OutgoingQueueMessage[]): Promise<void>;
  close(): Promise<void>;
}

/** What a queue handler learns about the delivery, as the Functions trigger metadata gives it. */
export interface DeliveryInfo {
  messageId: string;
  sessionId: string;
  deliveryCount: number;
  enqueuedTime: Date;
}

/** The duplicate-detection window configured on the queues (infra uses the same value). */
export const duplicateDetectionWindowMs = 10 * 60 * 1000;
/** Deliveries before Service Bus dead-letters a message (the queues' maxDeliveryCount). */
export const maxDeliveryCount = 10;

const workloadMessageSchema = z.object({
  mailboxId: z.string().min(1).max(128),
  workload: z.enum(workloads),
  slot: z.number().int().nonnegative(),
  reason: z.enum(["scheduled", "nudge", "push"]),
  traceparent: z.string().max(128).optional(),
});

/** Validates a received body; the Functions host may hand it over parsed or as a JSON string. */
export function parseWorkloadMessage(body: unknown): WorkloadMessageBody | undefined {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const result = workloadMessageSchema.safeParse(value);
  return result.success ? result.data : undefined;
}
