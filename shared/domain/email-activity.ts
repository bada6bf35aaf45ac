/**
 * The CRM's email activity and the pure rules that make one from an Exchange message:
 * identity (one activity per internet message), direction, and the size limit.
 */
import { createHash } from "node:crypto";

export type Direction = "Incoming" | "Outgoing";
export type EmailStatus = "Draft" | "PendingSend" | "Sending" | "Sent" | "Failed" | "Received";

export interface EmailParty {
  name?: string;
  address: string;
  /** The CRM record (contact, lead, user…) the party resolves to, when the CRM knows it. */
  partyId?: string;
}

export interface EmailBody {
  contentType: "text" | "html";
  content: string;
}

/** One mailbox in which the message was found. */
export interface FoundInMailbox {
  mailboxId: string;
  folder: string;
  direction: Direction;
  graphMessageId: string;
  receivedAt: string;
}

export interface EmailActivity {
  id: string;
  internetMessageId?: string;
  conversationId?: string;
  subject: string;
  from?: EmailParty;
  to: EmailParty[];
  cc: EmailParty[];
  bcc: EmailParty[];
  receivedAt: string;
  sentAt?: string;
  body: EmailBody;
  /** Outgoing when any mailbox holds it in Sent Items: the CRM user sent it. */
  direction: Direction;
  status: EmailStatus;
  mailboxes: FoundInMailbox[];
  /** CRM-authored email only: */
  senderMailboxId?: string;
  regarding?: RegardingRecord;
  attachments?: AttachmentInfo[];
  trackingToken?: string;
  /** Delivery attempts made by the outgoing workload. */
  attempts?: number;
  failureReason?: string;
  createdAt?: string;
}

/** The CRM record an email is regarding. */
export interface RegardingRecord {
  type: string;
  id: string;
}

export interface AttachmentInfo {
  id: string;
  name: string;
  contentType: string;
  size: number;
  /** False while a chunked upload is still in progress. */
  complete: boolean;
}

/** Incoming mail over this size is not created (server-side sync's 150 MB limit). */
export const maxIncomingMessageBytes = 150 * 1024 * 1024;

/**
 * The activity id for an internet message: the same message found in several mailboxes, or found
 * again after a retry or a delta restart, always maps to the same activity.
 * Mail without an internet message id (rare: some drafts and system items) is keyed per mailbox item.
 */
export function activityIdFor(internetMessageId: string | undefined, mailboxId: string, graphMessageId: string): string {
  const source = internetMessageId ? `imid:${internetMessageId.trim().toLowerCase()}` : `item:${mailboxId}:${graphMessageId}`;
  return createHash("sha256").update(source).digest("base64url").slice(0, 32);
}

/** Direction of a copy: Outgoing in Sent Items, Incoming anywhere else. */
export function directionOfFolder(wellKnownFolder: string): Direction {
  return wellKnownFolder === "sentitems" ? "Outgoing" : "Incoming";
}

/** The activity's direction from every copy found so far. */
export function activityDirection(copies: Pick<FoundInMailbox, "direction">[]): Direction {
  return copies.some((copy) => copy.direction === "Outgoing") ? "Outgoing" : "Incoming";
}

export function statusForDirection(direction: Direction): EmailStatus {
  return direction === "Outgoing" ? "Sent" : "Received";
}
