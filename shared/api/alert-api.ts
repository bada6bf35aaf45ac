/** Alerts, newest first, by mailbox, profile and level. */
import type { Runtime } from "../runtime.js";
import { alertQuery } from "./admin-schemas.js";
import { parseOrThrow } from "./http-responses.js";
import { listScope, pageOf, pagingQuery } from "./paging.js";

export async function listAlerts(runtime: Runtime, query: Record<string, string>) {
  const { pageSize, continuationToken, ...filters } = parseOrThrow(pagingQuery.extend(alertQuery.shape), query, "query");
  return pageOf(listScope("alerts", filters), { pageSize, continuationToken }, (paging) => runtime.alerts.list({ ...filters, ...paging }));
}
