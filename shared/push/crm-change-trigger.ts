/**
 * ACT runs both ways, and Graph notifies only about Exchange's side: with push on, ACT's scheduled
 * round is the slow safety net, so a change made in the CRM (records API) makes its owner's ACT
 * workload due at once instead, folded like a notification.
 */
import type { Runtime } from "../runtime.js";
import { queuePushRounds } from "./push-trigger.js";
import { pushEnabled } from "./subscription-service.js";

export async function crmRecordChanged(runtime: Runtime, ownerIds: ReadonlyArray<string | undefined>): Promise<void> {
  if (!pushEnabled(runtime)) return;
  const mailboxIds = new Set<string>();
  for (const ownerId of new Set(ownerIds)) {
    if (!ownerId) continue;
    const mailboxId = await runtime.mailboxIndex.holder({ kind: "owner", ownerType: "user", ownerId });
    if (mailboxId) mailboxIds.add(mailboxId);
  }
  if (mailboxIds.size > 0) await queuePushRounds(runtime, [...mailboxIds].map((mailboxId) => ({ mailboxId, workload: "act" })));
}
