/** Sends workload messages through Azure Service Bus with session and message ids set. */
import { azureCredential } from "../config/azure-credential.js";
import { ServiceBusClient, type ServiceBusSender } from "@azure/service-bus";
import type { ServiceBusConnection } from "../config/settings.js";
import type { OutgoingQueueMessage, WorkQueueSender } from "./work-queue.js";

/** Scheduled messages per request: well within a request's size limit for trigger-sized bodies. */
const scheduleChunk = 100;

export class ServiceBusWorkQueue implements WorkQueueSender {
  private readonly client: ServiceBusClient;
  private readonly senders = new Map<string, ServiceBusSender>();

  constructor(connection: ServiceBusConnection) {
    if (connection.kind === "connectionString") {
      this.client = new ServiceBusClient(connection.connectionString);
    } else {
      this.client = new ServiceBusClient(connection.fullyQualifiedNamespace, azureCredential(connection.managedIdentityClientId));
    }
  }

  async send(queueName: string, messages: OutgoingQueueMessage[]): Promise<void> {
    if (messages.length === 0) return;
    let sender = this.senders.get(queueName);
    if (!sender) {
      sender = this.client.createSender(queueName);
      this.senders.set(queueName, sender);
    }
    const now = messages.filter((m) => !m.scheduledEnqueueTime);
    const later = messages.filter((m) => m.scheduledEnqueueTime);
    const toServiceBus = (m: OutgoingQueueMessage) => ({
      messageId: m.messageId,
      sessionId: m.sessionId,
      body: m.body,
      contentType: "application/json",
    });
    // sendMessages with an array splits nothing: batch explicitly so 256 KB limits are respected.
    let batch = await sender.createMessageBatch();
    for (const message of now) {
      if (!batch.tryAddMessage(toServiceBus(message))) {
        await sender.sendMessages(batch);
        batch = await sender.createMessageBatch();
        if (!batch.tryAddMessage(toServiceBus(message))) throw new Error(`Queue message ${message.messageId} is larger than a Service Bus batch allows.`);
      }
    }
    if (batch.count > 0) await sender.sendMessages(batch);
    // Messages for the same time go in one request (a burst of push triggers shares its bucket's end).
    const byTime = new Map<number, OutgoingQueueMessage[]>();
    for (const message of later) {
      const at = message.scheduledEnqueueTime!.getTime();
      byTime.set(at, [...(byTime.get(at) ?? []), message]);
    }
    for (const [at, group] of byTime) {
      for (let i = 0; i < group.length; i += scheduleChunk) await sender.scheduleMessages(group.slice(i, i + scheduleChunk).map(toServiceBus), new Date(at));
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.senders.values()].map((s) => s.close()));
    await this.client.close();
  }
}
