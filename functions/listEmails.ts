/** GET /api/emails?mailboxId=…: a mailbox's email activities, newest first, paged. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { listEmails } from "../shared/api/email-api.js";
import { json, queryObject, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function listEmailsHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await listEmails(await getRuntime(), queryObject(request))), context);
}

defineFunction({ kind: "http", name: "listEmails", route: "emails", methods: ["GET"], handler: listEmailsHandler });
