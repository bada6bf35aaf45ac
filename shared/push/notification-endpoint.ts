/**
 * The HTTP side of the notification and lifecycle routes. Graph first validates the URL (a POST
 * with `?validationToken=`: echo it, text/plain, 200, within 10 s), then posts notifications, each
 * to be answered within 3 s: 202 once the triggers are queued. A failure to queue answers 500 so
 * that Graph delivers again (it retries for hours); nothing is lost by answering late or twice.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { Runtime } from "../runtime.js";

/** Graph's tokens are short; anything longer is not a validation request. */
const maxValidationTokenLength = 1024;

export async function answerGraph(request: HttpRequest, context: InvocationContext, runtime: () => Promise<Runtime>, kind: "changes" | "lifecycle"): Promise<HttpResponseInit> {
  const validationToken = request.query.get("validationToken");
  if (validationToken !== null) {
    if (validationToken.length === 0 || validationToken.length > maxValidationTokenLength) return { status: 400, body: "Invalid validationToken." };
    return { status: 200, headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" }, body: validationToken };
  }
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return { status: 400, body: "Expected a JSON body of change notifications." };
  }
  const rt = await runtime();
  const result = kind === "changes" ? await rt.notificationIntake.acceptChanges(rt, body) : await rt.notificationIntake.acceptLifecycle(rt, body);
  // Counts and outcomes only: never a clientState, resource or subject.
  if (result.forged + result.unknownSubscription + result.malformed > 0) context.warn(`push ${kind}: dropped notifications`, result);
  return { status: 202 };
}
