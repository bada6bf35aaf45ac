/**
 * Paging for the event, contact and task lists: `$top` (else `Prefer: odata.maxpagesize`, else 10;
 * at most 1000, calendarView's documented maximum) and `$skip`, with an absolute nextLink that
 * repeats the request's other query options, as the message lists do.
 */
import { graphJson, type GraphCall } from "./graph-routes.js";
import type { SimResponse } from "./http-server.js";
import { parseTop } from "./odata-query.js";

export function pagedCollection<T>(
  call: GraphCall,
  items: T[],
  render: (item: T) => Record<string, unknown>,
  contextPath: string,
): SimResponse {
  const top = Math.min(parseTop(call.query.get("top")) ?? call.prefer.maxPageSize ?? 10, 1000);
  const skip = parseTop(call.query.get("skip")) ?? 0;
  const body: Record<string, unknown> = { value: items.slice(skip, skip + top).map(render) };
  if (skip + top < items.length) {
    const query = [...call.request.url.searchParams]
      .filter(([name]) => !/^\$?(skip|top)$/i.test(name))
      .map(([name, value]) => `${name}=${encodeURIComponent(value)}`);
    query.push(`$top=${top}`, `$skip=${skip + top}`);
    body["@odata.nextLink"] = `${call.context.baseUrl()}${call.request.url.pathname}?${query.join("&")}`;
  }
  return graphJson(call, contextPath, body);
}

/** The absolute delta link base for a collection (tokens are appended). */
export function deltaBase(call: GraphCall, path: string): string {
  return `${call.context.baseUrl()}/v1.0/users/${call.mailbox.id}/${path}`;
}

/** A delta page as Graph shapes it: nextLink first, then value, then deltaLink. */
export function deltaResponse(
  call: GraphCall,
  contextPath: string,
  base: string,
  page: { items: Array<Record<string, unknown>>; nextToken?: string; deltaToken?: string },
): SimResponse {
  return graphJson(call, contextPath, {
    ...(page.nextToken ? { "@odata.nextLink": `${base}?$skiptoken=${page.nextToken}` } : {}),
    value: page.items,
    ...(page.deltaToken ? { "@odata.deltaLink": `${base}?$deltatoken=${page.deltaToken}` } : {}),
  });
}
