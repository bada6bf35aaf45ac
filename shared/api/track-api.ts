/**
 * Track now and untrack, per message of a mailbox (the Graph message id):
 * - POST track: the message becomes an activity at once, whatever the track option (see
 *   sync/incoming/track-now.ts); answers the activity as GET /api/emails/{id} shows it.
 * - DELETE track/{messageId}: the mailbox's copy is no longer linked to the activity and cycles
 *   leave the message alone. The activity stays in the CRM (as Dynamics 365 keeps a tracked email
 *   whose Outlook item is untracked or deleted; deleting the activity is a CRM action of its own),
 *   and the message stays in the mailbox: untracking never touches Exchange.
 */
import { z } from "zod";
import { workloadBlocker } from "../domain/mailbox.js";
import { maxIncomingMessageBytes } from "../domain/email-activity.js";
import type { Runtime } from "../runtime.js";
import { trackNow } from "../sync/incoming/track-now.js";
import { askingExchange } from "./exchange-failure.js";
import { ApiError, parseOrThrow, routeParam } from "./http-responses.js";
import { regardingBody } from "./regarding-schema.js";
import { graphIdParam, requireMailbox } from "./tracked-folder-api.js";

const trackBody = z.object({ messageId: graphIdParam, regarding: regardingBody.optional() }).strict();

export async function trackMessage(runtime: Runtime, id: string, body: unknown) {
  const mailbox = await requireMailbox(runtime, id);
  const input = parseOrThrow(trackBody, body, "body");
  const org = await runtime.orgSettings.get();
  if (workloadBlocker(mailbox, "incoming", { requireApproval: org.requireApprovedMailboxes }) === "notApproved") {
    throw new ApiError(409, "Conflict", `Mailbox '${mailbox.id}' is not approved: email is processed only for approved mailboxes.`);
  }
  const profile = await runtime.profiles.get(mailbox.profileId);
  if (!profile) throw new ApiError(409, "Conflict", `Mailbox '${mailbox.id}' has no email server profile to reach Exchange with.`);
  const outcome = await askingExchange(() => trackNow(runtime, runtime.graphFor(profile), mailbox, input.messageId, input.regarding));
  switch (outcome.kind) {
    case "notFound":
      throw new ApiError(404, "NotFound", `Message '${input.messageId}' does not exist in mailbox '${mailbox.id}'.`);
    case "draft":
      throw new ApiError(400, "BadRequest", `Invalid body parameter 'messageId': message '${input.messageId}' is a draft; only sent or received mail can be tracked.`, "messageId");
    case "tooLarge":
      throw new ApiError(400, "BadRequest", `Invalid body parameter 'messageId': message '${input.messageId}' is ${outcome.sizeBytes} bytes, over the ${maxIncomingMessageBytes}-byte (150 MB) limit for tracked email.`, "messageId");
    case "tracked":
      return (await runtime.emails.get(outcome.activityId))!;
  }
}

export async function untrackMessage(runtime: Runtime, id: string, messageIdValue: string): Promise<void> {
  const mailbox = await requireMailbox(runtime, id);
  const messageId = routeParam(graphIdParam, messageIdValue, "messageId");
  const result = await runtime.emails.untrack(mailbox.id, messageId);
  if (result === "notTracked") throw new ApiError(404, "NotFound", `Message '${messageId}' is not tracked in mailbox '${mailbox.id}'.`);
}
