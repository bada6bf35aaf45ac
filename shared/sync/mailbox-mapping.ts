/**
 * One Exchange mailbox ↔ one mailbox record ↔ one CRM owner. Every path that creates a mailbox
 * record or changes its address or owner writes it through saveMailbox or createMailbox (the admin
 * API, the local host's seeding), so the record holds its claims in the index before it is stored.
 * Test & Enable and every cycle check that the record still holds them (heldClaims).
 */
import { raiseAlert } from "../alerts/alert-service.js";
import { addressClaim, claimField, claimsOf, conflictMessage, holderText, mayTakeOver, sameClaim, type MailboxClaim } from "../domain/mailbox-claims.js";
import type { Mailbox, WorkloadState } from "../domain/mailbox.js";
import { workloads } from "../domain/workloads.js";
import type { Runtime } from "../runtime.js";
import { ClaimConflict } from "../storage/mailbox-index.js";
import { hasStatus } from "../storage/storage-account.js";

export class MappingConflict extends Error {
  constructor(
    readonly field: "emailAddress" | "ownerId",
    readonly heldBy: string,
    message: string,
  ) {
    super(message);
    this.name = "MappingConflict";
  }
}

/** A claim of this record that another record holds. */
export interface LostClaim {
  claim: MailboxClaim;
  heldBy: string;
  /** Who holds it, in ids: "mailbox 'x' (user 'y')". */
  holder: string;
}

async function describeHolder(runtime: Runtime, mailboxId: string): Promise<string> {
  const stored = await runtime.mailboxes.get(mailboxId);
  return holderText(stored?.mailbox ?? { id: mailboxId });
}

/**
 * Takes every claim of `next`, owner first. A refused claim undoes the claims this call took, so a
 * refused mapping changes nothing. Returns the records an address was taken from (`force`).
 */
async function claimAll(runtime: Runtime, next: Mailbox, force: boolean): Promise<string[]> {
  const taken: MailboxClaim[] = [];
  const displaced: string[] = [];
  for (const claim of claimsOf(next)) {
    try {
      const outcome = await runtime.mailboxIndex.claim(claim, next.id, mayTakeOver(claim, force), (holder) => recheckClaimsNextCycle(runtime, holder));
      if (outcome.displaced) displaced.push(outcome.displaced);
      else if (outcome.taken) taken.push(claim);
    } catch (error) {
      if (!(error instanceof ClaimConflict)) throw error;
      for (const undo of taken) await runtime.mailboxIndex.release(undo, next.id);
      throw new MappingConflict(claimField(claim), error.heldBy, conflictMessage(claim, await describeHolder(runtime, error.heldBy), force));
    }
  }
  return displaced;
}

/**
 * Cycles check their claims only when the ownership check is due (sync/mailbox-guard.ts): clearing
 * the holder's ownershipCheckedAt before its address is taken makes its next cycle check them, even
 * if the takeover's own disable (stopDisplaced) is lost to a crash or the record is enabled again.
 */
async function recheckClaimsNextCycle(runtime: Runtime, holderId: string): Promise<void> {
  try {
    await runtime.mailboxes.patch(holderId, { ownershipCheckedAt: "" });
  } catch (error) {
    // A concurrent mapping's record not stored yet: it has never been checked, so it will be.
    if (!hasStatus(error, 404)) throw error;
  }
}

/** After the claims are taken and the record stored: free what the record held before and holds no longer. */
async function releaseOld(runtime: Runtime, previous: Mailbox | undefined, next: Mailbox): Promise<void> {
  if (!previous) return;
  const kept = claimsOf(next);
  for (const claim of claimsOf(previous)) {
    if (!kept.some((k) => sameClaim(k, claim))) await runtime.mailboxIndex.release(claim, next.id);
  }
}

/**
 * Stores a new or changed mailbox record (a replace). Throws MappingConflict, changing nothing, when
 * another record holds its owner, or its address without `force`; with `force` the record that held
 * the address stops syncing, with an alert naming this one.
 */
export async function saveMailbox(
  runtime: Runtime,
  next: Mailbox,
  options: { force?: boolean; previous?: Mailbox | null; beforeWrite?: () => Promise<void> } = {},
): Promise<void> {
  const previous = options.previous === undefined ? (await runtime.mailboxes.get(next.id))?.mailbox : (options.previous ?? undefined);
  const displaced = await claimAll(runtime, next, options.force === true);
  for (const id of displaced) await stopDisplaced(runtime, id, next);
  await options.beforeWrite?.();
  await runtime.mailboxes.put(next);
  await releaseOld(runtime, previous, next);
}

/**
 * Creates the record unless it exists (idempotent), after taking its claims; false when it existed
 * (its claims are then left as they are: the stored record may have another address by now).
 */
export async function createMailbox(runtime: Runtime, mailbox: Mailbox): Promise<boolean> {
  if (await runtime.mailboxes.get(mailbox.id)) return false;
  await claimAll(runtime, mailbox, false);
  return runtime.mailboxes.create(mailbox);
}

/**
 * The first claim of this record another record holds, or undefined when it holds them all. A free
 * claim is taken: records stored before the index covered them (or by a tool) join it this way.
 */
export async function lostClaim(runtime: Runtime, mailbox: Mailbox): Promise<LostClaim | undefined> {
  const claims = claimsOf(mailbox);
  const holders = await Promise.all(claims.map((claim) => runtime.mailboxIndex.holder(claim)));
  for (const [i, claim] of claims.entries()) {
    if (holders[i] === mailbox.id) continue;
    try {
      await runtime.mailboxIndex.claim(claim, mailbox.id, false);
    } catch (error) {
      if (!(error instanceof ClaimConflict)) throw error;
      return { claim, heldBy: error.heldBy, holder: await describeHolder(runtime, error.heldBy) };
    }
  }
  return undefined;
}

/**
 * Stops every workload of a mailbox record (off, off the schedule, the cause as last error) and
 * raises the alert once: for a record that lost its address or owner, or whose Exchange mailbox
 * another deployment took over.
 */
export async function stopMailbox(runtime: Runtime, mailbox: Mailbox, stop: { code: "MailboxMappedElsewhere" | "OwnedByAnotherOrganization"; message: string; detail?: string }): Promise<void> {
  const at = new Date(runtime.now()).toISOString();
  for (const w of workloads) {
    const stopped: Partial<WorkloadState> = mailbox.workloads[w].method === "ServerSideSync"
      ? { enabled: false, dueAt: null, status: "Failure", lastError: { code: stop.code, message: stop.message, at } }
      : { enabled: false, dueAt: null };
    await runtime.mailboxes.patch(mailbox.id, { workload: { name: w, state: stopped } });
  }
  await raiseAlert(runtime, stop.code, { mailbox, detail: stop.detail });
}

export function mappedElsewhere(lost: LostClaim): { code: "MailboxMappedElsewhere"; message: string; detail: string } {
  const what = lost.claim.kind === "address" ? "email address" : "owner";
  return { code: "MailboxMappedElsewhere", message: `Its ${what} is mapped to ${lost.holder}.`, detail: `${what} is held by ${lost.holder}` };
}

async function stopDisplaced(runtime: Runtime, displacedId: string, holder: Mailbox): Promise<void> {
  // A concurrent mapping may have claimed the address for a record it has not stored yet.
  const stored = await runtime.mailboxes.get(displacedId);
  if (!stored) return;
  await stopMailbox(runtime, stored.mailbox, mappedElsewhere({ claim: addressClaim(holder.emailAddress), heldBy: holder.id, holder: holderText(holder) }));
}
