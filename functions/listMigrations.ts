/** GET /api/migrations: Email Router migrations, paged. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { listMigrations } from "../shared/api/migration-api.js";
import { json, queryObject, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function listMigrationsHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await listMigrations(await getRuntime(), queryObject(request))), context);
}

defineFunction({ kind: "http", name: "listMigrations", route: "migrations", methods: ["GET"], handler: listMigrationsHandler });
