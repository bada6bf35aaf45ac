/**
 * Builds a stored message from what a test delivers, filling what Exchange would: ids, change
 * key, MIME headers, conversation index and a plausible size.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import {
  newChangeKey,
  newMessageId,
  type DeliverMessageInput,
  type EmailAddressInput,
  type StoredAttachment,
  type StoredMessage,
} from "./mailbox-model.js";
import { storedAttachment } from "./message-input.js";

/** What the store builds a message from: a delivery plus what only Graph writes can carry. */
export type MessageBuildInput = DeliverMessageInput & {
  conversationId: string;
  /** Keeps an existing item's id (a sent draft keeps its immutable id in Sent Items). */
  id?: string;
  /** The conversationIndex of the message this one replies to, when the mailbox holds it. */
  parentConversationIndex?: string;
  extendedProperties?: Map<string, string>;
  attachments?: StoredAttachment[];
};

export function buildMessage(
  input: MessageBuildInput,
  place: { folderId: string; changeSeq: number; now: number; earlierInConversation: number },
): StoredMessage {
  const { now } = place;
  const receivedAt = input.receivedDateTime ? Date.parse(input.receivedDateTime) : now;
  const sentAt = input.sentDateTime ? Date.parse(input.sentDateTime) : receivedAt;
  if (Number.isNaN(receivedAt) || Number.isNaN(sentAt)) throw new Error("receivedDateTime/sentDateTime must be ISO-8601");
  const internetMessageId = input.internetMessageId ?? `<${randomUUID().replace(/-/g, "")}@sim.example>`;
  const body = input.body ?? { contentType: "text" as const, content: "" };
  const to = input.to ?? [];
  const headers = messageHeaders(input, internetMessageId, sentAt, to);
  const attachments = input.attachments ?? deliveredAttachments(input, now);
  const message: StoredMessage = {
    id: input.id ?? newMessageId(),
    folderId: place.folderId,
    changeSeq: place.changeSeq,
    changeKey: newChangeKey(),
    createdAt: now,
    lastModifiedAt: now,
    receivedAt,
    sentAt,
    subject: input.subject,
    body,
    from: input.from,
    sender: input.sender ?? input.from,
    to,
    cc: input.cc ?? [],
    bcc: input.bcc ?? [],
    replyTo: input.replyTo ?? [],
    internetMessageId,
    conversationId: input.conversationId,
    conversationIndex: input.parentConversationIndex
      ? replyConversationIndex(input.parentConversationIndex, sentAt)
      : conversationIndex(input.conversationId, sentAt, place.earlierInConversation),
    headers,
    isRead: input.isRead ?? false,
    isDraft: input.isDraft ?? false,
    importance: input.importance ?? "normal",
    categories: input.categories ?? [],
    flagStatus: input.flagStatus ?? "notFlagged",
    hasAttachments: input.hasAttachments ?? attachments.some((a) => !a.isInline),
    isDeliveryReceiptRequested: false,
    isReadReceiptRequested: false,
    sizeBytes: 0,
    withoutSizeProperty: input.withoutSizeProperty ?? false,
    extendedProperties: new Map(input.extendedProperties ?? []),
    attachments,
  };
  message.sizeBytes = input.sizeBytes ?? messageSize(message);
  return message;
}

/** The attachments a test delivers: files (by size or with their bytes), items and links, in that order. */
function deliveredAttachments(input: DeliverMessageInput, now: number): StoredAttachment[] {
  const files = (input.attachedFiles ?? []).map((file) => {
    const meta = { name: file.name, contentType: file.contentType ?? "application/octet-stream", isInline: file.isInline === true, contentId: file.contentId ?? null };
    if (file.contentBytes !== undefined) {
      const bytes = Buffer.from(file.contentBytes, "base64");
      return storedAttachment({ ...meta, size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") }, now, bytes);
    }
    if (!Number.isSafeInteger(file.size) || file.size! < 0) throw new Error("attachedFiles need a size or contentBytes");
    // The seed of the generated content: the same name and size give the same bytes in every mailbox.
    const sha256 = createHash("sha256").update(`${file.name}:${file.size}`).digest("hex");
    return storedAttachment({ ...meta, size: file.size!, sha256 }, now);
  });
  const metadataOnly = (kind: "item" | "reference") => (entry: { name: string; size?: number; contentType?: string }) => ({
    ...storedAttachment({ name: entry.name, contentType: entry.contentType ?? "", isInline: false, contentId: null, size: entry.size ?? 1024, sha256: "" }, now),
    kind,
  });
  return [...files, ...(input.attachedItems ?? []).map(metadataOnly("item")), ...(input.attachedLinks ?? []).map(metadataOnly("reference"))];
}

/** A plausible PidTagMessageSize: body, headers, a fixed envelope and every attachment. */
export function messageSize(message: Pick<StoredMessage, "body" | "headers" | "attachments">): number {
  const headerBytes = message.headers.reduce((n, h) => n + h.name.length + h.value.length + 4, 0);
  return Buffer.byteLength(message.body.content) + headerBytes + 512 + message.attachments.reduce((n, a) => n + a.size, 0);
}

export function formatAddress(a: EmailAddressInput): string {
  return a.name ? `"${a.name}" <${a.address}>` : a.address;
}

/** The MIME headers Graph would list for the message, plus the caller's (which win). */
function messageHeaders(
  input: DeliverMessageInput,
  internetMessageId: string,
  sentAt: number,
  to: EmailAddressInput[],
): Array<{ name: string; value: string }> {
  const generated = [
    { name: "From", value: formatAddress(input.from) },
    { name: "To", value: to.map(formatAddress).join(", ") },
    ...(input.cc?.length ? [{ name: "CC", value: input.cc.map(formatAddress).join(", ") }] : []),
    { name: "Subject", value: input.subject },
    { name: "Date", value: new Date(sentAt).toUTCString().replace("GMT", "+0000") },
    { name: "Message-ID", value: internetMessageId },
    { name: "MIME-Version", value: "1.0" },
    {
      name: "Content-Type",
      value: input.body?.contentType === "html" ? 'text/html; charset="utf-8"' : 'text/plain; charset="utf-8"',
    },
  ];
  const extra = input.headers ?? [];
  const overridden = new Set(extra.map((h) => h.name.toLowerCase()));
  return [...generated.filter((h) => !overridden.has(h.name.toLowerCase())), ...extra];
}

/** PidTagConversationIndex: 22-byte header (thread GUID from the conversation) + 5 bytes per reply. */
function conversationIndex(conversationId: string, sentAt: number, depth: number): string {
  const header = Buffer.alloc(22);
  header[0] = 1;
  const fileTime = (BigInt(sentAt) + 11_644_473_600_000n) * 10_000n;
  header.writeUIntBE(Number((fileTime >> 24n) & 0xffffffffffn), 1, 5);
  createHash("md5").update(conversationId).digest().copy(header, 6);
  return Buffer.concat([header, Buffer.alloc(5 * depth, 0x01)]).toString("base64");
}

/** A reply's index: the parent's with one 5-byte child block (a time delta and a random nibble, as Outlook writes). */
function replyConversationIndex(parent: string, sentAt: number): string {
  const child = Buffer.alloc(5);
  child.writeUInt32BE((Math.floor(sentAt / 1000) & 0x7fffffff) >>> 0, 0);
  child[4] = randomBytes(1)[0]!;
  return Buffer.concat([Buffer.from(parent, "base64"), child]).toString("base64");
}
