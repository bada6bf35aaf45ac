/** DELETE /api/accounts/{id}: delete an account (204); If-Match makes it conditional. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { deleteActRecord } from "../shared/api/act-record-api.js";
import { respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function deleteAccountHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => { await deleteActRecord(await getRuntime(), "account", request.params.id ?? "", request.headers.get("if-match")); return { status: 204 }; }, context);
}

defineFunction({ kind: "http", name: "deleteAccount", route: "accounts/{id}", methods: ["DELETE"], handler: deleteAccountHandler });
