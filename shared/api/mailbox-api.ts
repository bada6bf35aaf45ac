/** Read side of the mailbox API: how a mailbox and its workloads look to admins. */
import type { Mailbox, WorkloadState } from "../domain/mailbox.js";
import { workloads } from "../domain/workloads.js";
import type { Runtime } from "../runtime.js";
import { pushView } from "../push/push-view.js";
import { mailboxListQuery } from "./admin-schemas.js";
import { notFound, parseOrThrow, routeParam } from "./http-responses.js";
import { listScope, pageOf, pagingQuery } from "./paging.js";

function workloadView(state: WorkloadState) {
  return {
    syncMethod: state.method,
    enabled: state.enabled,
    status: state.status,
    nextRunAt: state.dueAt === null || !state.nextSlot ? null : new Date(state.nextSlot).toISOString(),
    lastRunAt: state.lastRunAt ?? null,
    lastSuccessAt: state.lastSuccessAt ?? null,
    lastError: state.lastError ?? null,
    transientFailures: state.transientFailures,
    recentItems: state.recentItems,
  };
}

export function mailboxView(mailbox: Mailbox) {
  return {
    id: mailbox.id,
    emailAddress: mailbox.emailAddress,
    exchangeUserId: mailbox.exchangeUserId ?? null,
    profileId: mailbox.profileId,
    ownerType: mailbox.ownerType,
    ownerId: mailbox.ownerId,
    approved: mailbox.approved,
    processEmailsFrom: mailbox.processEmailsFrom ?? null,
    workloads: Object.fromEntries(workloads.map((w) => [w, workloadView(mailbox.workloads[w])])),
    createdAt: mailbox.createdAt,
    updatedAt: mailbox.updatedAt,
  };
}

export { idParam as mailboxIdParam } from "./admin-schemas.js";
import { idParam as mailboxIdParam } from "./admin-schemas.js";

export async function getMailbox(runtime: Runtime, id: string) {
  const mailboxId = routeParam(mailboxIdParam, id, "id");
  const stored = await runtime.mailboxes.get(mailboxId);
  if (!stored) throw notFound("Mailbox", mailboxId);
  return { ...mailboxView(stored.mailbox), push: await pushView(runtime, mailboxId) };
}

export async function listMailboxes(runtime: Runtime, query: Record<string, string>) {
  const { pageSize, continuationToken, ...filters } = parseOrThrow(pagingQuery.extend(mailboxListQuery.shape), query, "query");
  const page = await pageOf(listScope("mailboxes", { ...filters, approved: filters.approved === undefined ? undefined : String(filters.approved) }), { pageSize, continuationToken }, (paging) => runtime.mailboxes.listPage({ ...filters, ...paging }));
  return { ...page, items: page.items.map(mailboxView) };
}
