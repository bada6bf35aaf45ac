/** GET /api/emails/{id}: one email activity with body, parties and the mailboxes it was found in. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { getEmail } from "../shared/api/email-api.js";
import { json, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function getEmailHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await getEmail(await getRuntime(), request.params.id ?? "")), context);
}

defineFunction({ kind: "http", name: "getEmail", route: "emails/{id}", methods: ["GET"], handler: getEmailHandler });
