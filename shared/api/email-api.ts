/** Read side of the email records API. */
import { z } from "zod";
import type { Runtime } from "../runtime.js";
import { notFound, pagingQuery, parseOrThrow } from "./http-responses.js";
import { mailboxIdParam, withContinuation } from "./mailbox-api.js";

const emailIdParam = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be an email activity id");

export async function listEmails(runtime: Runtime, query: Record<string, string>) {
  const { pageSize, continuationToken, mailboxId } = parseOrThrow(pagingQuery.extend({ mailboxId: mailboxIdParam }), query, "query");
  if (!(await runtime.mailboxes.get(mailboxId))) throw notFound("Mailbox", mailboxId);
  const page = await withContinuation(() => runtime.emails.listForMailbox(mailboxId, { pageSize, continuationToken }));
  return { items: page.items, continuationToken: page.continuationToken ?? null };
}

/** The activity with its attachments: a CRM email's as it was sent, tracked mail's as imported. */
export async function getEmail(runtime: Runtime, id: string) {
  const emailId = parseOrThrow(emailIdParam, id, "route");
  const email = await runtime.emails.get(emailId);
  if (!email) throw notFound("Email", emailId);
  if (email.attachments) return email;
  const { attachments } = await runtime.emailAttachments.read(email.id);
  return { ...email, attachments };
}
