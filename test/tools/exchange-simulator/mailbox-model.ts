/**
 * The mailbox data model: what the store keeps, what tests deliver, and Exchange-shaped ids.
 */
import { randomBytes } from "node:crypto";

export type MailboxKind = "user" | "shared" | "onPremises" | "inactive";

export interface EmailAddressInput {
  name?: string;
  address: string;
}

export interface Mailbox {
  id: string;
  tenantId: string;
  address: string;
  displayName: string;
  kind: MailboxKind;
  rootFolderId: string;
  folders: Map<string, MailFolder>;
  messages: Map<string, StoredMessage>;
  changeSeq: number;
  departures: Departure[];
  /** Folders removed for good (a permanent delete), for the folder hierarchy delta. */
  folderDepartures: Array<{ seq: number; folderId: string }>;
  /** Messages delivered per conversationId, for the conversation index depth. */
  conversationSizes: Map<string, number>;
  /** Whether sending a draft keeps it in Sent Items (sendMail's saveToSentItems applies on top). */
  saveToSentItems: boolean;
  /** Default calendar, To Do "Tasks" list and the default Contacts folder, for the probe endpoints. */
  calendarId: string;
  taskListId: string;
  contactsFolderId: string;
  contactFolders: Array<{ id: string; displayName: string }>;
}

export interface MailFolder {
  id: string;
  displayName: string;
  parentFolderId: string;
  wellKnownName?: string;
  isHidden: boolean;
  /** Normalised extended property id → value. */
  extendedProperties: Map<string, string>;
  /** The mailbox change sequence of its creation, last rename or move (the folder delta reads it). */
  changeSeq: number;
}

export type FlagStatus = "notFlagged" | "complete" | "flagged";

export interface StoredMessage {
  id: string;
  folderId: string;
  changeSeq: number;
  changeKey: string;
  createdAt: number;
  lastModifiedAt: number;
  receivedAt: number;
  sentAt: number;
  subject: string;
  body: { contentType: "text" | "html"; content: string };
  from: EmailAddressInput;
  sender: EmailAddressInput;
  to: EmailAddressInput[];
  cc: EmailAddressInput[];
  bcc: EmailAddressInput[];
  replyTo: EmailAddressInput[];
  internetMessageId: string;
  conversationId: string;
  conversationIndex: string;
  headers: Array<{ name: string; value: string }>;
  isRead: boolean;
  isDraft: boolean;
  importance: "low" | "normal" | "high";
  categories: string[];
  flagStatus: FlagStatus;
  hasAttachments: boolean;
  isDeliveryReceiptRequested: boolean;
  isReadReceiptRequested: boolean;
  sizeBytes: number;
  /** Exchange answers no PidTagMessageSize for this item (the property is missing on some items). */
  withoutSizeProperty: boolean;
  /** Normalised single-value extended property id → value (PidTagMessageSize is derived, not stored). */
  extendedProperties: Map<string, string>;
  attachments: StoredAttachment[];
}

/**
 * An attachment. A file's content: small ones (posted inline, ≤ 4 MB request, or delivered with
 * contentBytes) keep their bytes; ones uploaded through an upload session or delivered by size
 * keep only size and SHA-256, so a 150 MB file costs no memory, and `$value` streams content
 * generated from the SHA-256 (attachment-content.ts). An item (an attached message) or a
 * reference (a cloud link) has metadata only.
 */
export interface StoredAttachment {
  id: string;
  /** Absent: a file. */
  kind?: "item" | "reference";
  name: string;
  contentType: string;
  size: number;
  isInline: boolean;
  contentId: string | null;
  lastModifiedAt: number;
  sha256: string;
  bytes?: Buffer;
}

export interface Departure {
  seq: number;
  folderId: string;
  messageId: string;
  receivedAt: number;
}

export interface DeliverMessageInput {
  /** Address or id of the receiving mailbox. */
  mailbox: string;
  /** Well-known name or folder id; default inbox. */
  folder?: string;
  subject: string;
  body?: { contentType: "text" | "html"; content: string };
  from: EmailAddressInput;
  sender?: EmailAddressInput;
  to?: EmailAddressInput[];
  cc?: EmailAddressInput[];
  bcc?: EmailAddressInput[];
  replyTo?: EmailAddressInput[];
  receivedDateTime?: string;
  sentDateTime?: string;
  internetMessageId?: string;
  conversationId?: string;
  /**
   * The internet message id this message replies to: it gets In-Reply-To and References headers
   * (the parent's References plus the parent, when the mailbox holds it) and, when the mailbox
   * holds the parent, its conversationId and a conversationIndex one reply deeper, as Exchange
   * threads a reply.
   */
  inReplyTo?: string;
  /** Simulates big mail without holding the content; default ≈ body + headers + attachments. */
  sizeBytes?: number;
  /** The item has no PidTagMessageSize: `$expand` of it returns nothing. */
  withoutSizeProperty?: boolean;
  /**
   * File attachments. Given `size` only, kept as size (no bytes) like upload-session ones, their
   * `$value` generated; given `contentBytes` (base64), kept as they are. Inline images carry
   * isInline and the contentId an HTML body's `cid:` refers to.
   */
  attachedFiles?: Array<{ name: string; contentType?: string; size?: number; contentBytes?: string; isInline?: boolean; contentId?: string }>;
  /** Attached messages or events (graph.itemAttachment): metadata only. */
  attachedItems?: Array<{ name: string; size?: number; contentType?: string }>;
  /** Cloud links (graph.referenceAttachment): metadata only; v1.0 has no link property. */
  attachedLinks?: Array<{ name: string; size?: number; contentType?: string }>;
  /** internetMessageHeaders beyond the generated ones (e.g. In-Reply-To, References). */
  headers?: Array<{ name: string; value: string }>;
  isRead?: boolean;
  isDraft?: boolean;
  importance?: "low" | "normal" | "high";
  categories?: string[];
  flagStatus?: FlagStatus;
  hasAttachments?: boolean;
}

export interface MessagePatch {
  isRead?: boolean;
  categories?: string[];
  flag?: { flagStatus: FlagStatus };
}

export const wellKnownFolders: ReadonlyArray<[name: string, displayName: string]> = [
  ["inbox", "Inbox"],
  ["sentitems", "Sent Items"],
  ["drafts", "Drafts"],
  ["deleteditems", "Deleted Items"],
  ["archive", "Archive"],
  ["junkemail", "Junk Email"],
  ["outbox", "Outbox"],
];

export const base64url = (bytes: number) => randomBytes(bytes).toString("base64url");
/** Shaped like Exchange immutable ids (opaque to clients, stable across moves). */
export const newMessageId = () => `AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A${base64url(33)}AAA=`;
export const newFolderId = () => `AAMkA${base64url(42)}AAA=`;
export const newChangeKey = () => `CQAAABYAAA${base64url(15)}`;
export const newAttachmentId = () => `AAMkA${base64url(60)}=`;
