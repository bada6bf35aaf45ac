/** PUT /api/mailboxes/{id} */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { putMailbox } from "../shared/api/mailbox-admin-api.js";
import { json, jsonBody, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function putMailboxHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => { const { created, mailbox } = await putMailbox(await getRuntime(), request.params.id ?? "", await jsonBody(request)); return json(created ? 201 : 200, mailbox); }, context);
}

defineFunction({ kind: "http", name: "putMailbox", route: "mailboxes/{id}", methods: ["PUT"], handler: putMailboxHandler });
