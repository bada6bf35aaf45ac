/** POST /api/push/notifications: Graph change notifications (and the validation handshake). Anonymous (shared/auth/route-access.ts): clientState authenticates. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { answerGraph } from "../shared/push/notification-endpoint.js";
import { pushRoutes } from "../shared/push/subscription-service.js";
import { getRuntime } from "../shared/runtime.js";

export async function pushNotificationsHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answerGraph(request, context, getRuntime, "changes");
}

defineFunction({ kind: "http", name: "pushNotifications", route: pushRoutes.notifications, methods: ["POST"], handler: pushNotificationsHandler });
