/**
 * The records API for CRM-authored email: create a Draft (with attachments inline, or announced
 * and uploaded in chunks), ask to Send it. Send moves it to Pending Send, adds the tracking token,
 * and queues the sender mailbox's outgoing workload at once.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { regardingBody } from "./regarding-schema.js";
import { queueNames } from "../config/names.js";
import { workloadBlocker } from "../domain/mailbox.js";
import { chunkCount, chunkOf, missingRanges, uploadChunkBytes } from "../domain/attachment-upload.js";
import { canRequestSend, maxAttachmentBytes } from "../domain/outgoing-email.js";
import { generateTrackingToken, subjectWithToken } from "../domain/tracking/token-format.js";
import { raiseAlert } from "../alerts/alert-service.js";
import type { Runtime } from "../runtime.js";
import { attachmentBlobName } from "../storage/attachment-store.js";
import type { CrmEmail } from "../storage/crm-email-repository.js";
import { ConcurrencyConflict } from "../storage/mailbox-repository.js";
import type { EmailParty } from "../domain/email-activity.js";
import type { Mailbox } from "../domain/mailbox.js";
import { partyAddresses, withRecords } from "../domain/tracking/party-resolution.js";
import { idParam } from "./admin-schemas.js";
import { ApiError, notFound, parseOrThrow, routeParam } from "./http-responses.js";
import { text } from "./text-fields.js";

const party = z.object({ address: z.email().max(320), name: text().max(256).optional(), partyId: text().min(1).max(128).optional() }).strict();
const base64 = text().regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64");
const attachmentInput = z
  .object({
    name: text().trim().min(1).max(255),
    contentType: text().min(1).max(255).default("application/octet-stream"),
    contentBytes: base64.refine((b) => Math.floor((b.length * 3) / 4) <= maxAttachmentBytes + 2, "is larger than 150 MB"),
  })
  .strict();

export const createEmailBody = z
  .object({
    senderMailboxId: idParam,
    to: z.array(party).max(500).default([]),
    cc: z.array(party).max(500).default([]),
    bcc: z.array(party).max(500).default([]),
    subject: text().max(2_000).default(""),
    body: z.object({ contentType: z.enum(["text", "html"]), content: text().max(4 * 1024 * 1024) }).strict().default({ contentType: "text", content: "" }),
    regarding: regardingBody.optional(),
    attachments: z.array(attachmentInput).max(100).default([]),
  })
  .strict()
  .refine((b) => b.to.length + b.cc.length + b.bcc.length > 0, { message: "needs at least one recipient in to, cc or bcc", path: ["to"] });

export const sendBody = z.object({ issueSend: z.boolean().default(true) }).strict();
export const announceAttachment = z
  .object({ name: text().trim().min(1).max(255), contentType: text().min(1).max(255).default("application/octet-stream"), size: z.number().int().min(1).max(maxAttachmentBytes, "must be at most 150 MB (157286400 bytes)") })
  .strict();

export async function createEmail(runtime: Runtime, body: unknown): Promise<CrmEmail> {
  const input = parseOrThrow(createEmailBody, body, "body");
  const sender = (await runtime.mailboxes.get(input.senderMailboxId))?.mailbox;
  if (!sender) {
    throw new ApiError(400, "BadRequest", `Invalid body parameter 'senderMailboxId': mailbox '${input.senderMailboxId}' does not exist.`, "senderMailboxId");
  }
  const id = randomUUID();
  const at = new Date(runtime.now()).toISOString();
  const attachments = [];
  for (const attachment of input.attachments) {
    const bytes = Buffer.from(attachment.contentBytes, "base64");
    const attachmentId = randomUUID();
    await runtime.attachments.put(attachmentBlobName(id, attachmentId), bytes, attachment.contentType);
    attachments.push({ id: attachmentId, name: attachment.name, contentType: attachment.contentType, size: bytes.length, complete: true });
  }
  const parties = await resolvedParties(runtime, sender, { from: { address: sender.emailAddress }, to: input.to, cc: input.cc, bcc: input.bcc });
  const email: CrmEmail = {
    id, status: "Draft", senderMailboxId: input.senderMailboxId, subject: input.subject, ...parties,
    body: input.body, regarding: input.regarding, attachments, attempts: 0, sendIssued: false, createdAt: at, updatedAt: at,
  };
  await runtime.crmEmails.create(email);
  return email;
}

/**
 * The parties with the records their addresses resolve to, as tracked mail shows them; a party
 * the caller named a record for (`partyId`) keeps that choice and is not resolved.
 */
async function resolvedParties(runtime: Runtime, sender: Mailbox, parties: Pick<CrmEmail, "to" | "cc" | "bcc"> & { from: EmailParty }) {
  const unnamed = [parties.from, ...parties.to, ...parties.cc, ...parties.bcc].filter((p) => !p.partyId);
  const resolved = await runtime.addressBook.resolve(partyAddresses(unnamed));
  const each = (list: EmailParty[]) => list.map((p) => (p.partyId ? p : withRecords(p, resolved, sender.ownerId)));
  return { from: withRecords(parties.from, resolved, sender.ownerId), to: each(parties.to), cc: each(parties.cc), bcc: each(parties.bcc) };
}

async function requireCrmEmail(runtime: Runtime, id: string) {
  const emailId = routeParam(text().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be an email id"), id, "id");
  const stored = await runtime.crmEmails.get(emailId);
  if (!stored) throw notFound("Email", emailId);
  return stored;
}

export async function sendEmail(runtime: Runtime, id: string, body: unknown) {
  const input = parseOrThrow(sendBody, body, "body");
  const { email, etag } = await requireCrmEmail(runtime, id);
  if (!canRequestSend(email.status)) throw new ApiError(409, "Conflict", `Email '${email.id}' is ${email.status}; only a Draft can be sent.`);
  if (email.attachments.some((a) => !a.complete)) throw new ApiError(409, "Conflict", `Email '${email.id}' has an attachment whose upload is not finished.`);
  const org = await runtime.orgSettings.get();
  const sender = (await runtime.mailboxes.get(email.senderMailboxId))?.mailbox;
  // The token names the sender's owner (user number) and that owner's send count.
  const numbers = await runtime.trackingNumbers.next(sender?.ownerId || email.senderMailboxId);
  const token = generateTrackingToken(org.trackingToken, numbers.userNumber, numbers.counter);
  const now = new Date(runtime.now()).toISOString();
  const subject = subjectWithToken(email.subject, token);
  // Before the send: a reply can arrive as soon as the mail is out. A send that never happens
  // leaves a row for a token nobody will quote.
  await runtime.correlationIndex.add(email.id, email.createdAt, { trackingToken: token });
  try {
    if (!input.issueSend) {
      // Marked Sent without sending (the CRM user sent it some other way).
      await runtime.crmEmails.update(email.id, { status: "Sent", sentAt: now, trackingToken: token, subject }, etag);
      return (await runtime.emails.get(email.id))!;
    }
    const pendingSince = now;
    // Queue entry first: if the status write below is lost, the engine finds a Draft and drops it.
    await runtime.crmEmails.addPending({ ...email, pendingSince });
    await runtime.crmEmails.update(email.id, { status: "PendingSend", pendingSince, trackingToken: token, subject }, etag);
  } catch (error) {
    if (error instanceof ConcurrencyConflict) throw new ApiError(409, "Conflict", `Email '${email.id}' changed while being sent; read it and try again.`);
    throw error;
  }
  const blocker = sender ? workloadBlocker(sender, "outgoing", { requireApproval: org.requireApprovedMailboxes }) : "disabled";
  if (sender && blocker) {
    await raiseAlert(runtime, blocker === "notApproved" ? "PendingSendNotApproved" : "PendingSendNotEnabled", { mailbox: sender, workload: "outgoing" });
  } else if (sender) {
    // At once, not at the next 5-minute pass. Marked due first: an idle outgoing workload has no
    // scheduled round, so if the message below is lost the scheduler still queues it.
    const slot = runtime.now();
    await runtime.mailboxes.patch(sender.id, { workload: { name: "outgoing", state: { dueAt: slot } } });
    await runtime.queue.send(queueNames.outgoing, [
      { messageId: `outgoing:${sender.id}:send:${email.id}`, sessionId: sender.id, body: { mailboxId: sender.id, workload: "outgoing", slot, reason: "nudge" } },
    ]);
  }
  return (await runtime.emails.get(email.id))!;
}

export async function announceEmailAttachment(runtime: Runtime, id: string, body: unknown) {
  const input = parseOrThrow(announceAttachment, body, "body");
  const { email, etag } = await requireCrmEmail(runtime, id);
  if (email.status !== "Draft") throw new ApiError(409, "Conflict", `Email '${email.id}' is ${email.status}; attachments can be added to a Draft only.`);
  const attachmentId = randomUUID();
  const attachments = [...email.attachments, { id: attachmentId, name: input.name, contentType: input.contentType, size: input.size, complete: false }];
  await runtime.crmEmails.update(email.id, { attachments }, etag);
  return { id: attachmentId, uploadUrl: `/api/emails/${email.id}/attachments/${attachmentId}/content`, chunkBytes: uploadChunkBytes };
}

export async function uploadEmailAttachment(runtime: Runtime, id: string, attachmentId: string, contentRange: string | null, bytes: Buffer) {
  const { email } = await requireCrmEmail(runtime, id);
  const attachment = email.attachments.find((a) => a.id === attachmentId);
  if (!attachment) throw notFound("Attachment", attachmentId);
  if (attachment.complete) throw new ApiError(409, "Conflict", `Attachment '${attachmentId}' is already complete.`);
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange ?? "");
  if (!range) throw new ApiError(400, "BadRequest", "Invalid header 'Content-Range': expected 'bytes first-last/total'.", "Content-Range");
  const chunk = chunkOf({ first: Number(range[1]), last: Number(range[2]), total: Number(range[3]) }, attachment.size, bytes.length);
  if ("problem" in chunk) throw new ApiError(400, "BadRequest", `Invalid header 'Content-Range': ${chunk.problem}.`, "Content-Range");
  const blob = attachmentBlobName(email.id, attachment.id);
  await runtime.attachments.stage(blob, chunk.index, bytes);
  const missing = missingRanges(await runtime.attachments.stagedChunks(blob), attachment.size);
  if (missing.length > 0) return { complete: false, nextExpectedRanges: missing };
  await runtime.attachments.commit(blob, chunkCount(attachment.size), attachment.contentType);
  await markAttachmentComplete(runtime, email.id, attachmentId);
  return { complete: true, nextExpectedRanges: [] };
}

/** Chunks may arrive together: the list is re-read and written with its etag until the flag holds. */
async function markAttachmentComplete(runtime: Runtime, emailId: string, attachmentId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const fresh = (await runtime.crmEmails.get(emailId))!;
    if (fresh.email.attachments.find((a) => a.id === attachmentId)?.complete) return;
    try {
      await runtime.crmEmails.update(emailId, { attachments: fresh.email.attachments.map((a) => (a.id === attachmentId ? { ...a, complete: true } : a)) }, fresh.etag);
      return;
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict) || attempt >= 5) throw error;
    }
  }
}
