import { describe, expect, it } from "vitest";
import { deadLetterQueueName, InProcessServiceBus } from "../../shared/queues/in-process-bus.js";
import type { OutgoingQueueMessage } from "../../shared/queues/work-queue.js";

const msg = (messageId: string, sessionId: string, scheduledEnqueueTime?: Date): OutgoingQueueMessage =>
  ({ messageId, sessionId, body: { mailboxId: sessionId, workload: "incoming", slot: 1, reason: "scheduled" }, scheduledEnqueueTime });

describe("in-process Service Bus", () => {
  it("drops a message whose id was seen within the duplicate-detection window", async () => {
    const bus = new InProcessServiceBus();
    await bus.send("q", [msg("a", "s1"), msg("a", "s1"), msg("b", "s1")]);
    expect(bus.peek("q").map((m) => m.messageId)).toEqual(["a", "b"]);
    await bus.close();
  });

  it("delivers one message of a session at a time, in order, while other sessions run in parallel", async () => {
    const bus = new InProcessServiceBus();
    const log: string[] = [];
    let concurrentInS1 = 0;
    let maxConcurrentInS1 = 0;
    bus.subscribe("q", async (_body, delivery) => {
      if (delivery.sessionId === "s1") maxConcurrentInS1 = Math.max(maxConcurrentInS1, ++concurrentInS1);
      await new Promise((r) => setTimeout(r, 5));
      log.push(delivery.messageId);
      if (delivery.sessionId === "s1") concurrentInS1--;
    });
    await bus.send("q", [msg("1", "s1"), msg("2", "s1"), msg("x", "s2"), msg("3", "s1")]);
    await bus.whenIdle();
    expect(log.filter((id) => id !== "x")).toEqual(["1", "2", "3"]);
    expect(log).toContain("x");
    expect(maxConcurrentInS1).toBe(1);
    await bus.close();
  });

  it("redelivers an abandoned message with a higher delivery count and dead-letters it after the last delivery", async () => {
    const bus = new InProcessServiceBus({ maxDeliveryCount: 3 });
    const counts: number[] = [];
    bus.subscribe("q", async (_body, delivery) => {
      counts.push(delivery.deliveryCount);
      throw new Error("boom");
    });
    await bus.send("q", [msg("poison", "s1")]);
    await bus.whenIdle();
    expect(counts).toEqual([1, 2, 3]);
    expect(bus.peek("q")).toHaveLength(0);
    expect(bus.peek(deadLetterQueueName("q"))).toEqual([expect.objectContaining({ messageId: "poison", deadLetterReason: "MaxDeliveryCountExceeded" })]);
    await bus.close();
  });

  it("redelivers an abandoned message before its session's later messages, and a message that fell due in its send order", async () => {
    const bus = new InProcessServiceBus();
    const log: string[] = [];
    const due = Date.now() + 100;
    await bus.send("q", [msg("early-scheduled", "s1", new Date(due)), msg("1", "s1"), msg("2", "s1")]);
    await new Promise((r) => setTimeout(r, 150));
    bus.subscribe("q", async (_body, delivery) => {
      log.push(`${delivery.messageId}#${delivery.deliveryCount}`);
      if (delivery.messageId === "1" && delivery.deliveryCount === 1) throw new Error("retry me");
    });
    await bus.whenIdle();
    expect(log).toEqual(["early-scheduled#1", "1#1", "1#2", "2#1"]);
    await bus.close();
  });

  it("holds a scheduled message until its enqueue time", async () => {
    const bus = new InProcessServiceBus();
    const deliveredAt: number[] = [];
    bus.subscribe("q", async () => {
      deliveredAt.push(Date.now());
    });
    const due = Date.now() + 150;
    await bus.send("q", [msg("later", "s1", new Date(due))]);
    expect(bus.counts("q")).toMatchObject({ scheduled: 1, active: 0 });
    await new Promise((r) => setTimeout(r, 300));
    expect(deliveredAt).toHaveLength(1);
    expect(deliveredAt[0]!).toBeGreaterThanOrEqual(due);
    await bus.close();
  });

  it("a handler that outlives its lock loses the message to a redelivery and its late completion is ignored", async () => {
    const bus = new InProcessServiceBus({ lockRenewalLimitMs: 50 });
    const deliveries: number[] = [];
    bus.subscribe("q", async (_body, delivery) => {
      deliveries.push(delivery.deliveryCount);
      if (delivery.deliveryCount === 1) await new Promise((r) => setTimeout(r, 150));
    });
    await bus.send("q", [msg("slow", "s1")]);
    await new Promise((r) => setTimeout(r, 250));
    await bus.whenIdle();
    expect(deliveries).toEqual([1, 2]);
    expect(bus.counts("q")).toMatchObject({ completed: 1, active: 0, inFlight: 0 });
    await bus.close();
  });

  it("counts the operations the session trigger would be billed for: one accept, empty receive and close per session it takes", async () => {
    const bus = new InProcessServiceBus();
    let failedOnce = false;
    await bus.send("q", [msg("1", "s1"), msg("2", "s1"), msg("x", "s2"), msg("x", "s2"), msg("later", "s3", new Date(Date.now() + 60_000))]);
    bus.subscribe("q", async (_body, delivery) => {
      if (delivery.messageId === "x" && !failedOnce) {
        failedOnce = true;
        throw new Error("retry me");
      }
    });
    await bus.whenIdle();
    expect(bus.operations("q")).toEqual({
      sends: 4, // the duplicate "x" is a call too
      scheduledSends: 1,
      accepts: 2,
      receives: 4, // s1: 1, 2; s2: x twice
      completes: 3,
      abandons: 1,
      emptyReceives: 2,
      closes: 2,
      lockRenewals: 0,
    });
    await bus.close();
  });
});
