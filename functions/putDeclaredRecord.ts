/** PUT /api/records/{type}/{id}: create (201) or replace (200) a record of a declared email-enabled type. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { actRecordResponse } from "../shared/api/act-record-api.js";
import { putDeclaredRecord } from "../shared/api/declared-record-api.js";
import { jsonBody, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function putDeclaredRecordHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => {
    const { created, view } = await putDeclaredRecord(await getRuntime(), request.params.type ?? "", request.params.id ?? "", await jsonBody(request), request.headers.get("if-match"));
    return actRecordResponse(created ? 201 : 200, view);
  }, context);
}

defineFunction({ kind: "http", name: "putDeclaredRecord", route: "records/{type}/{id}", methods: ["PUT"], handler: putDeclaredRecordHandler });
