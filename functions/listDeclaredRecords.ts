/** GET /api/records/{type}?ownerId=…: a CRM user's records of a declared type, paged. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { listDeclaredRecords } from "../shared/api/declared-record-api.js";
import { json, queryObject, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function listDeclaredRecordsHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await listDeclaredRecords(await getRuntime(), request.params.type ?? "", queryObject(request))), context);
}

defineFunction({ kind: "http", name: "listDeclaredRecords", route: "records/{type}", methods: ["GET"], handler: listDeclaredRecordsHandler });
