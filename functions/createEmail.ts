/** POST /api/emails: create a Draft email activity */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { createEmail } from "../shared/api/crm-email-api.js";
import { json, jsonBody, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function createEmailHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(201, await createEmail(await getRuntime(), await jsonBody(request))), context);
}

defineFunction({ kind: "http", name: "createEmail", route: "emails", methods: ["POST"], handler: createEmailHandler });
