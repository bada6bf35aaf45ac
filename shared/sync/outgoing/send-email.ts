/**
 * Sending one CRM email through the sender's mailbox, exactly once.
 *
 * The message is built as a draft stamped with the CRM email id, attachments are added (inline up
 * to 3 MB, else through an upload session in ≤ 4 MB chunks), the email records "send issued for
 * draft D" — and only then is the draft sent. A retry after a crash asks Graph about D: still a
 * draft → it was not sent, send it; sent or gone → it was sent, record Sent. Stamped drafts left
 * by an attempt that died before recording theirs are deleted before a new one is built.
 */
import { inlineAttachmentLimitBytes, uploadChunkBytes } from "../../domain/outgoing-email.js";
import { subjectWithToken } from "../../domain/tracking/token-format.js";
import type { GraphConnection } from "../../graph/graph-connection.js";
import { GraphRequestError } from "../../graph/graph-errors.js";
import { crmEmailStampId } from "../../graph/ownership-stamp.js";
import type { AttachmentStore } from "../../storage/attachment-store.js";
import { attachmentBlobName } from "../../storage/attachment-store.js";
import type { CrmEmail, CrmEmailRepository } from "../../storage/crm-email-repository.js";

/** PidTagDeleteAfterSubmit: Exchange keeps no Sent Items copy when set on the draft. */
const deleteAfterSubmitId = "Boolean 0x0E01";

export interface SendContext {
  graph: GraphConnection;
  emails: CrmEmailRepository;
  attachments: AttachmentStore;
  userKey: string;
  saveToSentItems: boolean;
  now: () => number;
}

export interface SendResult {
  internetMessageId?: string;
  sentAt: string;
}

interface GraphDraft {
  id: string;
  isDraft?: boolean;
  internetMessageId?: string;
  sentDateTime?: string;
}

const recipients = (parties: CrmEmail["to"]) => parties.map((p) => ({ emailAddress: { address: p.address, ...(p.name ? { name: p.name } : {}) } }));

/** Sends the email (already marked Sending, with `etag`), returning what Graph reported. */
export async function sendEmailOnce(ctx: SendContext, email: CrmEmail, etag: string): Promise<SendResult> {
  const user = `/users/${encodeURIComponent(ctx.userKey)}`;
  let draft: GraphDraft | undefined;
  if (email.sendIssued && email.draftGraphId) {
    const previous = await readDraft(ctx.graph, user, email.draftGraphId);
    if (!previous || previous.isDraft === false) {
      // The earlier attempt's send went through.
      return { internetMessageId: previous?.internetMessageId ?? email.internetMessageId, sentAt: previous?.sentDateTime ?? new Date(ctx.now()).toISOString() };
    }
    draft = previous;
  }
  if (!draft) {
    await deleteStrayDrafts(ctx.graph, user, email.id);
    draft = await buildDraft(ctx, user, email);
    etag = await ctx.emails.update(email.id, { draftGraphId: draft.id, internetMessageId: draft.internetMessageId }, etag);
  }
  // Recorded before the send: from here on a retry checks the draft instead of sending again.
  await ctx.emails.update(email.id, { sendIssued: true, draftGraphId: draft.id }, etag);
  if (draft.internetMessageId) await ctx.emails.writeAlias(draft.internetMessageId, email.id);
  await ctx.graph.post(`${user}/messages/${encodeURIComponent(draft.id)}/send`, {});
  return { internetMessageId: draft.internetMessageId, sentAt: new Date(ctx.now()).toISOString() };
}

async function readDraft(graph: GraphConnection, user: string, id: string): Promise<GraphDraft | undefined> {
  try {
    return await graph.get<GraphDraft>(`${user}/messages/${encodeURIComponent(id)}?$select=id,isDraft,internetMessageId,sentDateTime`);
  } catch (error) {
    if (error instanceof GraphRequestError && error.status === 404) return undefined;
    throw error;
  }
}

async function deleteStrayDrafts(graph: GraphConnection, user: string, emailId: string): Promise<void> {
  const filter = `singleValueExtendedProperties/any(ep: ep/id eq '${crmEmailStampId}' and ep/value eq '${emailId}')`;
  const found = await graph.get<{ value: GraphDraft[] }>(`${user}/mailFolders/drafts/messages?$filter=${encodeURIComponent(filter)}&$select=id,isDraft`);
  for (const stray of found.value.filter((m) => m.isDraft !== false)) {
    await graph.delete(`${user}/messages/${encodeURIComponent(stray.id)}`).catch((error: unknown) => {
      if (!(error instanceof GraphRequestError && error.status === 404)) throw error;
    });
  }
}

async function buildDraft(ctx: SendContext, user: string, email: CrmEmail): Promise<GraphDraft> {
  const properties = [{ id: crmEmailStampId, value: email.id }];
  if (!ctx.saveToSentItems) properties.push({ id: deleteAfterSubmitId, value: "true" });
  const draft = await ctx.graph.post<GraphDraft>(`${user}/messages`, {
    subject: email.trackingToken ? subjectWithToken(email.subject, email.trackingToken) : email.subject,
    body: email.body,
    toRecipients: recipients(email.to),
    ccRecipients: recipients(email.cc),
    bccRecipients: recipients(email.bcc),
    singleValueExtendedProperties: properties,
  });
  const messagePath = `${user}/messages/${encodeURIComponent(draft.id)}`;
  for (const attachment of email.attachments) {
    const blob = attachmentBlobName(email.id, attachment.id);
    if (attachment.size <= inlineAttachmentLimitBytes) {
      const bytes = await ctx.attachments.read(blob);
      await ctx.graph.post(`${messagePath}/attachments`, {
        "@odata.type": "#microsoft.graph.fileAttachment",
        name: attachment.name,
        contentType: attachment.contentType,
        contentBytes: bytes.toString("base64"),
      });
      continue;
    }
    const session = await ctx.graph.post<{ uploadUrl: string }>(`${messagePath}/attachments/createUploadSession`, {
      AttachmentItem: { attachmentType: "file", name: attachment.name, size: attachment.size, contentType: attachment.contentType },
    });
    for (let offset = 0; offset < attachment.size; offset += uploadChunkBytes) {
      const chunk = await ctx.attachments.read(blob, offset, Math.min(uploadChunkBytes, attachment.size - offset));
      await ctx.graph.uploadChunk(session.uploadUrl, chunk, offset, attachment.size);
    }
  }
  return draft;
}
