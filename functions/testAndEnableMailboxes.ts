/** POST /api/mailboxes/test-and-enable */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { testAndEnableMany } from "../shared/api/mailbox-admin-api.js";
import { json, jsonBody, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function testAndEnableMailboxesHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await testAndEnableMany(await getRuntime(), await jsonBody(request))), context);
}

defineFunction({ kind: "http", name: "testAndEnableMailboxes", route: "mailboxes/test-and-enable", methods: ["POST"], handler: testAndEnableMailboxesHandler });
