/** PATCH /api/migrations/{id}: exclude or include profiles and mailboxes, wave settings, approval (before start). */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { patchMigration } from "../shared/api/migration-api.js";
import { json, jsonBody, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function patchMigrationHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await patchMigration(await getRuntime(), request.params.id ?? "", await jsonBody(request))), context);
}

defineFunction({ kind: "http", name: "patchMigration", route: "migrations/{id}", methods: ["PATCH"], handler: patchMigrationHandler });
