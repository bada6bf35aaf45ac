/** GET /api/failures: item-level failures, newest first (shared/api/failure-api.ts). */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { listFailures } from "../shared/api/failure-api.js";
import { json, queryObject, respond } from "../shared/api/http-responses.js";
import { callerOf } from "../shared/auth/http-guard.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function listFailuresHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await listFailures(await getRuntime(), queryObject(request), callerOf(request))), context);
}

defineFunction({ kind: "http", name: "listFailures", route: "failures", methods: ["GET"], handler: listFailuresHandler });
