/** Read side of the email records API. */
import { z } from "zod";
import type { Runtime } from "../runtime.js";
import { notFound, parseOrThrow, routeParam } from "./http-responses.js";
import { mailboxIdParam } from "./mailbox-api.js";
import { listScope, pageOf, pagingQuery } from "./paging.js";

const emailIdParam = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be an email activity id");

export async function listEmails(runtime: Runtime, query: Record<string, string>) {
  const { pageSize, continuationToken, mailboxId } = parseOrThrow(pagingQuery.extend({ mailboxId: mailboxIdParam }), query, "query");
  if (!(await runtime.mailboxes.get(mailboxId))) throw notFound("Mailbox", mailboxId);
  return pageOf(listScope("emails", { mailboxId }), { pageSize, continuationToken }, (paging) => runtime.emails.listForMailbox(mailboxId, paging));
}

/** The activity with its attachments: a CRM email's as it was sent, tracked mail's as imported. */
export async function getEmail(runtime: Runtime, id: string) {
  const emailId = routeParam(emailIdParam, id, "id");
  const email = await runtime.emails.get(emailId);
  if (!email) throw notFound("Email", emailId);
  // A CRM email's attachments are files, none inline: shown with the same fields as tracked mail's.
  if (email.attachments) return { ...email, attachments: email.attachments.map((a) => ({ kind: "file" as const, isInline: false, ...a })) };
  const { attachments } = await runtime.emailAttachments.read(email.id);
  return { ...email, attachments };
}
