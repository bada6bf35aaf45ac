/**
 * The HTTP side of the notification and lifecycle routes. Graph first validates the URL (a POST
 * with `?validationToken=`: echo it, text/plain, 200, within 10 s), then posts notifications, each
 * to be answered within 3 s: 202 once the triggers are queued; 503 when checking them takes longer
 * than 2.5 s (a cold burst), and 500 when queueing fails, so that Graph delivers again (it retries
 * for hours). Nothing is lost by answering late or twice: a repeated notification folds.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { Runtime } from "../runtime.js";

/** Graph counts an answer after about 2.9 s as slow (and throttles endpoints that often are). */
const answerWithinMs = 2_500;
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
  const work = kind === "changes" ? rt.notificationIntake.acceptChanges(rt, body) : rt.notificationIntake.acceptLifecycle(rt, body);
  const result = await Promise.race([work, new Promise<"late">((resolve) => setTimeout(resolve, answerWithinMs, "late").unref())]);
  if (result === "late") {
    // Still looking subscriptions up (a cold burst): answer in time and let Graph deliver again.
    // The work goes on and warms the cache; a trigger it queues meanwhile folds with the retry's.
    work.catch((error: unknown) => context.error(`push ${kind}: late processing failed`, { error: error instanceof Error ? error.name : "unknown" }));
    return { status: 503, headers: { "Retry-After": "5" }, body: "Busy: deliver again." };
  }
  // Counts and outcomes only: never a clientState, resource or subject.
  if (result.forged + result.unknownSubscription + result.malformed > 0) context.warn(`push ${kind}: dropped notifications`, result);
  return { status: 202 };
}
