/** DELETE /api/appointments/{id}: delete a appointment (204); If-Match makes it conditional. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { deleteActRecord } from "../shared/api/act-record-api.js";
import { respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function deleteAppointmentHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => { await deleteActRecord(await getRuntime(), "appointment", request.params.id ?? "", request.headers.get("if-match")); return { status: 204 }; }, context);
}

defineFunction({ kind: "http", name: "deleteAppointment", route: "appointments/{id}", methods: ["DELETE"], handler: deleteAppointmentHandler });
