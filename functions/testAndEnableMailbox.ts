/** POST /api/mailboxes/{id}/test-and-enable */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { testAndEnableMailbox } from "../shared/api/mailbox-admin-api.js";
import { json, jsonBody, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function testAndEnableMailboxHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await testAndEnableMailbox(await getRuntime(), request.params.id ?? "", await jsonBody(request, { optional: true }))), context);
}

defineFunction({ kind: "http", name: "testAndEnableMailbox", route: "mailboxes/{id}/test-and-enable", methods: ["POST"], handler: testAndEnableMailboxHandler });
