/** POST /api/emails/{id}/send: move a Draft to Pending Send (or Sent, with issueSend false) */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { sendEmail } from "../shared/api/crm-email-api.js";
import { json, jsonBody, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function sendEmailHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await sendEmail(await getRuntime(), request.params.id ?? "", await jsonBody(request, { optional: true }))), context);
}

defineFunction({ kind: "http", name: "sendEmail", route: "emails/{id}/send", methods: ["POST"], handler: sendEmailHandler });
