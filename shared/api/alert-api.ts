/** Alerts, newest first, by mailbox, profile and level. */
import type { Runtime } from "../runtime.js";
import { alertQuery } from "./admin-schemas.js";
import { pagingQuery, parseOrThrow } from "./http-responses.js";
import { withContinuation } from "./mailbox-api.js";

export async function listAlerts(runtime: Runtime, query: Record<string, string>) {
  const input = parseOrThrow(pagingQuery.extend(alertQuery.shape), query, "query");
  const page = await withContinuation(() => runtime.alerts.list(input));
  return { items: page.items, continuationToken: page.continuationToken ?? null };
}
