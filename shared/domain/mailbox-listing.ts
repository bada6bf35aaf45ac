/**
 * A mailbox's list of email activities (`GET /api/emails?mailboxId=`): one row per (mailbox,
 * activity), however many copies of the message the mailbox holds.
 *
 * Copies are found by folder rounds that run side by side (Inbox and Sent Items of one mailbox,
 * and other mailboxes holding the same message), so a row is never simply overwritten by the last
 * writer: each writer proposes what it saw, and the stored row is the merge of every proposal.
 * The merge only moves one way — the earliest copy's time, Outgoing once any copy is in Sent Items
 * — so the result is the same whatever order the copies were processed in.
 */
import { activityDirection, type Direction, type MessageCopy } from "./email-activity.js";

export interface MailboxListing {
  /** The mailbox's earliest copy: when the mailbox received the message. Orders the list. */
  receivedAt: string;
  /** The activity's direction (the same as GET /api/emails/{id}). */
  direction: Direction;
  subject: string;
  from?: string;
}

/**
 * What a writer proposes for one mailbox's row, from the activity as stored after its own copy
 * was saved: `copies` are every copy of the activity (any mailbox), `crmEmail` marks email the CRM
 * sent (Outgoing whatever its copies).
 */
export function proposedListing(
  mailboxId: string,
  activity: { subject: string; from?: string; crmEmail: boolean; copies: MessageCopy[] },
): MailboxListing | undefined {
  const own = activity.copies.filter((copy) => copy.mailboxId === mailboxId).map((copy) => copy.receivedAt).sort();
  if (own.length === 0) return undefined;
  return {
    receivedAt: own[0]!,
    direction: activity.crmEmail ? "Outgoing" : activityDirection(activity.copies),
    subject: activity.subject,
    ...(activity.from ? { from: activity.from } : {}),
  };
}

/**
 * The mailboxes whose rows the writer that saved `own` merges into, given the copies it read after
 * saving: its own, and — for a Sent Items copy — every mailbox holding a copy. Of two racing
 * writers the later reader sees both copies, so an Inbox row is made Outgoing either by its own
 * writer (it saw the Sent Items copy) or by the Sent Items copy's writer (it saw the Inbox copy).
 */
export function mailboxesToList(own: MessageCopy, copies: MessageCopy[]): string[] {
  if (own.direction !== "Outgoing") return [own.mailboxId];
  return [...new Set([own.mailboxId, ...copies.map((copy) => copy.mailboxId)])];
}

/** The stored row merged with a proposal: the earlier time, Outgoing over Incoming, the proposal's content. */
export function mergeListing(current: MailboxListing | undefined, proposed: MailboxListing): MailboxListing {
  if (!current) return proposed;
  return {
    receivedAt: current.receivedAt < proposed.receivedAt ? current.receivedAt : proposed.receivedAt,
    direction: current.direction === "Outgoing" || proposed.direction === "Outgoing" ? "Outgoing" : "Incoming",
    subject: proposed.subject,
    ...(proposed.from ?? current.from ? { from: proposed.from ?? current.from } : {}),
  };
}

export function sameListing(a: MailboxListing | undefined, b: MailboxListing): boolean {
  return a !== undefined && a.receivedAt === b.receivedAt && a.direction === b.direction && a.subject === b.subject && a.from === b.from;
}
