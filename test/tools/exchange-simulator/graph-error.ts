/**
 * Errors as Microsoft Graph and the identity platform put them on the wire.
 *
 * Handlers throw these; the server turns them into the exact envelopes the real services send so
 * product code that switches on status/code/Retry-After is exercised against realistic bytes.
 */
import { randomUUID } from "node:crypto";

/** A Graph failure: `{"error":{"code","message","innerError":{...}}}`. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function graphErrorBody(
  code: string,
  message: string,
  requestId: string,
  clientRequestId: string,
  date: Date,
): object {
  return {
    error: {
      code,
      message,
      innerError: {
        date: date.toISOString().replace(/\.\d{3}Z$/, ""),
        "request-id": requestId,
        "client-request-id": clientRequestId,
      },
    },
  };
}

/** An identity platform (AAD / Entra) failure with its AADSTS code. */
export class AadError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly aadstsCode: number,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`AADSTS${aadstsCode}: ${description}`);
  }
}

export function aadErrorBody(failure: AadError, date: Date, correlationId: string): object {
  const traceId = randomUUID();
  const timestamp = date.toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "Z");
  return {
    error: failure.error,
    error_description:
      `AADSTS${failure.aadstsCode}: ${failure.description} Trace ID: ${traceId} ` +
      `Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [failure.aadstsCode],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
  };
}
