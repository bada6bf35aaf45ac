/** PUT /api/sync-filters/{ownerId}/{recordType}: replace one of a CRM user's sync filters. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { json, jsonBody, respond } from "../shared/api/http-responses.js";
import { putSyncFilter } from "../shared/api/sync-filter-api.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function putSyncFilterHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await putSyncFilter(await getRuntime(), request.params.ownerId ?? "", request.params.recordType ?? "", await jsonBody(request))), context);
}

defineFunction({ kind: "http", name: "putSyncFilter", route: "sync-filters/{ownerId}/{recordType}", methods: ["PUT"], handler: putSyncFilterHandler });
