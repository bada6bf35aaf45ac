/**
 * Message attachments: add a file attachment (POST, one request ≤ 4 MB, so ≤ ~3 MB of file as
 * Graph documents), list and get them, and create an upload session for bigger files (see
 * upload-sessions.ts). Only file attachments are simulated.
 *
 * Decisions: `size` is the file's byte count (Exchange adds a little MAPI overhead); attachments
 * that arrived through an upload session are kept as size + SHA-256 only, so their contentBytes
 * read back as null.
 */
import { GraphError } from "./graph-error.js";
import { graphDate } from "./graph-json.js";
import { graphJson, requestJson, selectFields, type GraphCall } from "./graph-routes.js";
import type { SimResponse } from "./http-server.js";
import type { Mailbox, StoredAttachment, StoredMessage } from "./mailbox-model.js";
import { readFileAttachment } from "./message-input.js";
import { parseSelect } from "./odata-query.js";
import type { SimulatorContext } from "./simulator-context.js";

/** Structural properties of graph.fileAttachment (incl. graph.attachment and entity). */
export const attachmentProperties = [
  "id", "lastModifiedDateTime", "name", "contentType", "size", "isInline", "contentId", "contentLocation", "contentBytes",
] as const;

export function renderAttachment(attachment: StoredAttachment): Record<string, unknown> {
  return {
    "@odata.type": "#microsoft.graph.fileAttachment",
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

function select(call: GraphCall): string[] | undefined {
  return parseSelect(call.query.get("select"), attachmentProperties, "microsoft.graph.attachment");
}

export function listAttachments(call: GraphCall): SimResponse {
  const message = call.context.store.message(call.mailbox, call.params.message!);
  const fields = select(call);
  return graphJson(call, collectionContext(call), { value: message.attachments.map((a) => selectFields(renderAttachment(a), fields)) });
}

export function getAttachment(call: GraphCall): SimResponse {
  const message = call.context.store.message(call.mailbox, call.params.message!);
  const attachment = message.attachments.find((a) => a.id === call.params.attachment);
  if (!attachment) throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  return graphJson(call, `${collectionContext(call)}/$entity`, selectFields(renderAttachment(attachment), select(call)));
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
