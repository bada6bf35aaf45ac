/** GET /api/alerts */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { listAlerts } from "../shared/api/alert-api.js";
import { json, queryObject, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function listAlertsHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await listAlerts(await getRuntime(), queryObject(request))), context);
}

defineFunction({ kind: "http", name: "listAlerts", route: "alerts", methods: ["GET"], handler: listAlertsHandler });
