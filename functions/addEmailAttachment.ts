/** POST /api/emails/{id}/attachments: announce a large attachment; its bytes follow in chunks */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { announceEmailAttachment } from "../shared/api/crm-email-api.js";
import { json, jsonBody, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function addEmailAttachmentHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(201, await announceEmailAttachment(await getRuntime(), request.params.id ?? "", await jsonBody(request))), context);
}

defineFunction({ kind: "http", name: "addEmailAttachment", route: "emails/{id}/attachments", methods: ["POST"], handler: addEmailAttachmentHandler });
