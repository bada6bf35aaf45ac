/**
 * Pure rules for the attachments of tracked mail: what kind Graph says an attachment is, which
 * file attachments the organization's settings leave out (and why), the identity an attachment
 * keeps across the mailboxes that hold its message, and whether a message can have any at all.
 */
import { createHash } from "node:crypto";
import type { AttachmentExclusionReason, AttachmentKind } from "../email-activity.js";
import type { AttachmentSettings } from "./attachment-settings.js";

/** An attachment as listed by Graph (metadata only; never contentBytes). */
export interface GraphAttachmentMeta {
  "@odata.type"?: string;
  id: string;
  name?: string | null;
  contentType?: string | null;
  size?: number;
  isInline?: boolean;
  /** fileAttachment only. */
  contentId?: string | null;
}

/**
 * Graph v1.0 has three kinds of attachment. A list of a message's attachments annotates each with
 * its derived type; an entry without one is read as a file, the kind Graph leaves unannotated least.
 */
export function attachmentKind(odataType: string | undefined): AttachmentKind {
  const type = (odataType ?? "").replace(/^#?(microsoft\.)?graph\./i, "").toLowerCase();
  if (type === "itemattachment") return "item";
  if (type === "referenceattachment") return "reference";
  return "file";
}

/**
 * The extension rule matches the name's end, case-insensitively, after the trailing dots and
 * spaces Windows ignores ("setup.EXE. " is an .exe); an entry with a dot ("tar.gz") matches too.
 */
export function blockedExtensionOf(name: string, blocked: readonly string[]): string | undefined {
  const normalized = name.trim().replace(/[.\s]+$/, "").toLowerCase();
  return blocked.find((extension) => normalized.endsWith(`.${extension}`));
}

export interface Exclusion {
  reason: AttachmentExclusionReason;
  message: string;
}

/** Why a file attachment is left out under the settings, or undefined when it is stored. */
export function fileExclusion(file: { name: string; size: number }, settings: AttachmentSettings): Exclusion | undefined {
  const extension = blockedExtensionOf(file.name, settings.blockedFileExtensions);
  if (extension) {
    return { reason: "blockedExtension", message: `Files of type .${extension} are blocked by the organization's blocked file extensions for attachments.` };
  }
  if (file.size > settings.maxFileSizeBytes) return tooLarge(settings.maxFileSizeBytes);
  return undefined;
}

export function tooLarge(maxFileSizeBytes: number): Exclusion {
  return { reason: "tooLarge", message: `The file is larger than the organization's file size limit for attachments (${maxFileSizeBytes} bytes).` };
}

export const unavailable: Exclusion = {
  reason: "unavailable",
  message: "Exchange no longer had the attachment's content when the email was tracked.",
};

/**
 * An attachment's id on its activity. Graph attachment ids differ in each mailbox's copy of a
 * message, so the id is made from what every copy shares: the position in the message and the
 * kind, name, size and content id. Two mailboxes importing the same activity name the same blob.
 */
export function attachmentKey(position: number, meta: { kind: AttachmentKind; name: string; size: number; contentId?: string }): string {
  const identity = JSON.stringify([position, meta.kind, meta.name, meta.size, meta.contentId ?? null]);
  return createHash("sha256").update(identity).digest("base64url").slice(0, 22);
}

/**
 * Whether a message can have attachments worth listing: Exchange sets hasAttachments for every
 * attachment except inline ones, which an HTML body refers to as `cid:`. A message that says
 * neither costs no attachment request. (Unknown, as in a partial delta item, means "may have".)
 */
export function mayHaveAttachments(message: { hasAttachments?: boolean; body?: { content?: string } }): boolean {
  return message.hasAttachments !== false || /\bcid:/i.test(message.body?.content ?? "");
}
