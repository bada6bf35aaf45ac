/** PUT /api/accounts/{id}: replace an account's owner and fields; `version` or If-Match makes a stale write a 409. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { actRecordResponse, updateActRecord } from "../shared/api/act-record-api.js";
import { jsonBody, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function updateAccountHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => actRecordResponse(200, await updateActRecord(await getRuntime(), "account", request.params.id ?? "", await jsonBody(request), request.headers.get("if-match"))), context);
}

defineFunction({ kind: "http", name: "updateAccount", route: "accounts/{id}", methods: ["PUT"], handler: updateAccountHandler });
