/** POST /api/accounts: create an account (201 with its id and version). */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { actRecordResponse, createActRecord } from "../shared/api/act-record-api.js";
import { jsonBody, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function createAccountHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => actRecordResponse(201, await createActRecord(await getRuntime(), "account", await jsonBody(request))), context);
}

defineFunction({ kind: "http", name: "createAccount", route: "accounts", methods: ["POST"], handler: createAccountHandler });
