/** Pure mapping from a Graph message to the CRM's email activity. */
import { activityIdFor, directionOfFolder, type EmailParty, type MessageCopy } from "../../domain/email-activity.js";
import type { ActivityContent } from "../../storage/email-repository.js";
import { crmEmailStampId } from "../../graph/ownership-stamp.js";
import type { SyncedFolder } from "../../domain/tracking/synced-folder.js";
import {
  inReplyToPropertyId,
  messageSizePropertyId,
  referencesPropertyId,
  sameExtendedPropertyId,
  type GraphMessage,
  type GraphRecipient,
} from "../../graph/message-fields.js";

function party(recipient: GraphRecipient | undefined): EmailParty | undefined {
  const address = recipient?.emailAddress?.address;
  if (!address) return undefined;
  const name = recipient?.emailAddress?.name;
  return name && name !== address ? { name, address } : { address };
}

function parties(recipients: GraphRecipient[] | undefined): EmailParty[] {
  return (recipients ?? []).map(party).filter((p): p is EmailParty => p !== undefined);
}

/** Graph writes times without milliseconds; stored times are canonical ISO-8601 so they compare as strings. */
export function isoTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The message size from PidTagMessageSize, when Graph returned it (message-size.ts falls back without it). */
export function messageSize(message: GraphMessage): number | undefined {
  const property = message.singleValueExtendedProperties?.find((p) => sameExtendedPropertyId(p.id, messageSizePropertyId));
  const size = property ? Number(property.value) : NaN;
  return Number.isFinite(size) ? size : undefined;
}

const extendedProperty = (message: GraphMessage, id: string) => message.singleValueExtendedProperties?.find((p) => sameExtendedPropertyId(p.id, id))?.value || undefined;

/** The CRM email id stamped on mail the CRM sent, when this is its Sent Items copy. */
export function crmEmailIdOf(message: GraphMessage): string | undefined {
  return extendedProperty(message, crmEmailStampId);
}

/**
 * Message ids as the headers write them: `<id>`, separated by blanks or folded lines (RFC 5322
 * msg-id lists); a header without brackets (some clients) is read as blank-separated ids.
 */
function messageIds(header: string | undefined): string[] {
  if (!header) return [];
  return header.match(/<[^<>\s]+>/g) ?? header.split(/\s+/).filter(Boolean);
}

/** In-Reply-To and References (oldest first), from PidTagInReplyToId and PidTagInternetReferences. */
export function threadingOf(message: GraphMessage): { inReplyTo?: string; references: string[] } {
  const inReplyTo = messageIds(extendedProperty(message, inReplyToPropertyId))[0];
  return { ...(inReplyTo ? { inReplyTo } : {}), references: messageIds(extendedProperty(message, referencesPropertyId)) };
}

/** Whether a delta item carries what an activity needs (updates may carry only changed fields). */
export function isComplete(message: GraphMessage): boolean {
  return Boolean(message.receivedDateTime && message.body && "subject" in message && "internetMessageId" in message);
}

export function toActivity(message: GraphMessage, mailboxId: string, folder: SyncedFolder): { content: ActivityContent; copy: MessageCopy } {
  const id = activityIdFor(message.internetMessageId, mailboxId, message.id);
  const receivedAt = isoTime(message.receivedDateTime ?? message.sentDateTime) ?? new Date(0).toISOString();
  const from = party(message.from) ?? party(message.sender);
  const direction = directionOfFolder(folder.kind);
  const content: ActivityContent = {
    id,
    internetMessageId: message.internetMessageId,
    conversationId: message.conversationId,
    ...(message.conversationIndex ? { conversationIndex: message.conversationIndex } : {}),
    subject: message.subject ?? "",
    from,
    to: parties(message.toRecipients),
    cc: parties(message.ccRecipients),
    bcc: parties(message.bccRecipients),
    receivedAt,
    sentAt: isoTime(message.sentDateTime),
    body: { contentType: message.body?.contentType?.toLowerCase() === "html" ? "html" : "text", content: message.body?.content ?? "" },
  };
  return { content, copy: { mailboxId, folder: folder.key, direction, graphMessageId: message.id, receivedAt } };
}
