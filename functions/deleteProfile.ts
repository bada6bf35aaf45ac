/** DELETE /api/profiles/{id} */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { deleteProfile } from "../shared/api/profile-api.js";
import { respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function deleteProfileHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => { await deleteProfile(await getRuntime(), request.params.id ?? ""); return { status: 204 }; }, context);
}

defineFunction({ kind: "http", name: "deleteProfile", route: "profiles/{id}", methods: ["DELETE"], handler: deleteProfileHandler });
