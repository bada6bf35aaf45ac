/** GET /api/mailboxes/{id}: one mailbox: state, next due, last error per workload. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { json, respond } from "../shared/api/http-responses.js";
import { getMailbox } from "../shared/api/mailbox-api.js";
import { callerOf } from "../shared/auth/http-guard.js";
import { mailboxFor } from "../shared/auth/mail-content.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function getMailboxHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, mailboxFor(callerOf(request), await getMailbox(await getRuntime(), request.params.id ?? ""))), context);
}

defineFunction({ kind: "http", name: "getMailbox", route: "mailboxes/{id}", methods: ["GET"], handler: getMailboxHandler });
