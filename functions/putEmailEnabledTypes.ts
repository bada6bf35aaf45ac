/** PUT /api/settings/email-enabled-types: declare record types (name, address fields) as email-enabled. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { putEmailEnabledTypes } from "../shared/api/declared-record-api.js";
import { json, jsonBody, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function putEmailEnabledTypesHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await putEmailEnabledTypes(await getRuntime(), await jsonBody(request))), context);
}

defineFunction({ kind: "http", name: "putEmailEnabledTypes", route: "settings/email-enabled-types", methods: ["PUT"], handler: putEmailEnabledTypesHandler });
