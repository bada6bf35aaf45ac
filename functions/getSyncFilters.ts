/** GET /api/sync-filters/{ownerId}: a CRM user's three sync filters, defaults filled in. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { json, respond } from "../shared/api/http-responses.js";
import { getSyncFilters } from "../shared/api/sync-filter-api.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function getSyncFiltersHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await getSyncFilters(await getRuntime(), request.params.ownerId ?? "")), context);
}

defineFunction({ kind: "http", name: "getSyncFilters", route: "sync-filters/{ownerId}", methods: ["GET"], handler: getSyncFiltersHandler });
