/**
 * Typed failures at the Graph edge. Every Graph, network and token failure becomes one of these
 * two, carrying status and code, so that classification (domain/error-classification.ts) is a pure
 * function of values and never parses message text.
 */

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

/** Delta sync state lost: the folder's round must restart. */
export function isSyncStateLost(error: unknown): boolean {
  return (
    error instanceof GraphRequestError &&
    (error.status === 410 || ["SyncStateNotFound", "SyncStateInvalid", "resyncRequired"].includes(error.code))
  );
}
