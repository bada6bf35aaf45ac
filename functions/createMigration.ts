/** POST /api/migrations: upload up to four Email Routers' configuration files (multipart/form-data) and plan the migration. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { uploadMigration } from "../shared/api/migration-api.js";
import { json, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function createMigrationHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(201, await uploadMigration(await getRuntime(), request.headers.get("content-type"), request.body)), context);
}

defineFunction({ kind: "http", name: "createMigration", route: "migrations", methods: ["POST"], handler: createMigrationHandler });
