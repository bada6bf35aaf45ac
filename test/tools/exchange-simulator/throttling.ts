/**
 * Exchange Online's per-app-per-mailbox limits, always on: at most 4 concurrent requests
 * ("MailboxConcurrency") and a request budget per window (10,000 per 10 minutes by default).
 * Both answer 429 ApplicationThrottled with Retry-After, as Exchange does. Also keeps the request
 * statistics, since it sees every admitted request come and go.
 */
import { GraphError } from "./graph-error.js";

export const mailboxConcurrencyLimit = 4;

export interface SimulatorStats {
  /** Graph requests received (including failed, faulted and throttled ones). */
  requests: number;
  /** By mailbox address (lower case). */
  requestsByMailbox: Record<string, number>;
  /** Highest number of concurrently admitted requests seen per mailbox, across apps. */
  maxConcurrentByMailbox: Record<string, number>;
  /** Admitted requests in progress right now, per mailbox (lets tests wait for overlap without timing). */
  inFlightByMailbox: Record<string, number>;
  /** Highest number of concurrently admitted requests seen per app (client id), across all its mailboxes. */
  maxConcurrentByApp: Record<string, number>;
  /** Admitted requests in progress right now, per app (client id). */
  inFlightByApp: Record<string, number>;
  throttled: number;
  tokensIssued: number;
  faultsFired: number;
}

export class Throttler {
  private readonly concurrent = new Map<string, number>();
  private readonly admitted = new Map<string, number[]>();
  private rate = { requests: 10_000, windowSeconds: 600 };
  requests = 0;
  throttled = 0;
  requestsByMailbox: Record<string, number> = {};
  maxConcurrentByMailbox: Record<string, number> = {};
  inFlightByMailbox: Record<string, number> = {};
  maxConcurrentByApp: Record<string, number> = {};
  inFlightByApp: Record<string, number> = {};

  constructor(private readonly now: () => number) {}

  setRateLimit(limit: { requests: number; windowSeconds: number }): void {
    this.rate = { ...limit };
    this.admitted.clear();
  }

  countRequest(mailboxAddress: string | undefined): void {
    this.requests++;
    if (mailboxAddress) {
      const key = mailboxAddress.toLowerCase();
      this.requestsByMailbox[key] = (this.requestsByMailbox[key] ?? 0) + 1;
    }
  }

  /** Admits a request or throws 429; the caller must call the returned release exactly once. */
  admit(clientId: string, mailboxId: string, mailboxAddress: string): () => void {
    const key = `${clientId}|${mailboxId}`;
    const running = this.concurrent.get(key) ?? 0;
    if (running >= mailboxConcurrencyLimit) {
      this.throttled++;
      throw new GraphError(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", {
        "Retry-After": "1",
      });
    }
    const now = this.now();
    const windowMs = this.rate.windowSeconds * 1000;
    const recent = (this.admitted.get(key) ?? []).filter((t) => t > now - windowMs);
    if (recent.length >= this.rate.requests) {
      this.throttled++;
      const retryAfter = Math.max(1, Math.ceil((recent[0]! + windowMs - now) / 1000));
      this.admitted.set(key, recent);
      throw new GraphError(429, "ApplicationThrottled", "Application is over its MailboxRequests limit.", {
        "Retry-After": String(retryAfter),
      });
    }
    recent.push(now);
    this.admitted.set(key, recent);
    this.concurrent.set(key, running + 1);
    const statsKey = mailboxAddress.toLowerCase();
    const inFlight = (this.inFlightByMailbox[statsKey] ?? 0) + 1;
    this.inFlightByMailbox[statsKey] = inFlight;
    this.maxConcurrentByMailbox[statsKey] = Math.max(this.maxConcurrentByMailbox[statsKey] ?? 0, inFlight);
    const appInFlight = (this.inFlightByApp[clientId] ?? 0) + 1;
    this.inFlightByApp[clientId] = appInFlight;
    this.maxConcurrentByApp[clientId] = Math.max(this.maxConcurrentByApp[clientId] ?? 0, appInFlight);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.concurrent.set(key, (this.concurrent.get(key) ?? 1) - 1);
      this.inFlightByMailbox[statsKey] = (this.inFlightByMailbox[statsKey] ?? 1) - 1;
      this.inFlightByApp[clientId] = (this.inFlightByApp[clientId] ?? 1) - 1;
    };
  }

  resetStats(): void {
    this.requests = 0;
    this.throttled = 0;
    this.requestsByMailbox = {};
    this.maxConcurrentByMailbox = {};
    this.maxConcurrentByApp = {};
    // In-flight counts describe requests still running; they are not history, so they stay.
  }

  reset(): void {
    this.resetStats();
    this.concurrent.clear();
    this.admitted.clear();
    this.inFlightByMailbox = {};
    this.inFlightByApp = {};
    this.rate = { requests: 10_000, windowSeconds: 600 };
  }
}
