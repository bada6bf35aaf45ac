/**
 * Writing messages: create a draft (POST /messages), update one (PATCH), delete (DELETE), send a
 * draft (POST /messages/{id}/send) and send in one call (POST /sendMail).
 *
 * Subject, body, recipients, importance and internet headers are updatable only while the item is
 * a draft, as Graph documents; read state, categories, flag and extended properties always are.
 * Extended properties a client stamps on a draft (e.g. its own id) survive sending.
 */
import { GraphError } from "./graph-error.js";
import { renderMessage } from "./graph-json.js";
import { graphJson, requestJson, type GraphCall } from "./graph-routes.js";
import type { SimResponse } from "./http-server.js";
import { conversationOf, newConversationId, submitMessage } from "./mail-submission.js";
import { messageSize } from "./message-factory.js";
import { inReplyToPropertyId, readMessageFields, type MessageFields } from "./message-input.js";
import type { StoredMessage } from "./mailbox-model.js";

const entityContext = (call: GraphCall) => `users('${call.userSegment}')/messages/$entity`;

export function createDraft(call: GraphCall): SimResponse {
  const { store, sending } = call.context;
  const fields = readMessageFields(requestJson(call), call.context.now());
  const owner = { name: call.mailbox.displayName, address: call.mailbox.address };
  const extendedProperties = fields.extendedProperties ?? new Map<string, string>();
  const attachments = fields.attachments ?? [];
  const body = fields.body ?? { contentType: "text" as const, content: "" };
  sending.ensureMessageSize(messageSize({ body, headers: fields.headers ?? [], attachments }));
  const message = store.insert(call.mailbox, "drafts", {
    mailbox: call.mailbox.id,
    subject: fields.subject ?? "",
    body,
    from: owner,
    sender: owner,
    to: fields.to,
    cc: fields.cc,
    bcc: fields.bcc,
    replyTo: fields.replyTo,
    importance: fields.importance,
    headers: fields.headers,
    isRead: fields.isRead ?? true,
    isDraft: true,
    categories: fields.categories,
    flagStatus: fields.flagStatus,
    conversationId: conversationOf(call.mailbox, extendedProperties.get(inReplyToPropertyId)) ?? newConversationId(),
    extendedProperties,
    attachments,
  });
  return graphJson(call, entityContext(call), renderMessage(message), 201);
}

const draftOnly: Array<keyof MessageFields> = ["subject", "body", "to", "cc", "bcc", "replyTo", "importance", "headers"];

function applyFields(message: StoredMessage, fields: MessageFields): void {
  if (!message.isDraft && draftOnly.some((name) => fields[name] !== undefined)) {
    throw new GraphError(400, "ErrorInvalidPropertyUpdateSentMessage", "Update operation is invalid for property of a sent message.");
  }
  if (fields.subject !== undefined) message.subject = fields.subject;
  if (fields.body !== undefined) message.body = fields.body;
  if (fields.to !== undefined) message.to = fields.to;
  if (fields.cc !== undefined) message.cc = fields.cc;
  if (fields.bcc !== undefined) message.bcc = fields.bcc;
  if (fields.replyTo !== undefined) message.replyTo = fields.replyTo;
  if (fields.importance !== undefined) message.importance = fields.importance;
  if (fields.headers !== undefined) message.headers = [...message.headers.filter((h) => !/^x-/i.test(h.name)), ...fields.headers];
  if (fields.isRead !== undefined) message.isRead = fields.isRead;
  if (fields.categories !== undefined) message.categories = fields.categories;
  if (fields.flagStatus !== undefined) message.flagStatus = fields.flagStatus;
  for (const [id, value] of fields.extendedProperties ?? []) message.extendedProperties.set(id, value);
}

export function patchMessage(call: GraphCall): SimResponse {
  const { store, sending } = call.context;
  const message = store.message(call.mailbox, call.params.message!);
  const fields = readMessageFields(requestJson(call), call.context.now());
  applyFields(message, fields);
  // Only a draft's content changes its size; a delivered message keeps the size it was given.
  if (draftOnly.some((name) => fields[name] !== undefined)) {
    message.sizeBytes = messageSize(message);
    sending.ensureMessageSize(message.sizeBytes);
  }
  store.touch(call.mailbox, message);
  return graphJson(call, entityContext(call), renderMessage(message));
}

/** DELETE moves the item to Deleted Items (permanently when it is already there), like Outlook. */
export function deleteMessage(call: GraphCall): SimResponse {
  call.context.store.delete(call.mailbox, call.params.message!);
  return { status: 204 };
}

export function sendDraft(call: GraphCall): SimResponse {
  const draft = call.context.store.message(call.mailbox, call.params.message!);
  if (!draft.isDraft) {
    throw new GraphError(400, "ErrorInvalidItemForOperationSendItem", "The item is not valid for sending: it is not a draft.");
  }
  submitMessage(
    call.context,
    call.mailbox,
    {
      subject: draft.subject,
      body: draft.body,
      to: draft.to,
      cc: draft.cc,
      bcc: draft.bcc,
      replyTo: draft.replyTo,
      importance: draft.importance,
      customHeaders: draft.headers.filter((h) => /^x-/i.test(h.name)),
      extendedProperties: draft.extendedProperties,
      attachments: draft.attachments,
      draft,
    },
    // PidTagDeleteAfterSubmit on the draft: Exchange keeps no Sent Items copy.
    call.mailbox.saveToSentItems && !deletesAfterSubmit(draft.extendedProperties),
  );
  return { status: 202 };
}

function deletesAfterSubmit(properties: Map<string, string>): boolean {
  return [...properties.entries()].some(([id, value]) => /^boolean\s+0x0*e01$/i.test(id.trim()) && value.toLowerCase() === "true");
}

export function sendMail(call: GraphCall): SimResponse {
  const body = requestJson(call);
  const json = body.message ?? body.Message;
  if (!json || typeof json !== "object" || Array.isArray(json)) {
    throw new GraphError(400, "ErrorInvalidRequest", "The message parameter is required.");
  }
  const saveToSentItems = body.saveToSentItems ?? body.SaveToSentItems;
  if (saveToSentItems !== undefined && typeof saveToSentItems !== "boolean") {
    throw new GraphError(400, "ErrorInvalidRequest", "The saveToSentItems parameter must be a boolean.");
  }
  const fields = readMessageFields(json as Record<string, unknown>, call.context.now());
  submitMessage(
    call.context,
    call.mailbox,
    {
      subject: fields.subject ?? "",
      body: fields.body ?? { contentType: "text", content: "" },
      to: fields.to ?? [],
      cc: fields.cc ?? [],
      bcc: fields.bcc ?? [],
      replyTo: fields.replyTo ?? [],
      importance: fields.importance ?? "normal",
      customHeaders: fields.headers ?? [],
      extendedProperties: fields.extendedProperties ?? new Map(),
      attachments: fields.attachments ?? [],
    },
    saveToSentItems !== false && call.mailbox.saveToSentItems,
  );
  return { status: 202 };
}
