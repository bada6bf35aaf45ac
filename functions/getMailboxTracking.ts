/** GET /api/mailboxes/{id}/tracking: the owner's track option (or the organization default) and "automatically create records". */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { json, respond } from "../shared/api/http-responses.js";
import { getMailboxTracking } from "../shared/api/owner-tracking-api.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function getMailboxTrackingHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await getMailboxTracking(await getRuntime(), request.params.id ?? "")), context);
}

defineFunction({ kind: "http", name: "getMailboxTracking", route: "mailboxes/{id}/tracking", methods: ["GET"], handler: getMailboxTrackingHandler });
