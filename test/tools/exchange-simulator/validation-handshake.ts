/**
 * Graph's notification endpoint validation: before a subscription is created (and for a new
 * notificationUrl on renewal) Graph POSTs to the URL with `?validationToken=…` and expects, within
 * 10 seconds, 200 with a text/plain body that is exactly the URL-decoded token. The token has the
 * form the real service sends ("Validation: Testing client application reachability for
 * subscription Request-Id: …"), spaces and colons included, so an endpoint that echoes the raw,
 * still-encoded query value fails here as it would against Graph.
 */
import { randomUUID } from "node:crypto";
import { GraphError } from "./graph-error.js";

/** The URL Graph calls: the client's URL with validationToken added to its own query. */
export function validationUrl(url: string, token: string): string {
  const target = new URL(url);
  target.searchParams.append("validationToken", token);
  return target.toString();
}

const failed = (reason: string) => new GraphError(400, "ValidationError", `Subscription validation request failed. ${reason}`);

/**
 * Resolves when the endpoint answered correctly; otherwise throws the 400 Graph answers the create
 * (messages as reported from the real service; the content-type one is ours).
 */
export async function validateEndpoint(url: string, options: { timeoutMs: number; unreachable: boolean }): Promise<void> {
  const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
  if (options.unreachable) throw failed("Notification endpoint must respond with 200 OK to validation request.");
  let response: Response;
  let body: string;
  try {
    response = await fetch(validationUrl(url, token), {
      method: "POST",
      headers: { "Content-Type": "text/plain; charset=utf-8" },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    body = await response.text();
  } catch (error) {
    if (error instanceof Error && error.name === "TimeoutError") {
      throw new GraphError(400, "InvalidRequest", "Subscription validation request timed out.");
    }
    throw failed("Notification endpoint must respond with 200 OK to validation request.");
  }
  if (response.status !== 200) throw failed("Notification endpoint must respond with 200 OK to validation request.");
  if (!(response.headers.get("content-type") ?? "").toLowerCase().startsWith("text/plain")) {
    throw failed("Notification endpoint must respond with a text/plain body to validation request.");
  }
  if (body !== token) throw failed("Response must exactly match validationToken query parameter.");
}
