/** Message endpoints: get, list (paged, filtered), delta, move. Writes are in draft-endpoints.ts. */
import { GraphError } from "./graph-error.js";
import { messageProperties, renderMessage, type MessageRenderOptions } from "./graph-json.js";
import { graphJson, requestJson, type GraphCall } from "./graph-routes.js";
import type { SimResponse } from "./http-server.js";
import { matchesMessageFilter, parseMessageFilter } from "./message-filter.js";
import { parseExpand, parseReceivedDateTimeFilter, parseSelect, parseTop } from "./odata-query.js";

const typeName = "microsoft.graph.message";
const defaultPageSize = 10;
const maxPageSize = 1000;

function renderOptions(call: GraphCall): MessageRenderOptions {
  return {
    select: parseSelect(call.query.get("select"), messageProperties, typeName),
    expandPropertyIds: parseExpand(call.query.get("expand"), typeName),
    bodyContentType: call.prefer.bodyContentType,
  };
}

export function getMessage(call: GraphCall): SimResponse {
  const message = call.context.store.message(call.mailbox, call.params.message!);
  return graphJson(call, `users('${call.userSegment}')/messages/$entity`, renderMessage(message, renderOptions(call)));
}

/** Newest first, `$top`/`$skip` paging with an absolute nextLink, `$filter` as in message-filter.ts. */
export function listMessages(call: GraphCall): SimResponse {
  const { store } = call.context;
  const folder = call.params.folder === undefined ? undefined : store.folder(call.mailbox, call.params.folder);
  const filter = parseMessageFilter(call.query.get("filter"));
  const options = renderOptions(call);
  const top = Math.min(parseTop(call.query.get("top")) ?? call.prefer.maxPageSize ?? defaultPageSize, maxPageSize);
  const skip = parseTop(call.query.get("skip")) ?? 0;
  const messages = (folder ? store.messagesIn(call.mailbox, folder.id) : [...call.mailbox.messages.values()].sort((a, b) => b.receivedAt - a.receivedAt))
    .filter((m) => matchesMessageFilter(filter, m));
  const page = messages.slice(skip, skip + top);
  const body: Record<string, unknown> = { value: page.map((m) => renderMessage(m, options)) };
  if (skip + top < messages.length) {
    const query = [...call.request.url.searchParams]
      .filter(([name]) => !/^\$?(skip|top)$/i.test(name))
      .map(([name, value]) => `${name}=${encodeURIComponent(value)}`);
    query.push(`$top=${top}`, `$skip=${skip + top}`);
    body["@odata.nextLink"] = `${call.context.baseUrl()}${call.request.url.pathname}?${query.join("&")}`;
  }
  const contextPath = folder
    ? `users('${call.userSegment}')/mailFolders('${call.params.folder}')/messages`
    : `users('${call.userSegment}')/messages`;
  return graphJson(call, contextPath, body);
}

/**
 * Query options count on the first request only; $skiptoken/$deltatoken requests take theirs
 * from the sync state. Page size: Prefer odata.maxpagesize, else $top, else 10.
 */
export function messageDelta(call: GraphCall): SimResponse {
  const { store, delta } = call.context;
  const folder = store.folder(call.mailbox, call.params.folder!);
  const skipToken = call.query.get("skiptoken");
  const deltaToken = call.query.get("deltatoken");
  const page =
    skipToken !== undefined || deltaToken !== undefined
      ? delta.follow(
          call.mailbox,
          folder.id,
          skipToken !== undefined ? "skiptoken" : "deltatoken",
          (skipToken ?? deltaToken)!,
          call.prefer.maxPageSize,
        )
      : delta.start(
          call.mailbox,
          folder.id,
          { ...renderOptions(call), filter: parseReceivedDateTimeFilter(call.query.get("filter")) },
          Math.min(call.prefer.maxPageSize ?? parseTop(call.query.get("top")) ?? defaultPageSize, maxPageSize),
        );
  const link = `${call.context.baseUrl()}/v1.0/users/${call.mailbox.id}/mailFolders/${encodeURIComponent(folder.id)}/messages/delta`;
  return graphJson(call, "Collection(message)", {
    ...(page.nextToken ? { "@odata.nextLink": `${link}?$skiptoken=${page.nextToken}` } : {}),
    value: page.items,
    ...(page.deltaToken ? { "@odata.deltaLink": `${link}?$deltatoken=${page.deltaToken}` } : {}),
  });
}

export function moveMessage(call: GraphCall): SimResponse {
  const body = requestJson(call);
  if (typeof body.destinationId !== "string") {
    throw new GraphError(400, "ErrorInvalidRequest", "The destinationId parameter is required.");
  }
  // Immutable ids: the moved message keeps its id.
  const message = call.context.store.move(call.mailbox, call.params.message!, body.destinationId);
  return graphJson(call, `users('${call.userSegment}')/messages/$entity`, renderMessage(message), 201);
}
