/** GET /api/profiles: email server profiles, paged. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { listProfiles } from "../shared/api/profile-api.js";
import { json, queryObject, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function listProfilesHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await listProfiles(await getRuntime(), queryObject(request))), context);
}

defineFunction({ kind: "http", name: "listProfiles", route: "profiles", methods: ["GET"], handler: listProfilesHandler });
