/** DELETE /api/records/{type}/{id}: delete a record of a declared type (204); If-Match makes it conditional. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { deleteDeclaredRecord } from "../shared/api/declared-record-api.js";
import { respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function deleteDeclaredRecordHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => { await deleteDeclaredRecord(await getRuntime(), request.params.type ?? "", request.params.id ?? "", request.headers.get("if-match")); return { status: 204 }; }, context);
}

defineFunction({ kind: "http", name: "deleteDeclaredRecord", route: "records/{type}/{id}", methods: ["DELETE"], handler: deleteDeclaredRecordHandler });
