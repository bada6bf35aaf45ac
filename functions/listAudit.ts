/** GET /api/audit: changes made through the admin API (who, what, before/after, when), newest first. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { listAudit } from "../shared/api/audit-api.js";
import { json, queryObject, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function listAuditHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await listAudit(await getRuntime(), queryObject(request))), context);
}

defineFunction({ kind: "http", name: "listAudit", route: "audit", methods: ["GET"], handler: listAuditHandler });
