/** PUT /api/profiles/{id}: create (201) or replace (200) an email server profile. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { putProfile } from "../shared/api/profile-api.js";
import { json, jsonBody, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function putProfileHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => { const { created, profile } = await putProfile(await getRuntime(), request.params.id ?? "", await jsonBody(request)); return json(created ? 201 : 200, profile); }, context);
}

defineFunction({ kind: "http", name: "putProfile", route: "profiles/{id}", methods: ["PUT"], handler: putProfileHandler });
