/** POST /api/mailboxes/{id}/disable */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { disableMailboxWorkloads } from "../shared/api/mailbox-admin-api.js";
import { json, jsonBody, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function disableMailboxHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await disableMailboxWorkloads(await getRuntime(), request.params.id ?? "", await jsonBody(request, { optional: true }))), context);
}

defineFunction({ kind: "http", name: "disableMailbox", route: "mailboxes/{id}/disable", methods: ["POST"], handler: disableMailboxHandler });
