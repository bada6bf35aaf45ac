/**
 * Reads a Graph message resource from a request body (create draft, PATCH, sendMail) the way
 * Exchange does. Recipient addresses are not validated here: a draft may hold unresolved
 * recipients, only sending checks them (mail-submission.ts). Custom internet headers must be
 * X- headers, exactly as Graph insists; In-Reply-To/References travel as the MAPI properties
 * PidTagInReplyToId / PidTagInternetReferences instead (see inReplyToPropertyId).
 */
import { createHash } from "node:crypto";
import { GraphError } from "./graph-error.js";
import { newAttachmentId, type EmailAddressInput, type FlagStatus, type StoredAttachment } from "./mailbox-model.js";
import { normalizeExtendedPropertyId } from "./odata-query.js";

export const inReplyToPropertyId = normalizeExtendedPropertyId("String 0x1042");
export const referencesPropertyId = normalizeExtendedPropertyId("String 0x1039");

export interface MessageFields {
  subject?: string;
  body?: { contentType: "text" | "html"; content: string };
  to?: EmailAddressInput[];
  cc?: EmailAddressInput[];
  bcc?: EmailAddressInput[];
  replyTo?: EmailAddressInput[];
  importance?: "low" | "normal" | "high";
  /** Custom X- headers. */
  headers?: Array<{ name: string; value: string }>;
  extendedProperties?: Map<string, string>;
  attachments?: StoredAttachment[];
  isRead?: boolean;
  categories?: string[];
  flagStatus?: FlagStatus;
}

const invalid = (message: string) => new GraphError(400, "ErrorInvalidRequest", message);

function recipients(value: unknown, field: string): EmailAddressInput[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw invalid(`The property '${field}' must be a collection of recipients.`);
  return value.map((item) => {
    const emailAddress = (item as { emailAddress?: { address?: unknown; name?: unknown } } | null)?.emailAddress;
    const address = typeof emailAddress?.address === "string" ? emailAddress.address.trim() : "";
    const name = typeof emailAddress?.name === "string" && emailAddress.name !== "" ? emailAddress.name : undefined;
    return name === undefined ? { address } : { name, address };
  });
}

function itemBody(value: unknown): { contentType: "text" | "html"; content: string } {
  const body = value as { contentType?: unknown; content?: unknown } | null;
  // Graph accepts enum members in any case ("HTML", "Text").
  const contentType = typeof body?.contentType === "string" ? body.contentType.toLowerCase() : "text";
  if (contentType !== "text" && contentType !== "html") throw invalid(`Invalid body contentType '${String(body?.contentType)}'.`);
  return { contentType, content: typeof body?.content === "string" ? body.content : "" };
}

export function readExtendedProperties(value: unknown): Map<string, string> {
  if (!Array.isArray(value)) throw invalid("singleValueExtendedProperties must be an array.");
  const properties = new Map<string, string>();
  for (const property of value as Array<{ id?: unknown; value?: unknown }>) {
    if (typeof property?.id !== "string" || typeof property.value !== "string") {
      throw new GraphError(400, "ErrorInvalidExtendedPropertyValue", "Each extended property needs a string id and value.");
    }
    properties.set(normalizeExtendedPropertyId(property.id), property.value);
  }
  return properties;
}

function internetHeaders(value: unknown): Array<{ name: string; value: string }> {
  if (!Array.isArray(value)) throw invalid("internetMessageHeaders must be an array.");
  return value.map((header: { name?: unknown; value?: unknown } | null) => {
    const name = typeof header?.name === "string" ? header.name : "";
    if (!/^x-/i.test(name)) {
      throw new GraphError(400, "InvalidInternetMessageHeader", `The internet message header name '${name}' should start with 'x-' or 'X-'.`);
    }
    return { name, value: typeof header?.value === "string" ? header.value : "" };
  });
}

/** "#microsoft.graph.fileAttachment", "microsoft.graph.fileAttachment" and "fileAttachment" alike. */
const shortTypeName = (name: string) => name.replace(/^#?(microsoft\.)?graph\./, "");

const strictBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A fileAttachment from Graph JSON; other attachment kinds are not simulated. */
export function readFileAttachment(value: unknown, now: number): StoredAttachment {
  const json = (value ?? {}) as Record<string, unknown>;
  const type = typeof json["@odata.type"] === "string" ? shortTypeName(json["@odata.type"]) : "";
  if (type !== "fileAttachment") {
    throw invalid(`Attachments need "@odata.type": "#microsoft.graph.fileAttachment" (the simulator supports file attachments only).`);
  }
  if (typeof json.name !== "string" || json.name === "") throw invalid("The attachment name must be provided.");
  if (typeof json.contentBytes !== "string" || !strictBase64.test(json.contentBytes)) {
    throw invalid("The attachment contentBytes must be a base64 string.");
  }
  const bytes = Buffer.from(json.contentBytes, "base64");
  return storedAttachment(
    {
      name: json.name,
      contentType: typeof json.contentType === "string" ? json.contentType : "application/octet-stream",
      isInline: json.isInline === true,
      contentId: typeof json.contentId === "string" ? json.contentId : null,
      size: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    },
    now,
    bytes,
  );
}

export function storedAttachment(
  meta: Pick<StoredAttachment, "name" | "contentType" | "isInline" | "contentId" | "size" | "sha256">,
  now: number,
  bytes?: Buffer,
): StoredAttachment {
  return { id: newAttachmentId(), ...meta, lastModifiedAt: now, ...(bytes ? { bytes } : {}) };
}

const importances = ["low", "normal", "high"] as const;
const flagStatuses: FlagStatus[] = ["notFlagged", "complete", "flagged"];

export function readMessageFields(json: Record<string, unknown>, now: number): MessageFields {
  const fields: MessageFields = {};
  if (typeof json.subject === "string") fields.subject = json.subject;
  if (json.body !== undefined) fields.body = itemBody(json.body);
  if (json.toRecipients !== undefined) fields.to = recipients(json.toRecipients, "toRecipients");
  if (json.ccRecipients !== undefined) fields.cc = recipients(json.ccRecipients, "ccRecipients");
  if (json.bccRecipients !== undefined) fields.bcc = recipients(json.bccRecipients, "bccRecipients");
  if (json.replyTo !== undefined) fields.replyTo = recipients(json.replyTo, "replyTo");
  if (json.importance !== undefined) {
    const importance = String(json.importance).toLowerCase();
    if (!(importances as readonly string[]).includes(importance)) throw invalid(`Invalid importance '${String(json.importance)}'.`);
    fields.importance = importance as MessageFields["importance"];
  }
  if (json.internetMessageHeaders !== undefined && json.internetMessageHeaders !== null) {
    fields.headers = internetHeaders(json.internetMessageHeaders);
  }
  if (json.singleValueExtendedProperties !== undefined) fields.extendedProperties = readExtendedProperties(json.singleValueExtendedProperties);
  if (json.attachments !== undefined && json.attachments !== null) {
    if (!Array.isArray(json.attachments)) throw invalid("attachments must be an array.");
    fields.attachments = json.attachments.map((a) => readFileAttachment(a, now));
  }
  if (typeof json.isRead === "boolean") fields.isRead = json.isRead;
  if (Array.isArray(json.categories)) fields.categories = json.categories.map(String);
  const flag = json.flag as { flagStatus?: unknown } | undefined;
  if (flag && typeof flag === "object") {
    if (!flagStatuses.includes(flag.flagStatus as FlagStatus)) {
      throw invalid(`Invalid flagStatus '${String(flag.flagStatus)}'.`);
    }
    fields.flagStatus = flag.flagStatus as FlagStatus;
  }
  return fields;
}
