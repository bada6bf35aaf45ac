/** POST /api/mailboxes/{id}/track: Track now — a message of the mailbox becomes an activity at once, whatever the track option. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { json, jsonBody, respond } from "../shared/api/http-responses.js";
import { trackMessage } from "../shared/api/track-api.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function trackMessageHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await trackMessage(await getRuntime(), request.params.id ?? "", await jsonBody(request))), context);
}

defineFunction({ kind: "http", name: "trackMessage", route: "mailboxes/{id}/track", methods: ["POST"], handler: trackMessageHandler });
