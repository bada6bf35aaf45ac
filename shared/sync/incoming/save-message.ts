/**
 * Saving one message found in a mailbox as its activity (or as one more copy of it): the one path
 * for the folder rounds and for Track now, so a message tracked on demand is exactly what a cycle
 * would have made of it, and a later cycle finds it already saved.
 */
import type { RegardingRecord } from "../../domain/email-activity.js";
import type { GraphMessage } from "../../graph/message-fields.js";
import type { EmailRepository } from "../../storage/email-repository.js";
import { crmEmailIdOf, toActivity } from "./message-mapping.js";

/**
 * `folder` is what the copy records: "inbox", "sentitems" or a Graph folder id. A `regarding`
 * (a tracked folder's record, or one given to Track now) is set on the activity; without one the
 * activity keeps whatever regarding it has. Mail the CRM sent keeps its own regarding.
 */
export async function saveMessage(emails: EmailRepository, message: GraphMessage, mailboxId: string, folder: string, regarding?: RegardingRecord): Promise<{ activityId: string; receivedAt: string; crmEmail: boolean }> {
  const { content, copy } = toActivity(message, mailboxId, folder);
  const canonical = await emails.canonicalId(content.id, crmEmailIdOf(message));
  if (canonical.crmEmail) {
    // Mail the CRM sent: the same activity, never a second one.
    await emails.saveFoundCopy(canonical.id, copy);
  } else {
    await emails.saveFound(regarding ? { ...content, regarding } : content, copy);
  }
  // After the copy is saved, so whichever of two racing writers reads last lists both copies.
  await emails.listFound(canonical.id, copy);
  return { activityId: canonical.id, receivedAt: content.receivedAt, crmEmail: Boolean(canonical.crmEmail) };
}
