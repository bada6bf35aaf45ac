/** GET /api/monitoring: the console's monitoring dashboard (shared/api/monitoring-api.ts). */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { json, respond } from "../shared/api/http-responses.js";
import { monitoringSummary } from "../shared/api/monitoring-api.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function getMonitoringHandler(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await monitoringSummary(await getRuntime())), context);
}

defineFunction({ kind: "http", name: "getMonitoring", route: "monitoring", methods: ["GET"], handler: getMonitoringHandler });
