/** The audit log of admin changes, newest first: everything, or one mailbox's or profile's. */
import { z } from "zod";
import type { Runtime } from "../runtime.js";
import { idParam } from "./admin-schemas.js";
import { ApiError, parseOrThrow } from "./http-responses.js";
import { listScope, pageOf, pagingQuery } from "./paging.js";

const auditQuery = z.object({ mailboxId: idParam.optional(), profileId: idParam.optional() });

export async function listAudit(runtime: Runtime, query: Record<string, string>) {
  const { pageSize, continuationToken, ...filters } = parseOrThrow(pagingQuery.extend(auditQuery.shape), query, "query");
  if (filters.mailboxId && filters.profileId) throw new ApiError(400, "BadRequest", "Invalid query parameter 'profileId': give mailboxId or profileId, not both.", "profileId");
  const target = filters.mailboxId ? { type: "mailbox" as const, id: filters.mailboxId } : filters.profileId ? { type: "profile" as const, id: filters.profileId } : undefined;
  return pageOf(listScope("audit", filters), { pageSize, continuationToken }, (paging) => runtime.audit.list({ target, ...paging }));
}
