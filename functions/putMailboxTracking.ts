/** PUT /api/mailboxes/{id}/tracking: `{ trackOption (null: the organization default), autoCreateRecords }` for the mailbox's owner. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { json, jsonBody, respond } from "../shared/api/http-responses.js";
import { putMailboxTracking } from "../shared/api/owner-tracking-api.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function putMailboxTrackingHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await putMailboxTracking(await getRuntime(), request.params.id ?? "", await jsonBody(request))), context);
}

defineFunction({ kind: "http", name: "putMailboxTracking", route: "mailboxes/{id}/tracking", methods: ["PUT"], handler: putMailboxTrackingHandler });
