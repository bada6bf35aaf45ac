/** POST /api/mailboxes/{id}/approve */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { approveMailbox } from "../shared/api/mailbox-admin-api.js";
import { callerOf } from "../shared/auth/http-guard.js";
import { json, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function approveMailboxHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await approveMailbox(await getRuntime(), request.params.id ?? "", callerOf(request))), context);
}

defineFunction({ kind: "http", name: "approveMailbox", route: "mailboxes/{id}/approve", methods: ["POST"], handler: approveMailboxHandler });
