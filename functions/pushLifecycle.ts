/** POST /api/push/lifecycle: Graph lifecycle notifications (reauthorizationRequired, subscriptionRemoved, missed). Anonymous (shared/auth/route-access.ts): clientState authenticates. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { answerGraph } from "../shared/push/notification-endpoint.js";
import { pushRoutes } from "../shared/push/subscription-service.js";
import { getRuntime } from "../shared/runtime.js";

export async function pushLifecycleHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answerGraph(request, context, getRuntime, "lifecycle");
}

defineFunction({ kind: "http", name: "pushLifecycle", route: pushRoutes.lifecycle, methods: ["POST"], handler: pushLifecycleHandler });
