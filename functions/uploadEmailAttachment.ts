/** PUT /api/emails/{id}/attachments/{attachmentId}/content: one chunk of an attachment (Content-Range) */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { uploadEmailAttachment } from "../shared/api/crm-email-api.js";
import { json, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function uploadEmailAttachmentHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await uploadEmailAttachment(await getRuntime(), request.params.id ?? "", request.params.attachmentId ?? "", request.headers.get("content-range"), Buffer.from(await request.arrayBuffer()))), context);
}

defineFunction({ kind: "http", name: "uploadEmailAttachment", route: "emails/{id}/attachments/{attachmentId}/content", methods: ["PUT"], handler: uploadEmailAttachmentHandler });
