/**
 * What happens to every Graph request before an endpoint sees it, in Graph's order: injected
 * faults, request size (4 MB), token validation, permission (role) check, mailbox resolution, application access
 * policy, mailbox kind, throttling, latency. Errors become Graph's exact error envelope.
 */
import { GraphError, graphErrorBody } from "./graph-error.js";
import { defaultFaultCode } from "./faults.js";
import { matchGraphRoute, type AccessKind, type GraphCall } from "./graph-routes.js";
import type { SimRequest, SimResponse } from "./http-server.js";
import { parsePreferences, queryOptions } from "./odata-query.js";
import { requireMailboxAccess } from "./mailbox-access.js";
import { sleep, type SimulatorContext } from "./simulator-context.js";
import { handleSubscriptionRequest } from "./subscription-endpoints.js";

const roleSets: Record<AccessKind, readonly string[]> = {
  read: ["Mail.Read", "Mail.ReadWrite"],
  write: ["Mail.ReadWrite"],
  send: ["Mail.Send"],
  calendars: ["Calendars.Read", "Calendars.ReadWrite"],
  calendarsWrite: ["Calendars.ReadWrite"],
  contacts: ["Contacts.Read", "Contacts.ReadWrite"],
  contactsWrite: ["Contacts.ReadWrite"],
  tasks: ["Tasks.Read.All", "Tasks.ReadWrite.All"],
  tasksWrite: ["Tasks.ReadWrite.All"],
  directory: ["User.Read.All", "User.ReadWrite.All", "User.ReadBasic.All", "Directory.Read.All", "Directory.ReadWrite.All"],
};

/**
 * Graph's front door refuses request bodies over 4 MB before anything else looks at them
 * (413; code and message as reported by clients hitting it on sendMail and attachment POSTs).
 */
export const maxGraphRequestBytes = 4 * 1024 * 1024;

/** Splits the path after /v1.0 into segments, accepting the `users('x')` key syntax too. */
function graphSegments(pathname: string): string[] {
  return pathname
    .replace(/^\/v1\.0\/?/, "")
    .split("/")
    .filter(Boolean)
    .map(decodeURIComponent)
    .flatMap((segment) => {
      const keyed = /^([A-Za-z]+)\('(.*)'\)$/.exec(segment);
      return keyed ? [keyed[1]!, keyed[2]!.replace(/''/g, "'")] : [segment];
    });
}

export async function handleGraphRequest(context: SimulatorContext, request: SimRequest): Promise<SimResponse | "reset"> {
  const segments = graphSegments(request.url.pathname);
  const userSegment = segments[0]?.toLowerCase() === "users" ? segments[1] : undefined;
  const mailbox = userSegment === undefined ? undefined : context.store.find(userSegment);
  context.throttler.countRequest(mailbox?.address);
  const fault = context.faults.take({
    pathAndQuery: request.url.pathname + request.url.search,
    method: request.method,
    isGraph: true,
    mailbox,
  });
  if (fault?.kind === "reset") return "reset";
  let pendingHangMs = fault?.kind === "hang" ? fault.ms : 0;
  let release: (() => void) | undefined;
  if (fault && fault.kind !== "hang" && fault.emptyBody) {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (fault.retryAfterSeconds !== undefined) headers["Retry-After"] = String(fault.retryAfterSeconds);
    return { status: fault.status, headers };
  }
  try {
    if (fault && fault.kind !== "hang") {
      throw new GraphError(
        fault.status,
        fault.code ?? defaultFaultCode(fault.status),
        fault.message ?? "The simulator injected this failure.",
        fault.retryAfterSeconds === undefined ? {} : { "Retry-After": String(fault.retryAfterSeconds) },
      );
    }
    if (request.body.length > maxGraphRequestBytes) {
      throw new GraphError(413, "BadRequest", "The maximum request length supported is 4MB.");
    }
    const grant = context.identity.authenticate(request.headers.authorization);
    if (segments[0]?.toLowerCase() === "subscriptions") {
      // Not addressed to a mailbox: the endpoint checks the subscribed mailbox itself (not throttled).
      await sleep(pendingHangMs + context.faults.latencyMs(undefined));
      pendingHangMs = 0;
      return await handleSubscriptionRequest(context, request, grant, segments.slice(1));
    }
    const route = matchGraphRoute(request.method, segments);
    if (!roleSets[route.kind].some((role) => grant.roles.includes(role))) {
      throw new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    }
    if (route.kind !== "directory") requireMailboxAccess(context, grant, mailbox, userSegment);
    else if (!mailbox || mailbox.tenantId !== grant.tenantId) {
      throw new GraphError(
        404,
        "Request_ResourceNotFound",
        `Resource '${userSegment}' does not exist or one of its queried reference-property objects are not present.`,
      );
    }
    release = context.throttler.admit(grant.clientId, mailbox.id, mailbox.address);
    await sleep(pendingHangMs + context.faults.latencyMs(mailbox));
    pendingHangMs = 0;
    const prefer = parsePreferences(request.headers.prefer);
    const call: GraphCall = {
      context,
      request,
      mailbox,
      userSegment: userSegment!,
      params: route.params,
      query: queryOptions(request.url),
      prefer,
    };
    const response = route.handler(call);
    // Streamed content holds its concurrency slot until the stream is done, as a real download does.
    if (response.content && release) {
      response.content.stream.once("close", release);
      release = undefined;
    }
    if (prefer.applied.length) {
      response.headers = { ...response.headers, "Preference-Applied": prefer.applied.join(", ") };
    }
    return response;
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    // A hang fault delays the answer even when the request fails before admission.
    await sleep(pendingHangMs);
    return {
      status: error.status,
      body: graphErrorBody(error.code, error.message, request.requestId, request.clientRequestId, new Date(context.now())),
      headers: error.headers,
    };
  } finally {
    release?.();
  }
}

