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
 * A file attachment. Small ones (posted inline, ≤ 4 MB request) keep their bytes; ones uploaded
 * through an upload session keep only size and SHA-256, so a 150 MB upload costs no memory.
 */
export interface StoredAttachment {
  id: string;
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
  /** File attachments of the given sizes, kept as size only (no bytes), like upload-session ones. */
  attachedFiles?: Array<{ name: string; contentType?: string; size: number }>;
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
