/**
 * GET /api/emails/{id}/attachments/{attachmentId}/content: one attachment's bytes, streamed from
 * Blob Storage with its content type and Content-Disposition (download-headers.ts). The same route
 * serves tracked mail's attachments and CRM-authored email's; what has no stored content (an
 * attached item, a cloud link, a file left out, an upload not finished) says why instead.
 */
import type { HttpResponseInit } from "@azure/functions";
import { z } from "zod";
import type { Runtime } from "../runtime.js";
import { attachmentBlobName } from "../storage/attachment-store.js";
import { attachmentDisposition, safeContentType } from "./download-headers.js";
import { getEmail } from "./email-api.js";
import { ApiError, notFound, routeParam } from "./http-responses.js";

const attachmentIdParam = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be an attachment id");

export async function attachmentContent(runtime: Runtime, id: string, attachmentIdValue: string): Promise<HttpResponseInit> {
  const email = await getEmail(runtime, id);
  const attachmentId = routeParam(attachmentIdParam, attachmentIdValue, "attachmentId");
  const attachment = email.attachments?.find((a) => a.id === attachmentId);
  if (!attachment) throw notFound("Attachment", attachmentId);
  if (attachment.kind === "item" || attachment.kind === "reference") {
    const what = attachment.kind === "item" ? "an attached message or event" : "a link to a file in the cloud";
    throw new ApiError(404, "NoContent", `Attachment '${attachmentId}' is ${what}: it is listed on the email, and has no content of its own.`);
  }
  if (attachment.excluded) throw new ApiError(404, "NoContent", `Attachment '${attachmentId}' was left out (${attachment.excluded.reason}): ${attachment.excluded.message}`);
  if (!attachment.complete) throw new ApiError(409, "Conflict", `Attachment '${attachmentId}' is still being uploaded.`);
  const blob = await runtime.attachments.openRead(attachmentBlobName(email.id, attachment.id));
  if (!blob) throw notFound("Attachment content", attachmentId);
  return {
    status: 200,
    body: blob.stream,
    headers: {
      "Content-Type": safeContentType(attachment.contentType),
      "Content-Length": String(blob.contentLength),
      "Content-Disposition": attachmentDisposition(attachment.name),
      "X-Content-Type-Options": "nosniff",
    },
  };
}
