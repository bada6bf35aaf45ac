/** GET /api/profiles/{id} */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { getProfile } from "../shared/api/profile-api.js";
import { json, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function getProfileHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await getProfile(await getRuntime(), request.params.id ?? "")), context);
}

defineFunction({ kind: "http", name: "getProfile", route: "profiles/{id}", methods: ["GET"], handler: getProfileHandler });
