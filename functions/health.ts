/** GET /api/health: the app is up and its storage answers. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { json, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function health(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => {
    const runtime = await getRuntime();
    await runtime.profiles.get("health-probe");
    return json(200, { status: "ok", deploymentId: runtime.settings.deploymentId, time: new Date(runtime.now()).toISOString() });
  }, context);
}

defineFunction({ kind: "http", name: "health", route: "health", methods: ["GET"], handler: health });
