/**
 * Typed failures at the Graph edge. Every Graph, network and token failure becomes one of these
 * two, carrying status and code, so that classification (domain/error-classification.ts) is a pure
 * function of values and never parses message text.
 */
import { GraphError } from "@microsoft/microsoft-graph-client";
import { classifyFailure } from "../domain/error-classification.js";

/** A failed Graph call: HTTP status (0 for network failures and timeouts) and Graph error code. */
export class GraphRequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfterMs?: number;
  readonly requestId?: string;

  constructor(init: { status: number; code: string; message: string; retryAfterMs?: number; requestId?: string }) {
    super(init.message);
    this.name = "GraphRequestError";
    this.status = init.status;
    this.code = init.code;
    this.retryAfterMs = init.retryAfterMs;
    this.requestId = init.requestId;
  }
}

/** The token endpoint refused or could not be reached. `code` is the AADSTS code or OAuth error. */
export class TokenRequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly oauthError: string;

  constructor(init: { status: number; code: string; oauthError: string; message: string }) {
    super(init.message);
    this.name = "TokenRequestError";
    this.status = init.status;
    this.code = init.code;
    this.oauthError = init.oauthError;
  }
}

/** Retry-After in seconds or as an HTTP date → milliseconds from now. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The Graph client's failure → GraphRequestError. The client puts the Graph error body's code in
 * `code`; when the body is missing or is not Graph's error JSON it puts the name of its own parse
 * error there instead (a 410 with an empty body comes out as "SyntaxError"). Such a failure is
 * reported by its HTTP status alone, so classification and alerts never see the client's internals.
 */
export function fromGraphClientError(error: unknown): Error {
  if (error instanceof TokenRequestError || error instanceof GraphRequestError) return error;
  if (error instanceof GraphError) {
    if (error.statusCode > 0) {
      const graphBody = hasGraphErrorBody(error);
      return new GraphRequestError({
        status: error.statusCode,
        code: graphBody ? error.code! : `Http${error.statusCode}`,
        message: graphBody && error.message ? error.message : `Graph answered ${error.statusCode} without an error body.`,
        retryAfterMs: parseRetryAfter(error.headers?.get("Retry-After")),
        requestId: error.requestId ?? undefined,
      });
    }
    // statusCode -1: no HTTP answer. The client names the native error in `code`.
    const timedOut = error.code === "TimeoutError" || error.code === "AbortError";
    return new GraphRequestError({
      status: 0,
      code: timedOut ? "Timeout" : "NetworkError",
      message: timedOut ? "Graph did not answer within the request timeout." : "Graph could not be reached (connection failed or was reset).",
    });
  }
  return new GraphRequestError({ status: 0, code: "NetworkError", message: "Graph could not be reached." });
}

/**
 * Whether the client read a Graph error object from the body: it then keeps that object, as JSON,
 * in `body`; otherwise `body` holds the native error's text, a stream or nothing.
 */
function hasGraphErrorBody(error: GraphError): boolean {
  if (!error.code || typeof error.body !== "string") return false;
  try {
    const parsed = JSON.parse(error.body) as { code?: unknown } | null;
    return typeof parsed === "object" && parsed !== null && parsed.code === error.code;
  } catch {
    return false;
  }
}

/** Delta sync state lost: the folder's round must restart (the classification's rule, whatever the casing or 4xx status). */
export function isSyncStateLost(error: unknown): boolean {
  return error instanceof GraphRequestError && classifyFailure({ source: "graph", status: error.status, code: error.code }).cause === "SyncStateLost";
}
