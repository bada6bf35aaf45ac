/** GET /api/alerts */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { listAlerts } from "../shared/api/alert-api.js";
import { json, queryObject, respond } from "../shared/api/http-responses.js";
import { callerOf } from "../shared/auth/http-guard.js";
import { alertFor } from "../shared/auth/mail-content.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function listAlertsHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => {
    const page = await listAlerts(await getRuntime(), queryObject(request));
    return json(200, { ...page, items: page.items.map((alert) => alertFor(callerOf(request), alert)) });
  }, context);
}

defineFunction({ kind: "http", name: "listAlerts", route: "alerts", methods: ["GET"], handler: listAlertsHandler });
