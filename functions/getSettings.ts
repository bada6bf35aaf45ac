/** GET /api/settings */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { getSettings } from "../shared/api/settings-api.js";
import { json, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function getSettingsHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await getSettings(await getRuntime())), context);
}

defineFunction({ kind: "http", name: "getSettings", route: "settings", methods: ["GET"], handler: getSettingsHandler });
