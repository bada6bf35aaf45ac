/** GET /api/migrations/{id}: the plan (profiles, mailboxes, what is not migrated and why) and its progress. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { getMigration } from "../shared/api/migration-api.js";
import { json, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function getMigrationHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await getMigration(await getRuntime(), request.params.id ?? "")), context);
}

defineFunction({ kind: "http", name: "getMigration", route: "migrations/{id}", methods: ["GET"], handler: getMigrationHandler });
