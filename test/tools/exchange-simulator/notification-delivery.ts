/**
 * Delivering notifications to notification URLs as Graph does: each becomes due after the configured
 * latency; the due ones for one URL go out together in one POST `{ "value": [...] }`; a POST that is
 * not answered 2xx within 3 seconds failed and its notifications are retried with back-off for up to
 * 4 hours, then dropped. Faults (dropped, duplicated, reordered notifications, an unreachable
 * endpoint) are applied here, so a client's safety net can be exercised.
 */
import { validateEndpoint } from "./validation-handshake.js";

export interface NotificationOptions {
  /** Delay from a change to its notification being due, random in the range. Default 0. */
  latency: { minMs: number; maxMs: number };
  /** How long due notifications for one URL wait to be batched into one POST. Default 0 (the next tick). */
  batchWindowMs: number;
  /** Notifications per POST at most (not published by Graph). Default 100. */
  maxBatchSize: number;
  /** POSTs in flight per URL at most. Default 4. */
  maxConcurrentPosts: number;
  /** Graph's delivery timeout: a slower answer is a failed delivery. Default 3,000. */
  deliveryTimeoutMs: number;
  /** The validation handshake's timeout. Default 10,000. */
  validationTimeoutMs: number;
  /** Back-off of failed deliveries: first retry, doubling up to the maximum, for at most retryForMs. */
  retryFirstMs: number;
  retryMaxMs: number;
  retryForMs: number;
  /** Active subscriptions per mailbox, all apps together. Default 1,000. */
  maxSubscriptionsPerMailbox: number;
}

export const defaultNotificationOptions: NotificationOptions = {
  latency: { minMs: 0, maxMs: 0 },
  batchWindowMs: 0,
  maxBatchSize: 100,
  maxConcurrentPosts: 4,
  deliveryTimeoutMs: 3_000,
  validationTimeoutMs: 10_000,
  retryFirstMs: 10_000,
  retryMaxMs: 10 * 60_000,
  retryForMs: 4 * 60 * 60_000,
  maxSubscriptionsPerMailbox: 1_000,
};

export interface NotificationFaultSpec {
  /** Fraction (0–1) of change notifications never sent; deterministic (0.5 = every second one). */
  dropFraction?: number;
  /** Fraction (0–1) of change notifications sent twice (the copy in a later POST). */
  duplicateFraction?: number;
  /** Each POST carries its notifications newest first. */
  reorder?: boolean;
  /** Graph cannot reach any endpoint: every POST and validation fails as a connection error (retried). */
  unreachable?: boolean;
}

export interface NotificationStats {
  validations: number;
  queued: number;
  delivered: number;
  posts: number;
  failedPosts: number;
  retries: number;
  dropped: number;
  duplicated: number;
  abandoned: number;
  pending: number;
}

interface Pending {
  url: string;
  notification: Record<string, unknown>;
  queuedAt: number;
  attempts: number;
  /** Sent again once delivered (the duplicate fault). */
  duplicate: boolean;
}

const emptyStats = (): NotificationStats => ({
  validations: 0, queued: 0, delivered: 0, posts: 0, failedPosts: 0, retries: 0, dropped: 0, duplicated: 0, abandoned: 0, pending: 0,
});

export class NotificationDelivery {
  options: NotificationOptions = structuredClone(defaultNotificationOptions);
  private faults: NotificationFaultSpec = {};
  private readonly fractionDebt = { drop: 0, duplicate: 0 };
  private readonly ready = new Map<string, Pending[]>();
  private readonly inFlight = new Map<string, number>();
  private readonly flushScheduled = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly requests = new Set<AbortController>();
  private stats = emptyStats();
  /** Bumped by stop(): answers to POSTs sent before it are ignored. */
  private generation = 0;

  configure(options: Partial<NotificationOptions> & { reset?: boolean }): void {
    const { reset, ...rest } = options;
    this.options = { ...(reset ? structuredClone(defaultNotificationOptions) : this.options), ...rest };
  }

  setFaults(spec: NotificationFaultSpec): void {
    this.faults = { ...spec };
    this.fractionDebt.drop = 0;
    this.fractionDebt.duplicate = 0;
  }

  validate(url: string): Promise<void> {
    this.stats.validations++;
    return validateEndpoint(url, { timeoutMs: this.options.validationTimeoutMs, unreachable: this.faults.unreachable === true });
  }

  /** Queues one notification for a URL; `change` ones (not lifecycle ones) are subject to drop/duplicate faults. */
  enqueue(url: string, notification: Record<string, unknown>, kind: "change" | "lifecycle"): void {
    if (kind === "change" && this.takeFraction("drop", this.faults.dropFraction)) {
      this.stats.dropped++;
      return;
    }
    const duplicate = kind === "change" && this.takeFraction("duplicate", this.faults.duplicateFraction);
    if (duplicate) this.stats.duplicated++;
    this.stats.queued++;
    this.stats.pending++;
    const { minMs, maxMs } = this.options.latency;
    const delay = minMs + Math.random() * Math.max(0, maxMs - minMs);
    this.later(delay, () => this.makeReady({ url, notification, queuedAt: Date.now(), attempts: 0, duplicate }));
  }

  snapshot(): NotificationStats {
    return { ...this.stats };
  }

  resetStats(): void {
    this.stats = { ...emptyStats(), pending: this.stats.pending };
  }

  /** Drops everything queued and in flight (close, reset). */
  stop(): void {
    this.generation++;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const request of this.requests) request.abort();
    this.requests.clear();
    this.ready.clear();
    this.inFlight.clear();
    this.flushScheduled.clear();
    this.stats.pending = 0;
  }

  reset(): void {
    this.stop();
    this.options = structuredClone(defaultNotificationOptions);
    this.faults = {};
    this.stats = emptyStats();
  }

  /** Deterministic fractions: 0.25 fires on every fourth call. */
  private takeFraction(key: "drop" | "duplicate", fraction: number | undefined): boolean {
    if (!fraction || fraction <= 0) return false;
    this.fractionDebt[key] += Math.min(fraction, 1);
    if (this.fractionDebt[key] < 1 - 1e-9) return false;
    this.fractionDebt[key] -= 1;
    return true;
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private makeReady(item: Pending): void {
    const queue = this.ready.get(item.url) ?? [];
    queue.push(item);
    this.ready.set(item.url, queue);
    this.scheduleFlush(item.url);
  }

  private scheduleFlush(url: string): void {
    if (this.flushScheduled.has(url)) return;
    this.flushScheduled.add(url);
    this.later(this.options.batchWindowMs, () => {
      this.flushScheduled.delete(url);
      this.flush(url);
    });
  }

  private flush(url: string): void {
    const queue = this.ready.get(url) ?? [];
    while (queue.length && (this.inFlight.get(url) ?? 0) < this.options.maxConcurrentPosts) {
      void this.post(url, queue.splice(0, this.options.maxBatchSize));
    }
    if (!queue.length) this.ready.delete(url);
  }

  private async post(url: string, batch: Pending[]): Promise<void> {
    this.inFlight.set(url, (this.inFlight.get(url) ?? 0) + 1);
    this.stats.posts++;
    const ordered = this.faults.reorder ? [...batch].reverse() : batch;
    const generation = this.generation;
    const delivered = await this.send(url, ordered.map((item) => item.notification));
    if (generation !== this.generation) return;
    this.inFlight.set(url, (this.inFlight.get(url) ?? 1) - 1);
    if (delivered) {
      this.stats.delivered += batch.length;
      this.stats.pending -= batch.length;
      for (const item of batch.filter((i) => i.duplicate)) {
        this.stats.pending++;
        this.later(0, () => this.makeReady({ ...item, attempts: 0, duplicate: false }));
      }
    } else {
      this.stats.failedPosts++;
      for (const item of batch) this.retry(item);
    }
    if (this.ready.get(url)?.length) this.scheduleFlush(url);
  }

  private retry(item: Pending): void {
    item.attempts++;
    const backoff = Math.min(this.options.retryFirstMs * 2 ** (item.attempts - 1), this.options.retryMaxMs);
    if (Date.now() + backoff - item.queuedAt > this.options.retryForMs) {
      this.stats.abandoned++;
      this.stats.pending--;
      return;
    }
    this.stats.retries++;
    this.later(backoff, () => this.makeReady(item));
  }

  /** One POST; true when answered 2xx in time. */
  private async send(url: string, notifications: Array<Record<string, unknown>>): Promise<boolean> {
    if (this.faults.unreachable) return false;
    const controller = new AbortController();
    this.requests.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.options.deliveryTimeoutMs);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json; charset=utf-8" },
        body: JSON.stringify({ value: notifications }),
        signal: controller.signal,
      });
      await response.arrayBuffer();
      return response.status >= 200 && response.status < 300;
    } catch {
      return false;
    } finally {
      clearTimeout(timeout);
      this.requests.delete(controller);
    }
  }
}
