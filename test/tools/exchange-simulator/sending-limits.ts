/**
 * Exchange Online's sending limits per mailbox, on the simulator clock: messages per minute
 * (default 30), recipients per rolling 24 hours (default 10,000; To, Cc and Bcc each count) and the
 * maximum message size (default 150 MB, the highest an admin can configure; the service default
 * is 35 MB — lower it with setSendingLimits to test that).
 *
 * Decision (not confirmed against the live service): both rate limits answer 429
 * ErrorExceededMessageLimit with Retry-After = seconds until enough earlier sends leave the window.
 * Exchange Online documents that excess submissions per minute are usually queued rather than
 * refused, and that the daily recipient limit blocks the sender (NDR 5.2.0
 * SubmissionQuotaExceeded); refusing outright makes the product's back-off path testable.
 * Oversized messages answer 400 ErrorMessageSizeExceeded, the status Exchange's REST layer maps
 * that code to.
 */
import { GraphError } from "./graph-error.js";

export interface SendingLimitsSpec {
  messagesPerMinute: number;
  recipientsPerDay: number;
  maxMessageBytes: number;
}

export const defaultSendingLimits: SendingLimitsSpec = {
  messagesPerMinute: 30,
  recipientsPerDay: 10_000,
  maxMessageBytes: 150 * 1024 * 1024,
};

const minuteMs = 60_000;
const dayMs = 24 * 60 * 60_000;

export class SendingLimits {
  private limits: SendingLimitsSpec = { ...defaultSendingLimits };
  /** Sends per mailbox id, oldest first. */
  private readonly sends = new Map<string, Array<{ at: number; recipients: number }>>();

  constructor(private readonly now: () => number) {}

  set(limits: Partial<SendingLimitsSpec>): void {
    for (const [key, value] of Object.entries(limits)) {
      if (!Number.isFinite(value) || (value as number) < 0) throw new Error(`${key} must be a non-negative number`);
    }
    this.limits = { ...this.limits, ...limits };
  }

  /** 400 ErrorMessageSizeExceeded when a message (body, headers and attachments) would be too big. */
  ensureMessageSize(bytes: number): void {
    if (bytes > this.limits.maxMessageBytes) {
      throw new GraphError(400, "ErrorMessageSizeExceeded", "The message exceeds the maximum supported size.");
    }
  }

  /** Throws 429 when sending `recipients` more recipients now would break a limit; records nothing. */
  check(mailboxId: string, recipients: number): void {
    const now = this.now();
    const history = (this.sends.get(mailboxId) ?? []).filter((s) => s.at > now - dayMs);
    this.sends.set(mailboxId, history);
    const lastMinute = history.filter((s) => s.at > now - minuteMs);
    if (lastMinute.length >= this.limits.messagesPerMinute) {
      // The send that frees a slot is the one that makes the window hold one message too many.
      const freeing = lastMinute[lastMinute.length - this.limits.messagesPerMinute];
      throw limitExceeded("Cannot send mail. The mailbox is over its message rate limit.", (freeing?.at ?? now) + minuteMs - now);
    }
    const used = history.reduce((n, s) => n + s.recipients, 0);
    let excess = used + recipients - this.limits.recipientsPerDay;
    if (excess > 0) {
      let waitMs = dayMs;
      for (const send of history) {
        excess -= send.recipients;
        if (excess <= 0) {
          waitMs = send.at + dayMs - now;
          break;
        }
      }
      throw limitExceeded("Cannot send mail. Daily Message/Recipient limit exceeded.", waitMs);
    }
  }

  record(mailboxId: string, recipients: number): void {
    const history = this.sends.get(mailboxId) ?? [];
    history.push({ at: this.now(), recipients });
    this.sends.set(mailboxId, history);
  }

  reset(): void {
    this.limits = { ...defaultSendingLimits };
    this.sends.clear();
  }
}

function limitExceeded(message: string, waitMs: number): GraphError {
  return new GraphError(429, "ErrorExceededMessageLimit", message, {
    "Retry-After": String(Math.max(1, Math.ceil(waitMs / 1000))),
  });
}
