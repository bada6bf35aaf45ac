/**
 * Every function is defined once, here, and registered with the Azure Functions host. The local
 * host reads the same definitions to serve the same routes, timers and queues without Core Tools.
 */
import { app, type HttpHandler, type HttpMethod, type ServiceBusQueueHandler, type TimerHandler } from "@azure/functions";
import { guardHttpHandler } from "../auth/http-guard.js";
import { ruleFor } from "../auth/route-access.js";
import { serviceBusConnectionSetting } from "../config/names.js";

export type FunctionDefinition =
  | { kind: "http"; name: string; route: string; methods: HttpMethod[]; handler: HttpHandler }
  | { kind: "timer"; name: string; schedule: string; handler: TimerHandler }
  /** Session-enabled unless `sessions: false` (dead-letter queues are read without sessions). */
  | { kind: "serviceBusQueue"; name: string; queueName: string; sessions?: boolean; handler: ServiceBusQueueHandler };

const definitions: FunctionDefinition[] = [];
let registerWithAzure = true;

let setUp = false;

export function defineFunction(defined: FunctionDefinition): void {
  // Every HTTP function goes through the token and role check, in Azure and on the local host alike.
  const definition: FunctionDefinition = defined.kind === "http" ? { ...defined, handler: guardHttpHandler(defined.name, defined.handler) } : defined;
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
      // Function keys stay in front in Azure (the local host, like `func start`, asks for none);
      // the guard checks the caller's Entra ID token and app role behind them. The one exception,
      // declared in route-access.ts: the routes Graph posts notifications to and the console's static files (anonymous).
      app.http(definition.name, { route: definition.route, methods: definition.methods, authLevel: isAnonymous(definition.name) ? "anonymous" : "function", handler: definition.handler });
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

/** Whether the route takes no function key (route-access.ts: exempt and anonymous). */
export function isAnonymous(functionName: string): boolean {
  const rule = ruleFor(functionName);
  return rule !== undefined && "exempt" in rule && rule.anonymous === true;
}

export function registeredFunctions(): readonly FunctionDefinition[] {
  return definitions;
}

/** Called by the local host before it loads the function files: it hosts them itself. */
export function hostFunctionsLocally(): void {
  registerWithAzure = false;
}
