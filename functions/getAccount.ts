/** GET /api/accounts/{id}: one account, its version as ETag. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { actRecordResponse, getActRecord } from "../shared/api/act-record-api.js";
import { respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function getAccountHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => actRecordResponse(200, await getActRecord(await getRuntime(), "account", request.params.id ?? "")), context);
}

defineFunction({ kind: "http", name: "getAccount", route: "accounts/{id}", methods: ["GET"], handler: getAccountHandler });
