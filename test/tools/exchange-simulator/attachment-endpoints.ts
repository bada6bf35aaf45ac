/**
 * Message attachments: add a file attachment (POST, one request ≤ 4 MB, so ≤ ~3 MB of file as
 * Graph documents), list and get them, read a file's or item's raw content (`$value`, streamed),
 * and create an upload session for bigger files (see upload-sessions.ts). Delivered mail can also
 * carry item attachments (attached messages) and reference attachments (cloud links), listed with
 * their derived @odata.type; only files can be added through the API.
 *
 * Decisions: `size` is the file's byte count (Exchange adds a little MAPI overhead); attachments
 * that arrived through an upload session are kept as size + SHA-256 only, so their contentBytes
 * read back as null (their `$value` is generated, attachment-content.ts). `$select` names the base
 * type's properties; a file's own (contentId, contentBytes, contentLocation) must be cast,
 * `microsoft.graph.fileAttachment/contentId`, as Graph insists. An item's `$value` is a short
 * generated MIME message; a reference attachment has no `$value` (400).
 */
import { GraphError } from "./graph-error.js";
import { graphDate } from "./graph-json.js";
import { graphJson, requestJson, selectFields, type GraphCall } from "./graph-routes.js";
import type { SimResponse } from "./http-server.js";
import type { Mailbox, StoredAttachment, StoredMessage } from "./mailbox-model.js";
import { readFileAttachment } from "./message-input.js";
import { attachmentContent } from "./attachment-content.js";
import type { SimulatorContext } from "./simulator-context.js";
import { Readable } from "node:stream";

/** Structural properties of graph.fileAttachment (incl. graph.attachment and entity). */
export const attachmentProperties = [
  "id", "lastModifiedDateTime", "name", "contentType", "size", "isInline", "contentId", "contentLocation", "contentBytes",
] as const;

/** Structural properties of graph.attachment: what itemAttachment and (v1.0) referenceAttachment have. */
export const baseAttachmentProperties = ["id", "lastModifiedDateTime", "name", "contentType", "size", "isInline"] as const;

const odataTypes = { file: "#microsoft.graph.fileAttachment", item: "#microsoft.graph.itemAttachment", reference: "#microsoft.graph.referenceAttachment" } as const;

export function renderAttachment(attachment: StoredAttachment): Record<string, unknown> {
  if (attachment.kind) {
    return {
      "@odata.type": odataTypes[attachment.kind],
      id: attachment.id,
      lastModifiedDateTime: graphDate(attachment.lastModifiedAt),
      name: attachment.name,
      contentType: attachment.contentType || null,
      size: attachment.size,
      isInline: attachment.isInline,
    };
  }
  return {
    "@odata.type": odataTypes.file,
    "@odata.mediaContentType": attachment.contentType,
    id: attachment.id,
    lastModifiedDateTime: graphDate(attachment.lastModifiedAt),
    name: attachment.name,
    contentType: attachment.contentType,
    size: attachment.size,
    isInline: attachment.isInline,
    contentId: attachment.contentId,
    contentLocation: null,
    contentBytes: attachment.bytes ? attachment.bytes.toString("base64") : null,
  };
}

/** Adds an attachment to a message, keeping its size, hasAttachments and change key right. */
export function attach(context: SimulatorContext, mailbox: Mailbox, message: StoredMessage, attachment: StoredAttachment): void {
  context.sending.ensureMessageSize(message.sizeBytes + attachment.size);
  message.attachments.push(attachment);
  message.hasAttachments = message.attachments.some((a) => !a.isInline);
  // Added to, not recomputed: a delivered message may carry a size a test chose.
  message.sizeBytes += attachment.size;
  context.store.touch(mailbox, message);
}

const collectionContext = (call: GraphCall) => `users('${call.userSegment}')/messages('${call.params.message}')/attachments`;

const fileOnly = new Set<string>(attachmentProperties.filter((p) => !(baseAttachmentProperties as readonly string[]).includes(p)));

/**
 * `$select` over graph.attachment: base properties by name, a file's own through the type cast
 * (answered under the plain name, on files only). An uncast file property is Graph's parse error.
 */
function select(call: GraphCall): string[] | undefined {
  const raw = call.query.get("select");
  if (raw === undefined || raw.trim() === "") return undefined;
  const byLowerName = new Map<string, string>(attachmentProperties.map((name) => [name.toLowerCase(), name]));
  const selected: string[] = [];
  for (const part of raw.split(",")) {
    const cast = /^(?:microsoft\.graph\.)?fileAttachment\/(.+)$/i.exec(part.trim());
    const name = byLowerName.get((cast ? cast[1]! : part.trim()).toLowerCase());
    if (!name || (!cast && fileOnly.has(name))) {
      const shown = cast ? cast[1]!.trim() : part.trim();
      throw new GraphError(400, "RequestBroker--ParseUri", `Could not find a property named '${shown}' on type '${cast ? "microsoft.graph.fileAttachment" : "microsoft.graph.attachment"}'.`);
    }
    if (!selected.includes(name)) selected.push(name);
  }
  return selected;
}

export function listAttachments(call: GraphCall): SimResponse {
  const message = call.context.store.message(call.mailbox, call.params.message!);
  const fields = select(call);
  return graphJson(call, collectionContext(call), { value: message.attachments.map((a) => selectFields(renderAttachment(a), fields)) });
}

function findAttachment(call: GraphCall): StoredAttachment {
  const message = call.context.store.message(call.mailbox, call.params.message!);
  const attachment = message.attachments.find((a) => a.id === call.params.attachment);
  if (!attachment) throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  return attachment;
}

export function getAttachment(call: GraphCall): SimResponse {
  return graphJson(call, `${collectionContext(call)}/$entity`, selectFields(renderAttachment(findAttachment(call)), select(call)));
}

/** GET …/attachments/{id}/$value: the raw content, streamed with the file's content type. */
export function attachmentValue(call: GraphCall): SimResponse {
  const attachment = findAttachment(call);
  if (attachment.kind === "reference") {
    throw new GraphError(400, "ErrorInvalidRequest", "The raw content of a reference attachment is not available.");
  }
  if (attachment.kind === "item") {
    const mime = Buffer.from(`Subject: ${attachment.name}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset="utf-8"\r\n\r\n(attached item)\r\n`);
    return { status: 200, content: { contentType: "message/rfc822", length: mime.length, stream: Readable.from([mime]) } };
  }
  return { status: 200, content: { contentType: attachment.contentType || "application/octet-stream", length: attachment.size, stream: attachmentContent(attachment) } };
}

export function addAttachment(call: GraphCall): SimResponse {
  const message = call.context.store.message(call.mailbox, call.params.message!);
  const attachment = readFileAttachment(requestJson(call), call.context.now());
  attach(call.context, call.mailbox, message, attachment);
  return graphJson(call, `${collectionContext(call)}/$entity`, renderAttachment(attachment), 201);
}

/** POST …/attachments/createUploadSession with `{ AttachmentItem: { attachmentType, name, size, … } }`. */
export function createUploadSession(call: GraphCall): SimResponse {
  const message = call.context.store.message(call.mailbox, call.params.message!);
  const body = requestJson(call);
  const item = (body.AttachmentItem ?? body.attachmentItem) as Record<string, unknown> | undefined;
  if (!item || typeof item !== "object") throw new GraphError(400, "ErrorInvalidRequest", "The AttachmentItem parameter is required.");
  if (String(item.attachmentType ?? "").toLowerCase() !== "file") {
    throw new GraphError(400, "ErrorInvalidRequest", "Only attachmentType 'file' is supported for upload sessions.");
  }
  if (typeof item.name !== "string" || item.name === "") throw new GraphError(400, "ErrorInvalidRequest", "The attachment name must be provided.");
  if (!Number.isSafeInteger(item.size) || (item.size as number) <= 0) {
    throw new GraphError(400, "ErrorInvalidRequest", "The attachment size must be a positive number of bytes.");
  }
  const size = item.size as number;
  // Exchange knows the declared size up front, so an oversized file is refused before any upload.
  call.context.sending.ensureMessageSize(message.sizeBytes + size);
  const session = call.context.uploads.create(call.context.baseUrl(), call.mailbox, message.id, {
    name: item.name,
    size,
    contentType: typeof item.contentType === "string" ? item.contentType : "application/octet-stream",
    isInline: item.isInline === true,
    contentId: typeof item.contentId === "string" ? item.contentId : null,
  });
  return graphJson(
    call,
    "microsoft.graph.uploadSession",
    { uploadUrl: session.uploadUrl, expirationDateTime: session.expirationDateTime, nextExpectedRanges: ["0-"] },
    201,
  );
}
