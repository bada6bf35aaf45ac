/**
 * The one place every HTTP function passes through (function-registry.ts wraps each handler): the
 * route's rule from route-access.ts, the bearer token validated, the role checked, the caller
 * remembered for the handler (approval, least exposure, audit). Function keys stay in front in
 * Azure; this is the check that knows who is calling.
 */
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { json } from "../api/http-responses.js";
import { withAuditTrail } from "../audit/audit-trail.js";
import { getRuntime } from "../runtime.js";
import type { Caller } from "./caller.js";
import { ruleFor } from "./route-access.js";
import { AuthenticationFailure } from "./token-authentication.js";

const callers = new WeakMap<HttpRequest, Caller>();

/** The authenticated caller of a request that passed the guard. */
export function callerOf(request: HttpRequest): Caller {
  const caller = callers.get(request);
  if (!caller) throw new Error("callerOf: the request did not pass the HTTP guard (shared/auth/http-guard.ts).");
  return caller;
}

function challenge(audience: string, failure?: AuthenticationFailure): string {
  // RFC 6750 §3: no error code when the request had no credentials at all.
  const error = failure && failure.kind !== "missing" ? `, error="invalid_token", error_description="${failure.message.replace(/"/g, "'")}"` : "";
  return `Bearer realm="${audience}"${error}`;
}

export function guardHttpHandler(functionName: string, handler: HttpHandler): HttpHandler {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const rule = ruleFor(functionName);
    if (!rule) {
      // Fail closed: a function shipped without a row in route-access.ts answers nothing.
      context.error("HTTP function has no access rule", { functionName });
      return json(403, { error: { code: "NoAccessRule", message: `Function '${functionName}' has no access rule (shared/auth/route-access.ts); it answers no one.` } });
    }
    if ("exempt" in rule) return handler(request, context);

    const runtime = await getRuntime();
    const { authentication } = runtime;
    let caller: Caller;
    try {
      caller = await authentication.authenticate(request.headers.get("authorization"));
    } catch (error) {
      if (!(error instanceof AuthenticationFailure)) throw error;
      context.warn("API request refused", { functionName, status: error.kind === "unavailable" ? 503 : 401, reason: error.reason });
      if (error.kind === "unavailable") return json(503, { error: { code: "SignInUnavailable", message: error.message } });
      return {
        ...json(401, { error: { code: "Unauthorized", message: error.message } }),
        headers: { "Content-Type": "application/json; charset=utf-8", "WWW-Authenticate": challenge(authentication.audience, error) },
      };
    }
    if (!rule.roles.some((role) => caller.roles.includes(role))) {
      const needed = rule.roles.join(" or ");
      context.warn("API request refused", { functionName, status: 403, reason: "MissingRole", caller: caller.objectId });
      return {
        ...json(403, { error: { code: "Forbidden", message: `This route needs the app role ${needed}; the token carries ${caller.roles.length ? caller.roles.join(", ") : "none of this API's roles"}.`, roles: rule.roles } }),
        headers: { "Content-Type": "application/json; charset=utf-8", "WWW-Authenticate": `Bearer realm="${authentication.audience}", error="insufficient_scope", error_description="needs app role ${needed}"` },
      };
    }
    callers.set(request, caller);
    return withAuditTrail(runtime, functionName, request, context, caller, async () => handler(request, context));
  };
}
