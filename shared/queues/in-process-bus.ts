/**
 * An in-process stand-in for a Service Bus namespace, used by the local host and the tests where no
 * namespace can run. It keeps the semantics the product relies on:
 * - sessions: at most one message of a session is delivered at a time, in order;
 * - duplicate detection: a message id seen within the window is accepted and dropped;
 * - scheduled delivery: a message is invisible until its scheduled enqueue time;
 * - peek-lock: a handler that resolves completes the message, one that throws abandons it and it is
 *   redelivered with its delivery count raised; after the last allowed delivery it is dead-lettered;
 * - lock loss: a handler running past the lock-renewal limit loses its lock, the message is
 *   delivered again, and the late completion is ignored (Service Bus would refuse it).
 */
import type { DeliveryInfo, OutgoingQueueMessage, WorkQueueSender } from "./work-queue.js";
import { duplicateDetectionWindowMs, maxDeliveryCount } from "./work-queue.js";

export type QueueHandler = (body: unknown, delivery: DeliveryInfo) => Promise<void>;

interface StoredMessage {
  sequence: number;
  messageId: string;
  sessionId: string;
  body: unknown;
  enqueuedTime: Date;
  availableAt: number;
  deliveryCount: number;
  /** Incremented on each delivery; a stale lock token cannot settle the message. */
  lockToken: number;
  deadLetterReason?: string;
}

interface QueueState {
  messages: StoredMessage[];
  lockedSessions: Set<string>;
  seenIds: Map<string, number>;
  handler?: QueueHandler;
  maxConcurrentCalls: number;
  inFlight: number;
  completed: number;
  abandoned: number;
}

export interface InProcessBusOptions {
  maxDeliveryCount?: number;
  duplicateDetectionWindowMs?: number;
  /** How long a handler may hold a message before its lock is lost (maxAutoLockRenewalDuration). */
  lockRenewalLimitMs?: number;
}

export interface QueueCounts {
  active: number;
  scheduled: number;
  inFlight: number;
  deadLettered: number;
  completed: number;
  abandoned: number;
}

export function deadLetterQueueName(queueName: string): string {
  return `${queueName}/$deadletterqueue`;
}

export class InProcessServiceBus implements WorkQueueSender {
  private readonly queues = new Map<string, QueueState>();
  private readonly maxDeliveries: number;
  private readonly dedupeWindowMs: number;
  private readonly lockLimitMs: number;
  private sequence = 0;
  private closed = false;
  private wakeTimer?: NodeJS.Timeout;
  private readonly idleWaiters: Array<() => void> = [];
  private readonly running = new Set<Promise<void>>();

  constructor(options: InProcessBusOptions = {}) {
    this.maxDeliveries = options.maxDeliveryCount ?? maxDeliveryCount;
    this.dedupeWindowMs = options.duplicateDetectionWindowMs ?? duplicateDetectionWindowMs;
    this.lockLimitMs = options.lockRenewalLimitMs ?? 5 * 60 * 1000;
  }

  private queue(name: string): QueueState {
    let state = this.queues.get(name);
    if (!state) {
      state = { messages: [], lockedSessions: new Set(), seenIds: new Map(), maxConcurrentCalls: 16, inFlight: 0, completed: 0, abandoned: 0 };
      this.queues.set(name, state);
    }
    return state;
  }

  async send(queueName: string, messages: OutgoingQueueMessage[]): Promise<void> {
    if (this.closed) throw new Error("The in-process bus is closed.");
    const state = this.queue(queueName);
    const now = Date.now();
    for (const message of messages) {
      const seenUntil = state.seenIds.get(message.messageId);
      if (seenUntil !== undefined && seenUntil > now) continue;
      state.seenIds.set(message.messageId, now + this.dedupeWindowMs);
      state.messages.push({
        sequence: ++this.sequence,
        messageId: message.messageId,
        sessionId: message.sessionId,
        // Serialise as the broker would: the handler never shares the sender's object.
        body: JSON.parse(JSON.stringify(message.body)),
        enqueuedTime: new Date(now),
        availableAt: message.scheduledEnqueueTime?.getTime() ?? now,
        deliveryCount: 0,
        lockToken: 0,
      });
    }
    this.forgetExpiredIds(state, now);
    this.pump();
  }

  /** Starts delivering a queue's messages to the handler (one handler per queue). */
  subscribe(queueName: string, handler: QueueHandler, options: { maxConcurrentCalls?: number } = {}): void {
    const state = this.queue(queueName);
    state.handler = handler;
    state.maxConcurrentCalls = options.maxConcurrentCalls ?? state.maxConcurrentCalls;
    this.pump();
  }

  counts(queueName: string): QueueCounts {
    const state = this.queue(queueName);
    const now = Date.now();
    const dead = this.queues.get(deadLetterQueueName(queueName))?.messages.length ?? 0;
    return {
      active: state.messages.filter((m) => m.availableAt <= now).length,
      scheduled: state.messages.filter((m) => m.availableAt > now && Number.isFinite(m.availableAt)).length,
      inFlight: state.inFlight,
      deadLettered: dead,
      completed: state.completed,
      abandoned: state.abandoned,
    };
  }

  /** Messages currently in a queue (for tests and the local host's status line). */
  peek(queueName: string): Array<{ messageId: string; sessionId: string; body: unknown; deliveryCount: number; deadLetterReason?: string }> {
    return this.queue(queueName).messages.map(({ messageId, sessionId, body, deliveryCount, deadLetterReason }) => ({
      messageId, sessionId, body, deliveryCount, deadLetterReason,
    }));
  }

  /** Resolves when no message is deliverable now and none is being handled. */
  async whenIdle(): Promise<void> {
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    await Promise.allSettled([...this.running]);
  }

  private isIdle(): boolean {
    const now = Date.now();
    for (const state of this.queues.values()) {
      if (state.inFlight > 0) return false;
      if (state.handler && state.messages.some((m) => m.availableAt <= now)) return false;
    }
    return true;
  }

  private forgetExpiredIds(state: QueueState, now: number): void {
    if (state.seenIds.size < 10_000) return;
    for (const [id, until] of state.seenIds) if (until <= now) state.seenIds.delete(id);
  }

  private pump(): void {
    if (this.closed) return;
    const now = Date.now();
    let nextWake = Infinity;
    for (const [name, state] of this.queues) {
      if (!state.handler) continue;
      for (const message of state.messages) {
        if (state.inFlight >= state.maxConcurrentCalls) break;
        if (message.availableAt > now) {
          nextWake = Math.min(nextWake, message.availableAt);
          continue;
        }
        if (state.lockedSessions.has(message.sessionId)) continue;
        this.deliver(name, state, message);
      }
    }
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    if (nextWake !== Infinity) {
      this.wakeTimer = setTimeout(() => this.pump(), Math.max(1, nextWake - now));
      this.wakeTimer.unref?.();
    }
    if (this.isIdle()) this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  private deliver(queueName: string, state: QueueState, message: StoredMessage): void {
    state.lockedSessions.add(message.sessionId);
    state.inFlight++;
    message.deliveryCount++;
    const lockToken = ++message.lockToken;
    // Locked messages are hidden until settled or until the lock is lost.
    message.availableAt = Number.POSITIVE_INFINITY;
    const delivery: DeliveryInfo = {
      messageId: message.messageId,
      sessionId: message.sessionId,
      deliveryCount: message.deliveryCount,
      enqueuedTime: message.enqueuedTime,
    };
    let lockLost = false;
    const lockTimer = setTimeout(() => {
      lockLost = true;
      this.release(queueName, state, message, lockToken, "abandon");
    }, this.lockLimitMs);
    lockTimer.unref?.();
    const run = (async () => {
      let outcome: "complete" | "abandon" = "complete";
      try {
        await state.handler!(message.body, delivery);
      } catch {
        outcome = "abandon";
      }
      clearTimeout(lockTimer);
      if (!lockLost) this.release(queueName, state, message, lockToken, outcome);
    })();
    this.running.add(run);
    void run.finally(() => {
      this.running.delete(run);
      this.pump();
    });
  }

  private release(queueName: string, state: QueueState, message: StoredMessage, lockToken: number, outcome: "complete" | "abandon"): void {
    if (message.lockToken !== lockToken) return;
    state.inFlight--;
    state.lockedSessions.delete(message.sessionId);
    const index = state.messages.indexOf(message);
    if (outcome === "complete") {
      state.completed++;
      if (index >= 0) state.messages.splice(index, 1);
      return;
    }
    state.abandoned++;
    if (message.deliveryCount >= this.maxDeliveries) {
      if (index >= 0) state.messages.splice(index, 1);
      const dlq = this.queue(deadLetterQueueName(queueName));
      dlq.messages.push({ ...message, deadLetterReason: "MaxDeliveryCountExceeded", availableAt: Date.now(), lockToken: 0, deliveryCount: 0 });
      return;
    }
    message.availableAt = Date.now();
  }
}
