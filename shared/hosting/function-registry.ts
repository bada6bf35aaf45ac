/**
 * Every function is defined once, here, and registered with the Azure Functions host. The local
 * host reads the same definitions to serve the same routes, timers and queues without Core Tools.
 */
import { app, type HttpHandler, type HttpMethod, type ServiceBusQueueHandler, type TimerHandler } from "@azure/functions";
import { serviceBusConnectionSetting } from "../config/names.js";

export type FunctionDefinition =
  | {
      kind: "http";
      name: string;
      route: string;
      methods: HttpMethod[];
      handler: HttpHandler;
      /**
       * `graphNotifications`: Microsoft Graph calls this route (change and lifecycle notifications).
       * Graph sends no function key and no sign-in token: the route is anonymous, and every
       * notification is authenticated by its subscription's clientState instead (shared/push).
       */
      caller?: "graphNotifications";
    }
  | { kind: "timer"; name: string; schedule: string; handler: TimerHandler }
  /** Session-enabled unless `sessions: false` (dead-letter queues are read without sessions). */
  | { kind: "serviceBusQueue"; name: string; queueName: string; sessions?: boolean; handler: ServiceBusQueueHandler };

const definitions: FunctionDefinition[] = [];
let registerWithAzure = true;

let setUp = false;

export function defineFunction(definition: FunctionDefinition): void {
  definitions.push(definition);
  if (!registerWithAzure) return;
  if (!setUp) {
    // Before the first registration: responses stream (an attachment's content is never buffered
    // whole by the worker, and is not bound by its message size limit).
    app.setup({ enableHttpStream: true });
    setUp = true;
  }
  switch (definition.kind) {
    case "http":
      // Function keys protect the routes in Azure; the local host, like `func start`, asks for none.
      app.http(definition.name, { route: definition.route, methods: definition.methods, authLevel: isCalledByGraph(definition) ? "anonymous" : "function", handler: definition.handler });
      break;
    case "timer":
      app.timer(definition.name, { schedule: definition.schedule, handler: definition.handler });
      break;
    case "serviceBusQueue":
      app.serviceBusQueue(definition.name, {
        connection: serviceBusConnectionSetting,
        queueName: definition.queueName,
        isSessionsEnabled: definition.sessions !== false,
        handler: definition.handler,
      });
      break;
  }
}

/**
 * The one exemption from function keys and sign-in: routes Graph posts notifications to, which
 * authenticate each notification by clientState. Every other route requires the caller's identity.
 */
export function isCalledByGraph(definition: FunctionDefinition): boolean {
  return definition.kind === "http" && definition.caller === "graphNotifications";
}

export function registeredFunctions(): readonly FunctionDefinition[] {
  return definitions;
}

/** Called by the local host before it loads the function files: it hosts them itself. */
export function hostFunctionsLocally(): void {
  registerWithAzure = false;
}
