/**
 * What the incoming workload asks of Graph about each message. One list, checked by the contract
 * test against Microsoft's Graph v1.0 metadata so a misspelt field fails the build.
 */
import { crmEmailStampId } from "./ownership-stamp.js";

export const incomingMessageSelect = [
  "id",
  "internetMessageId",
  "conversationId",
  "conversationIndex",
  "subject",
  "from",
  "sender",
  "toRecipients",
  "ccRecipients",
  "bccRecipients",
  "receivedDateTime",
  "sentDateTime",
  "body",
  "parentFolderId",
  "isDraft",
  // Whether a tracked message's attachments are worth listing (attachment-import.ts).
  "hasAttachments",
] as const;

/** PidTagMessageSize: the whole message's size in bytes, attachments included. */
export const messageSizePropertyId = "Integer 0x0E08";

/** PidTagInReplyToId: the In-Reply-To header (correlation's first method). */
export const inReplyToPropertyId = "String 0x1042";
/** PidTagInternetReferences: the References header, the thread's ids oldest first. */
export const referencesPropertyId = "String 0x1039";

/**
 * The size, the CRM email id stamped on mail the CRM sent (its Sent Items copy is that email), and
 * the threading headers: as MAPI properties they come with delta, where internetMessageHeaders
 * would not.
 */
export const incomingMessageExpand =
  `singleValueExtendedProperties($filter=id eq '${messageSizePropertyId}' or id eq '${crmEmailStampId}'` +
  ` or id eq '${inReplyToPropertyId}' or id eq '${referencesPropertyId}')`;

/** Exchange normalises property ids ("Integer 0xe08"); compare them in a canonical form. */
export function sameExtendedPropertyId(a: string, b: string): boolean {
  const canonical = (id: string) => id.trim().toLowerCase().replace(/0x0*([0-9a-f]+)/, "0x$1");
  return canonical(a) === canonical(b);
}

export interface GraphRecipient {
  emailAddress?: { name?: string; address?: string };
}

export interface GraphMessage {
  id: string;
  internetMessageId?: string;
  conversationId?: string;
  /** Base64: 22 bytes for the first message of a thread, 5 more per reply. */
  conversationIndex?: string;
  subject?: string;
  from?: GraphRecipient;
  sender?: GraphRecipient;
  toRecipients?: GraphRecipient[];
  ccRecipients?: GraphRecipient[];
  bccRecipients?: GraphRecipient[];
  receivedDateTime?: string;
  sentDateTime?: string;
  body?: { contentType?: string; content?: string };
  parentFolderId?: string;
  isDraft?: boolean;
  hasAttachments?: boolean;
  singleValueExtendedProperties?: Array<{ id: string; value: string }>;
  "@removed"?: { reason?: string };
}
