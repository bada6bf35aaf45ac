/** GET /api/records/{type}/{id}: one record of a declared email-enabled type, its version as ETag. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { actRecordResponse } from "../shared/api/act-record-api.js";
import { getDeclaredRecord } from "../shared/api/declared-record-api.js";
import { respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function getDeclaredRecordHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => actRecordResponse(200, await getDeclaredRecord(await getRuntime(), request.params.type ?? "", request.params.id ?? "")), context);
}

defineFunction({ kind: "http", name: "getDeclaredRecord", route: "records/{type}/{id}", methods: ["GET"], handler: getDeclaredRecordHandler });
