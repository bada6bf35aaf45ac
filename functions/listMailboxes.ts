/** GET /api/mailboxes: mailboxes with their per-workload state, paged. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { json, queryObject, respond } from "../shared/api/http-responses.js";
import { listMailboxes } from "../shared/api/mailbox-api.js";
import { callerOf } from "../shared/auth/http-guard.js";
import { mailboxFor } from "../shared/auth/mail-content.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function listMailboxesHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => {
    const page = await listMailboxes(await getRuntime(), queryObject(request));
    return json(200, { ...page, items: page.items.map((mailbox) => mailboxFor(callerOf(request), mailbox)) });
  }, context);
}

defineFunction({ kind: "http", name: "listMailboxes", route: "mailboxes", methods: ["GET"], handler: listMailboxesHandler });
