/**
 * Outgoing email rules, pure: the status a CRM email may move through, and Exchange Online's sending limits per mailbox (30 messages a minute, 10,000
 * recipients a rolling day), which postpone sending rather than fail it. The tracking token added
 * to its subject is in tracking/token-format.ts.
 */
import type { EmailStatus } from "./email-activity.js";

/** Each outgoing attachment may be up to 150 MB (and the message too). */
export const maxAttachmentBytes = 150 * 1024 * 1024;
/** Attachments up to 3 MB go inline with the draft; larger ones through an upload session. */
export const inlineAttachmentLimitBytes = 3 * 1024 * 1024;
/** Upload session chunks: Graph takes at most 4 MB a request; a multiple of 320 KiB is advised. */
export const uploadChunkBytes = 320 * 1024 * 12;

export function canRequestSend(status: EmailStatus): boolean {
  return status === "Draft";
}

export interface SendingLimits {
  messagesPerMinute: number;
  recipientsPerDay: number;
}

export const exchangeOnlineSendingLimits: SendingLimits = { messagesPerMinute: 30, recipientsPerDay: 10_000 };

/** Sends in the last day: per-minute message counts and per-hour recipient counts. */
export interface SendWindow {
  /** minute (epoch ms floored to the minute) → messages sent in it, last 2 minutes kept. */
  minutes: Record<string, number>;
  /** hour (epoch ms floored to the hour) → recipients sent to in it, last 25 hours kept. */
  hours: Record<string, number>;
}

export const emptySendWindow = (): SendWindow => ({ minutes: {}, hours: {} });

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

/**
 * When the next message with `recipients` recipients may go: now, or the earliest time the limits
 * allow. The day is counted in whole hours, so it errs on the side of waiting.
 */
export function nextSendAllowedAt(window: SendWindow, recipients: number, now: number, limits: SendingLimits = exchangeOnlineSendingLimits): number {
  const minute = Math.floor(now / minuteMs) * minuteMs;
  if ((window.minutes[String(minute)] ?? 0) >= limits.messagesPerMinute) return minute + minuteMs;
  const dayStart = now - dayMs;
  const hours = Object.entries(window.hours)
    .map(([start, count]) => [Number(start), count] as const)
    .filter(([start]) => start + hourMs > dayStart)
    .sort((a, b) => a[0] - b[0]);
  let total = hours.reduce((sum, [, count]) => sum + count, 0);
  if (total + recipients <= limits.recipientsPerDay) return now;
  // Wait until enough old hours fall out of the rolling day.
  for (const [start, count] of hours) {
    total -= count;
    if (total + recipients <= limits.recipientsPerDay) return start + hourMs + dayMs;
  }
  return now + dayMs;
}

export function recordSend(window: SendWindow, recipients: number, now: number): SendWindow {
  const minute = Math.floor(now / minuteMs) * minuteMs;
  const hour = Math.floor(now / hourMs) * hourMs;
  const minutes: Record<string, number> = {};
  for (const [key, count] of Object.entries(window.minutes)) if (Number(key) >= minute - minuteMs) minutes[key] = count;
  minutes[String(minute)] = (minutes[String(minute)] ?? 0) + 1;
  const hours: Record<string, number> = {};
  for (const [key, count] of Object.entries(window.hours)) if (Number(key) + hourMs > now - dayMs) hours[key] = count;
  hours[String(hour)] = (hours[String(hour)] ?? 0) + recipients;
  return { minutes, hours };
}
