/**
 * The filter: whether a message becomes an activity at all (DESIGN.md §8). It is one pure decision
 * over what the engine already knows about the message — how it got here (sent from the CRM, in a
 * tracked folder, tracked on demand, in Sent Items), the owner's track option, which record types
 * its correspondent resolved to, and whether correlation found a parent.
 */
import type { CorrelationMatch } from "./correlation.js";

/** Dynamics 365's `incomingemailfilteringmethod`, in its order (0–3), and "no email messages". */
export const trackOptions = ["all", "responsesToCrmEmail", "fromLeadsContactsAccounts", "fromEmailEnabledRecords", "none"] as const;
export type TrackOption = (typeof trackOptions)[number];
export const defaultTrackOption: TrackOption = "responsesToCrmEmail";

/** A mailbox owner's own choice; without one the organization default applies. */
export interface OwnerTrackOption {
  ownerId: string;
  trackOption: TrackOption;
}

export function effectiveTrackOption(organizationDefault: TrackOption, owner?: Pick<OwnerTrackOption, "trackOption">): TrackOption {
  return owner?.trackOption ?? organizationDefault;
}

/** Record types of the address book that `fromLeadsContactsAccounts` accepts. */
export const leadContactAccountTypes: readonly string[] = ["lead", "contact", "account"];

export interface TrackFacts {
  /** Mail the CRM sent (the Sent Items copy of a CRM email, found by its stamp). */
  sentFromCrm: boolean;
  /** The message is in a folder the owner maps to a CRM record. */
  inTrackedFolder: boolean;
  /** The owner asked for it (Track now), or it is already tracked that way. */
  trackedOnDemand: boolean;
  /** The copy is in the owner's Sent Items: the owner sent it. */
  inSentItems: boolean;
  /** Record types the sender's address resolved to (contact, account, lead, user, queue, declared types). */
  senderRecordTypes: readonly string[];
  /** Record types any to/cc recipient resolved to: for sent mail the correspondent is a recipient. */
  recipientRecordTypes: readonly string[];
}

export interface TrackPolicy {
  option: TrackOption;
  /** AutoTrackSentFolderItems: Sent Items go through the option like received mail; off, they are left alone. */
  autoTrackSentFolderItems: boolean;
}

export type TrackedReason =
  | "sentFromCrm"
  | "trackedOnDemand"
  | "trackedFolder"
  | "allEmail"
  | "responseToCrmEmail"
  | "fromLeadContactAccount"
  | "fromEmailEnabledRecord";
export type UntrackedReason = "optionNone" | "sentItemsNotAutoTracked" | "noParentFound" | "notFromLeadContactAccount" | "notFromEmailEnabledRecord";

export type TrackDecision = { tracked: true; reason: TrackedReason } | { tracked: false; reason: UntrackedReason };

/**
 * Whether the message is tracked, and why. Mail sent from the CRM, tracked on demand or in a
 * tracked folder is tracked whatever the option. Under `responsesToCrmEmail` a message is tracked
 * exactly when correlation found a parent; under the other options correlation only links it.
 */
export function decideTracking(facts: TrackFacts, policy: TrackPolicy, correlation: CorrelationMatch | undefined): TrackDecision {
  if (facts.sentFromCrm) return { tracked: true, reason: "sentFromCrm" };
  if (facts.trackedOnDemand) return { tracked: true, reason: "trackedOnDemand" };
  if (facts.inTrackedFolder) return { tracked: true, reason: "trackedFolder" };
  if (policy.option === "none") return { tracked: false, reason: "optionNone" };
  if (facts.inSentItems && !policy.autoTrackSentFolderItems) return { tracked: false, reason: "sentItemsNotAutoTracked" };
  const correspondentTypes = facts.inSentItems ? facts.recipientRecordTypes : facts.senderRecordTypes;
  switch (policy.option) {
    case "all":
      return { tracked: true, reason: "allEmail" };
    case "responsesToCrmEmail":
      return correlation ? { tracked: true, reason: "responseToCrmEmail" } : { tracked: false, reason: "noParentFound" };
    case "fromLeadsContactsAccounts":
      return correspondentTypes.some((type) => leadContactAccountTypes.includes(type))
        ? { tracked: true, reason: "fromLeadContactAccount" }
        : { tracked: false, reason: "notFromLeadContactAccount" };
    case "fromEmailEnabledRecords":
      return correspondentTypes.length > 0 ? { tracked: true, reason: "fromEmailEnabledRecord" } : { tracked: false, reason: "notFromEmailEnabledRecord" };
  }
}

/**
 * Whether correlation could still make the message tracked: when it cannot, the engine skips the
 * correlation lookups for it (they cost table reads, and untracked mail leaves nothing behind).
 */
export function couldBeTracked(facts: TrackFacts, policy: TrackPolicy): boolean {
  return decideTracking(facts, policy, anyParent).tracked;
}

const anyParent: CorrelationMatch = { method: "inReplyTo", parentActivityId: "" };
