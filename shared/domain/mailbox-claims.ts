/**
 * One Exchange mailbox ↔ one mailbox record ↔ one CRM owner, as server-side sync maps them. A
 * mailbox record holds its email address and its owner through claims in an index; what a claim
 * is keyed by, and the rules that read the Exchange-side ownership stamp, are here. Pure.
 */
import type { Mailbox, OwnerType } from "./mailbox.js";

/** What a mailbox record claims: its Exchange mailbox (by address) and its CRM owner. */
export type MailboxClaim = { kind: "address"; address: string } | { kind: "owner"; ownerType: OwnerType; ownerId: string };

export const addressClaim = (address: string): MailboxClaim => ({ kind: "address", address });
export const ownerClaim = (mailbox: Pick<Mailbox, "ownerType" | "ownerId">): MailboxClaim => ({ kind: "owner", ownerType: mailbox.ownerType, ownerId: mailbox.ownerId });

/**
 * The claims of a mailbox record, owner first: the owner is never taken over, so it fails fast. A
 * record stored without an owner id claims its address only (no owner to share).
 */
export const claimsOf = (mailbox: Pick<Mailbox, "emailAddress" | "ownerType" | "ownerId">): MailboxClaim[] =>
  mailbox.ownerId ? [ownerClaim(mailbox), addressClaim(mailbox.emailAddress)] : [addressClaim(mailbox.emailAddress)];

/** The index key: addresses compare case-insensitively; a user and a queue are different owners. */
export function claimKey(claim: MailboxClaim): string {
  return claim.kind === "address" ? claim.address.trim().toLowerCase() : `${claim.ownerType}:${claim.ownerId}`;
}

/** The request field a conflicting claim is about (a 409 names it). */
export const claimField = (claim: MailboxClaim): "emailAddress" | "ownerId" => (claim.kind === "address" ? "emailAddress" : "ownerId");

export const sameClaim = (a: MailboxClaim, b: MailboxClaim): boolean => a.kind === b.kind && claimKey(a) === claimKey(b);

/**
 * Whether a mapping may take a claim held by another mailbox record. An address may be taken over
 * with `force` (the earlier record is disabled), as server-side sync allows; an owner never: one CRM
 * user or queue has one mailbox record, so the owner's record is re-addressed instead.
 */
export const mayTakeOver = (claim: MailboxClaim, force: boolean): boolean => claim.kind === "address" && force;

/** Who holds a claim, in ids only (alerts and errors carry no addresses). */
export function holderText(holder: Pick<Mailbox, "id" | "ownerType" | "ownerId"> | { id: string }): string {
  return "ownerType" in holder ? `mailbox '${holder.id}' (${holder.ownerType} '${holder.ownerId}')` : `mailbox '${holder.id}'`;
}

export function conflictMessage(claim: MailboxClaim, holder: string, force: boolean): string {
  if (claim.kind === "owner") {
    return `The ${claim.ownerType} '${claim.ownerId}' already has a mailbox: ${holder}. One ${claim.ownerType} has one mailbox record: change that mailbox's email address instead, or map it to another owner first.`;
  }
  return force
    ? `The email address ${claim.address} is held by ${holder}.`
    : `The email address ${claim.address} is already mapped to ${holder}. Send "force": true to map it here and disable that mailbox.`;
}

/** The deployment that owns an Exchange mailbox, from the stamp on its Inbox (absent: nobody yet). */
export type OwnershipVerdict = "ours" | "unclaimed" | "another";

export function ownershipVerdict(stamp: string | undefined, deploymentId: string): OwnershipVerdict {
  if (stamp === undefined || stamp === "") return "unclaimed";
  return stamp === deploymentId ? "ours" : "another";
}

/**
 * How often a cycle re-reads the stamp. Every workload honours it, so a takeover by another
 * deployment stops this one within this time; between checks the cycles cost no extra request
 * (an idle incoming cycle is two requests; checking each one would make it three).
 */
export const ownershipCheckEveryMs = 5 * 60 * 1000;

export function ownershipCheckDue(lastCheckedAt: string | undefined, now: number): boolean {
  if (!lastCheckedAt) return true;
  const at = Date.parse(lastCheckedAt);
  return Number.isNaN(at) || now - at >= ownershipCheckEveryMs || at > now;
}
