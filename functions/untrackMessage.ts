/** DELETE /api/mailboxes/{id}/track/{messageId}: untrack the mailbox's copy (204); the activity and the message both stay. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { respond } from "../shared/api/http-responses.js";
import { untrackMessage } from "../shared/api/track-api.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function untrackMessageHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => {
    await untrackMessage(await getRuntime(), request.params.id ?? "", request.params.messageId ?? "");
    return { status: 204 };
  }, context);
}

defineFunction({ kind: "http", name: "untrackMessage", route: "mailboxes/{id}/track/{messageId}", methods: ["DELETE"], handler: untrackMessageHandler });
