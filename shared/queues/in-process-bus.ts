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
 * It holds a fleet's worth of messages (50,000 mailboxes, each with next runs scheduled on several
 * queues), so no event scans them: scheduled messages wait in a heap by due time, each session keeps
 * its available messages in order, and sessions ready to deliver wait in a heap by their first
 * message's sequence number — the order a broker scanning the queue front to back would deliver in.
 * operations() counts the billable Service Bus operations the Functions session trigger would make
 * for the same deliveries (see SessionTriggerOperations), so the benches can price a cycle.
 */
import type { DeliveryInfo, OutgoingQueueMessage, WorkQueueSender } from "./work-queue.js";
import { duplicateDetectionWindowMs, maxDeliveryCount } from "./work-queue.js";
import { MinHeap } from "./min-heap.js";
import { emptyOperations, type SessionTriggerOperations } from "./trigger-operations.js";

export type QueueHandler = (body: unknown, delivery: DeliveryInfo) => Promise<void>;

interface StoredMessage {
  sequence: number;
  messageId: string;
  sessionId: string;
  body: unknown;
  enqueuedTime: Date;
  availableAt: number;
  state: "scheduled" | "available" | "locked";
  deliveryCount: number;
  /** Incremented on each delivery; a stale lock token cannot settle the message. */
  lockToken: number;
  deadLetterReason?: string;
}

interface SessionState {
  /** Available messages by sequence number (an abandoned one goes back to its place). */
  available: StoredMessage[];
  locked: boolean;
  /** The trigger still holds the session: its next receive gets the next message, no accept. */
  held: boolean;
}

/** A session that may have something to deliver; stale entries are skipped when taken. */
interface ReadyEntry {
  sequence: number;
  sessionId: string;
}

interface QueueState {
  /** Every message not yet completed or dead-lettered, by sequence (a Map keeps send order). */
  messages: Map<number, StoredMessage>;
  scheduled: MinHeap<StoredMessage>;
  sessions: Map<string, SessionState>;
  ready: MinHeap<ReadyEntry>;
  available: number;
  /** Message id → end of its duplicate-detection window, oldest first (so expiry stops early). */
  seenIds: Map<string, number>;
  ops: SessionTriggerOperations;
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
  /** The queues' lockDuration (infra: PT5M): a handler running longer renews the lock once per period. */
  lockDurationMs?: number;
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
  private readonly lockDurationMs: number;
  private sequence = 0;
  private closed = false;
  private wakeTimer?: NodeJS.Timeout;
  private wakeAt = Infinity;
  private readonly idleWaiters: Array<() => void> = [];
  private readonly running = new Set<Promise<void>>();

  constructor(options: InProcessBusOptions = {}) {
    this.maxDeliveries = options.maxDeliveryCount ?? maxDeliveryCount;
    this.dedupeWindowMs = options.duplicateDetectionWindowMs ?? duplicateDetectionWindowMs;
    this.lockLimitMs = options.lockRenewalLimitMs ?? 5 * 60 * 1000;
    this.lockDurationMs = options.lockDurationMs ?? 5 * 60 * 1000;
  }

  private queue(name: string): QueueState {
    let state = this.queues.get(name);
    if (!state) {
      state = {
        messages: new Map(),
        scheduled: new MinHeap((a, b) => a.availableAt < b.availableAt || (a.availableAt === b.availableAt && a.sequence < b.sequence)),
        sessions: new Map(),
        ready: new MinHeap((a, b) => a.sequence < b.sequence),
        available: 0,
        seenIds: new Map(),
        ops: emptyOperations(),
        maxConcurrentCalls: 16,
        inFlight: 0,
        completed: 0,
        abandoned: 0,
      };
      this.queues.set(name, state);
    }
    return state;
  }

  async send(queueName: string, messages: OutgoingQueueMessage[]): Promise<void> {
    if (this.closed) throw new Error("The in-process bus is closed.");
    const state = this.queue(queueName);
    const now = Date.now();
    this.forgetExpiredIds(state, now);
    for (const message of messages) {
      // A duplicate is still a call the broker bills; it drops the message after.
      if (message.scheduledEnqueueTime) state.ops.scheduledSends++;
      else state.ops.sends++;
      const seenUntil = state.seenIds.get(message.messageId);
      if (seenUntil !== undefined && seenUntil > now) continue;
      // Delete first so the id moves to the end: the map stays in expiry order.
      state.seenIds.delete(message.messageId);
      state.seenIds.set(message.messageId, now + this.dedupeWindowMs);
      const stored: StoredMessage = {
        sequence: ++this.sequence,
        messageId: message.messageId,
        sessionId: message.sessionId,
        // Serialise as the broker would: the handler never shares the sender's object.
        body: JSON.parse(JSON.stringify(message.body)),
        enqueuedTime: new Date(now),
        availableAt: message.scheduledEnqueueTime?.getTime() ?? now,
        state: "scheduled",
        deliveryCount: 0,
        lockToken: 0,
      };
      state.messages.set(stored.sequence, stored);
      if (stored.availableAt > now) state.scheduled.push(stored);
      else this.makeAvailable(state, stored);
    }
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
    this.promoteDue(state, Date.now());
    return {
      active: state.available,
      scheduled: state.scheduled.size,
      inFlight: state.inFlight,
      deadLettered: this.queues.get(deadLetterQueueName(queueName))?.messages.size ?? 0,
      completed: state.completed,
      abandoned: state.abandoned,
    };
  }

  /** Operations the session trigger and the senders would have billed on a queue so far. */
  operations(queueName: string): SessionTriggerOperations {
    return { ...this.queue(queueName).ops };
  }

  /** Messages currently in a queue (for tests and the local host's status line). */
  peek(queueName: string): Array<{ messageId: string; sessionId: string; body: unknown; deliveryCount: number; deadLetterReason?: string }> {
    return [...this.queue(queueName).messages.values()].map(({ messageId, sessionId, body, deliveryCount, deadLetterReason }) => ({
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
      if (state.handler && (state.available > 0 || (state.scheduled.peek()?.availableAt ?? Infinity) <= now)) return false;
    }
    return true;
  }

  /** Ids leave in the order they were recorded, so this stops at the first one still in its window. */
  private forgetExpiredIds(state: QueueState, now: number): void {
    for (const [id, until] of state.seenIds) {
      if (until > now) break;
      state.seenIds.delete(id);
    }
  }

  private session(state: QueueState, sessionId: string): SessionState {
    let session = state.sessions.get(sessionId);
    if (!session) {
      session = { available: [], locked: false, held: false };
      state.sessions.set(sessionId, session);
    }
    return session;
  }

  private makeAvailable(state: QueueState, message: StoredMessage): void {
    message.state = "available";
    state.available++;
    const session = this.session(state, message.sessionId);
    const list = session.available;
    let at = list.length;
    while (at > 0 && list[at - 1]!.sequence > message.sequence) at--;
    list.splice(at, 0, message);
    if (!session.locked && at === 0) state.ready.push({ sequence: message.sequence, sessionId: message.sessionId });
  }

  private promoteDue(state: QueueState, now: number): void {
    while ((state.scheduled.peek()?.availableAt ?? Infinity) <= now) this.makeAvailable(state, state.scheduled.pop()!);
  }

  private pump(): void {
    if (this.closed) return;
    const now = Date.now();
    let nextWake = Infinity;
    for (const [name, state] of this.queues) {
      if (!state.handler) continue;
      this.promoteDue(state, now);
      while (state.inFlight < state.maxConcurrentCalls && state.ready.size > 0) {
        const entry = state.ready.pop()!;
        const session = state.sessions.get(entry.sessionId);
        // Stale: the session was taken, or an earlier message became its first since.
        if (!session || session.locked || session.available[0]?.sequence !== entry.sequence) continue;
        this.deliver(name, state, session, session.available.shift()!);
      }
      nextWake = Math.min(nextWake, state.scheduled.peek()?.availableAt ?? Infinity);
    }
    // Re-arm only when the earliest due time moved: a fleet sends thousands of messages a second.
    if (nextWake !== this.wakeAt) {
      if (this.wakeTimer) clearTimeout(this.wakeTimer);
      this.wakeTimer = undefined;
      this.wakeAt = nextWake;
      if (nextWake !== Infinity) {
        this.wakeTimer = setTimeout(() => {
          this.wakeAt = Infinity;
          this.pump();
        }, Math.max(1, nextWake - now));
        this.wakeTimer.unref?.();
      }
    }
    if (this.idleWaiters.length > 0 && this.isIdle()) this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  private deliver(queueName: string, state: QueueState, session: SessionState, message: StoredMessage): void {
    if (!session.held) state.ops.accepts++;
    session.locked = true;
    session.held = true;
    state.ops.receives++;
    state.inFlight++;
    state.available--;
    message.state = "locked";
    message.deliveryCount++;
    const lockToken = ++message.lockToken;
    const delivery: DeliveryInfo = {
      messageId: message.messageId,
      sessionId: message.sessionId,
      deliveryCount: message.deliveryCount,
      enqueuedTime: message.enqueuedTime,
    };
    let lockLost = false;
    const lockTimer = setTimeout(() => {
      lockLost = true;
      this.release(queueName, state, message, lockToken, "lockLost");
      this.pump();
    }, this.lockLimitMs);
    lockTimer.unref?.();
    const startedAt = Date.now();
    const run = (async () => {
      let outcome: "complete" | "abandon" = "complete";
      try {
        await state.handler!(message.body, delivery);
      } catch {
        outcome = "abandon";
      }
      clearTimeout(lockTimer);
      state.ops.lockRenewals += Math.floor((Math.min(Date.now() - startedAt, this.lockLimitMs)) / this.lockDurationMs);
      if (!lockLost) this.release(queueName, state, message, lockToken, outcome);
    })();
    this.running.add(run);
    void run.finally(() => {
      this.running.delete(run);
      this.pump();
    });
  }

  private release(queueName: string, state: QueueState, message: StoredMessage, lockToken: number, outcome: "complete" | "abandon" | "lockLost"): void {
    if (message.lockToken !== lockToken || message.state !== "locked") return;
    state.inFlight--;
    const session = this.session(state, message.sessionId);
    session.locked = false;
    // A lost lock is no call: the broker lets it expire.
    if (outcome !== "lockLost") state.ops[outcome === "complete" ? "completes" : "abandons"]++;
    if (outcome === "complete") {
      state.completed++;
      state.messages.delete(message.sequence);
    } else {
      state.abandoned++;
      if (message.deliveryCount >= this.maxDeliveries) {
        state.messages.delete(message.sequence);
        const dlq = this.queue(deadLetterQueueName(queueName));
        dlq.messages.set(message.sequence, { ...message, deadLetterReason: "MaxDeliveryCountExceeded", availableAt: Date.now(), state: "available", lockToken: 0, deliveryCount: 0 });
      } else {
        message.availableAt = Date.now();
        this.makeAvailable(state, message);
      }
    }
    const first = session.available[0];
    if (first) {
      state.ready.push({ sequence: first.sequence, sessionId: message.sessionId });
      return;
    }
    // Nothing more in the session: the trigger's next receive waits sessionIdleTimeout, comes back
    // empty, and the session is closed.
    state.ops.emptyReceives++;
    state.ops.closes++;
    state.sessions.delete(message.sessionId);
  }
}
export type { SessionTriggerOperations } from "./trigger-operations.js";
