/** GET /api/emails/{id}/attachments/{attachmentId}/content: an attachment's bytes, streamed (Content-Type, Content-Disposition) */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { attachmentContent } from "../shared/api/attachment-content-api.js";
import { respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function getEmailAttachmentContentHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => attachmentContent(await getRuntime(), request.params.id ?? "", request.params.attachmentId ?? ""), context);
}

defineFunction({ kind: "http", name: "getEmailAttachmentContent", route: "emails/{id}/attachments/{attachmentId}/content", methods: ["GET"], handler: getEmailAttachmentContentHandler });
