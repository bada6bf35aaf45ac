/** POST /api/migrations/{id}/start: create the plan's profiles and mailboxes (idempotent) and schedule the waves. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { startMigrationRequest } from "../shared/api/migration-api.js";
import { callerOf } from "../shared/auth/http-guard.js";
import { json, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function startMigrationHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await startMigrationRequest(await getRuntime(), request.params.id ?? "", callerOf(request))), context);
}

defineFunction({ kind: "http", name: "startMigration", route: "migrations/{id}/start", methods: ["POST"], handler: startMigrationHandler });
