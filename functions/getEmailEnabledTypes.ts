/** GET /api/settings/email-enabled-types: the record types declared email-enabled beyond the built-in ones. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { getEmailEnabledTypes } from "../shared/api/declared-record-api.js";
import { json, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function getEmailEnabledTypesHandler(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await getEmailEnabledTypes(await getRuntime())), context);
}

defineFunction({ kind: "http", name: "getEmailEnabledTypes", route: "settings/email-enabled-types", methods: ["GET"], handler: getEmailEnabledTypesHandler });
