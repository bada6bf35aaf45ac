/**
 * The CRM's email activity and the pure rules that make one from an Exchange message:
 * identity (one activity per internet message), direction, and the size limit.
 */
import { createHash } from "node:crypto";
import type { CorrelationMethod } from "./tracking/correlation.js";
import type { TrackedReason } from "./tracking/track-options.js";

export type Direction = "Incoming" | "Outgoing";
export type EmailStatus = "Draft" | "PendingSend" | "Sending" | "Sent" | "Failed" | "Received";

export interface EmailParty {
  name?: string;
  address: string;
  /** The CRM record (contact, lead, user…) the caller named for a CRM-authored email's party. */
  partyId?: string;
  /**
   * Every record the address resolved to when the email was tracked or created, in Dynamics'
   * sender order (domain/party-records.ts orderPartyRecords): the From party stands for the first.
   */
  records?: PartyRecord[];
}

/** A record a party resolved to, as the activity shows it. */
export interface PartyRecord {
  type: string;
  id: string;
  name: string;
  ownerId?: string;
}

/** How a tracked message was linked to an earlier activity (`correlationmethod` in Dynamics 365). */
export interface ActivityCorrelation {
  method: CorrelationMethod;
  parentActivityId: string;
}

export interface EmailBody {
  contentType: "text" | "html";
  content: string;
}

/** One copy of the message: a mailbox folder it was found in, under its Graph id. */
export interface MessageCopy {
  mailboxId: string;
  folder: string;
  direction: Direction;
  graphMessageId: string;
  receivedAt: string;
}

/**
 * One mailbox the message was found in, with every copy found there (a redelivery, or a message
 * sent to oneself, is two copies in one mailbox). folder, graphMessageId and receivedAt are the
 * earliest copy's; direction is Outgoing when any of the mailbox's copies is in Sent Items.
 */
export interface FoundInMailbox {
  mailboxId: string;
  folder: string;
  direction: Direction;
  graphMessageId: string;
  receivedAt: string;
  copies: Array<Omit<MessageCopy, "mailboxId">>;
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
  /** Why it became an activity (DESIGN.md §8); absent on activities tracked before tracking options existed. */
  trackedReason?: TrackedReason;
  /** The earlier activity it was correlated to, and by which method. */
  correlation?: ActivityCorrelation;
  /** The record it is regarding: the CRM's choice, a tracked folder's record, or inherited from its parent. */
  regarding?: RegardingRecord;
  /** Graph's conversationIndex (correlation finds ancestors by it). */
  conversationIndex?: string;
  /** CRM-authored email only: */
  senderMailboxId?: string;
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

/** What an attachment is: a file, an attached message or event (item), or a cloud link (reference). */
export type AttachmentKind = "file" | "item" | "reference";

/** Why a tracked email's attachment was left out (its email is still tracked). */
export type AttachmentExclusionReason = "blockedExtension" | "tooLarge" | "unavailable";

export interface AttachmentInfo {
  id: string;
  name: string;
  contentType: string;
  size: number;
  /** False while a chunked upload is still in progress. */
  complete: boolean;
  /** Absent on CRM-authored attachments, which are files. */
  kind?: AttachmentKind;
  /** An inline image of an HTML body, which refers to it as `cid:<contentId>`. */
  isInline?: boolean;
  contentId?: string;
  /** Left out: no content is stored, and the reason says why. */
  excluded?: { reason: AttachmentExclusionReason; message: string };
}

/** Incoming mail over this size is not created (server-side sync's 150 MB limit). */
export const maxIncomingMessageBytes = 150 * 1024 * 1024;

export function exceedsIncomingLimit(sizeBytes: number): boolean {
  return sizeBytes > maxIncomingMessageBytes;
}

/**
 * The size of a message whose PidTagMessageSize Exchange did not return: its body plus every
 * attachment, the bulk of what the property counts. (Reading it as 0 let any size through.)
 */
export function estimatedMessageSize(body: string, attachmentSizes: number[]): number {
  return Buffer.byteLength(body, "utf8") + attachmentSizes.reduce((sum, size) => sum + Math.max(0, size), 0);
}

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

/**
 * The activity's direction from every copy found so far, in any synced mailbox: Outgoing when any
 * copy is in Sent Items. Copies are only ever added, so the answer never goes back to Incoming.
 */
export function activityDirection(copies: Pick<MessageCopy, "direction">[]): Direction {
  return copies.some((copy) => copy.direction === "Outgoing") ? "Outgoing" : "Incoming";
}

/** Copies grouped by mailbox, each mailbox's earliest copy first; the same whatever order they were found in. */
export function foundInMailboxes(copies: MessageCopy[]): FoundInMailbox[] {
  const byMailbox = new Map<string, MessageCopy[]>();
  for (const copy of copies) byMailbox.set(copy.mailboxId, [...(byMailbox.get(copy.mailboxId) ?? []), copy]);
  return [...byMailbox.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([mailboxId, found]) => {
      const sorted = [...found].sort(
        (a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.folder.localeCompare(b.folder) || a.graphMessageId.localeCompare(b.graphMessageId),
      );
      const earliest = sorted[0]!;
      return {
        mailboxId,
        folder: earliest.folder,
        direction: activityDirection(sorted),
        graphMessageId: earliest.graphMessageId,
        receivedAt: earliest.receivedAt,
        copies: sorted.map(({ folder, direction, graphMessageId, receivedAt }) => ({ folder, direction, graphMessageId, receivedAt })),
      };
    });
}

export function statusForDirection(direction: Direction): EmailStatus {
  return direction === "Outgoing" ? "Sent" : "Received";
}
