/**
 * What every cycle of every workload checks before it touches the mailbox, so that one Exchange
 * mailbox is synced by one mailbox record of one deployment:
 *
 * - the record still holds its address and owner in the index (a forced mapping elsewhere, or a
 *   record written around the index, would otherwise sync the same mailbox twice) — one Table read
 *   per claim;
 * - no other deployment has stamped the mailbox's Inbox ("this organization only" covers the whole
 *   mailbox, not only appointments, contacts and tasks) — and stamped when nobody has.
 *
 * Both are checked when ownershipCheckedAt says the check is due (every few minutes,
 * domain/mailbox-claims.ts), so an idle cycle costs neither the claim reads nor the stamp request.
 * A forced takeover clears the displaced record's ownershipCheckedAt before it moves the claim
 * (mailbox-mapping.ts), so that record checks at its very next cycle even if the takeover's own
 * disable of it is lost to a crash; a record changed around the index stops within the interval.
 *
 * Either way the record stops: every workload disabled, with the alert that says why.
 */
import { ownershipCheckDue, ownershipVerdict } from "../domain/mailbox-claims.js";
import type { Mailbox } from "../domain/mailbox.js";
import type { GraphCallCounter, GraphConnection } from "../graph/graph-connection.js";
import { ownershipStampId } from "../graph/ownership-stamp.js";
import type { MailboxPatch } from "../storage/mailbox-repository.js";
import { lostClaim, mappedElsewhere, stopMailbox } from "./mailbox-mapping.js";
import type { CycleContext } from "./workload-runner.js";

interface StampedFolder {
  singleValueExtendedProperties?: Array<{ id: string; value: string }>;
}

export const mailboxUserPath = (mailbox: Pick<Mailbox, "exchangeUserId" | "emailAddress">) => `/users/${encodeURIComponent(mailbox.exchangeUserId ?? mailbox.emailAddress)}`;

/** The deployment id stamped on the mailbox's Inbox, if any. */
export async function readOwnershipStamp(graph: GraphConnection, user: string, counter?: GraphCallCounter): Promise<string | undefined> {
  const inbox = await graph.get<StampedFolder>(`${user}/mailFolders/inbox?$select=id&$expand=singleValueExtendedProperties($filter=id eq '${ownershipStampId}')`, {}, counter);
  return inbox.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === ownershipStampId.toLowerCase())?.value;
}

export async function writeOwnershipStamp(graph: GraphConnection, user: string, deploymentId: string, counter?: GraphCallCounter): Promise<void> {
  await graph.patch(`${user}/mailFolders/inbox`, { singleValueExtendedProperties: [{ id: ownershipStampId, value: deploymentId }] }, counter);
}

export function anotherOrganization(owner: string) {
  return { code: "OwnedByAnotherOrganization" as const, message: `Another deployment (${owner}) owns this Exchange mailbox.`, detail: owner };
}

export type CycleGuard = { stopped: "MailboxMappedElsewhere" | "OwnedByAnotherOrganization" } | { stopped?: undefined; mailboxPatch: Pick<MailboxPatch, "ownershipCheckedAt"> };

/** Graph errors propagate, so the runner treats them as the cycle's own. */
export async function guardCycle(context: CycleContext): Promise<CycleGuard> {
  const { runtime, mailbox, graph, counter } = context;
  const now = runtime.now();
  if (!ownershipCheckDue(mailbox.ownershipCheckedAt, now)) return { mailboxPatch: {} };
  const lost = await lostClaim(runtime, mailbox);
  if (lost) {
    await stopMailbox(runtime, mailbox, mappedElsewhere(lost));
    return { stopped: "MailboxMappedElsewhere" };
  }
  const user = mailboxUserPath(mailbox);
  const stamp = await readOwnershipStamp(graph, user, counter);
  const verdict = ownershipVerdict(stamp, runtime.settings.deploymentId);
  if (verdict === "another") {
    await stopMailbox(runtime, mailbox, anotherOrganization(stamp!));
    return { stopped: "OwnedByAnotherOrganization" };
  }
  if (verdict === "unclaimed") await writeOwnershipStamp(graph, user, runtime.settings.deploymentId, counter);
  return { mailboxPatch: { ownershipCheckedAt: new Date(now).toISOString() } };
}
