/** PUT /api/settings */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { putSettings } from "../shared/api/settings-api.js";
import { json, jsonBody, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function putSettingsHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await putSettings(await getRuntime(), await jsonBody(request))), context);
}

defineFunction({ kind: "http", name: "putSettings", route: "settings", methods: ["PUT"], handler: putSettingsHandler });
