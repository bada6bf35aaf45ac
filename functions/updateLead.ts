/** PUT /api/leads/{id}: replace a lead's owner and fields; `version` or If-Match makes a stale write a 409. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { actRecordResponse, updateActRecord } from "../shared/api/act-record-api.js";
import { jsonBody, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function updateLeadHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => actRecordResponse(200, await updateActRecord(await getRuntime(), "lead", request.params.id ?? "", await jsonBody(request), request.headers.get("if-match"))), context);
}

defineFunction({ kind: "http", name: "updateLead", route: "leads/{id}", methods: ["PUT"], handler: updateLeadHandler });
