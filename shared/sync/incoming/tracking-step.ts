/**
 * The tracking step: what one message found in a synced folder becomes (DESIGN.md §8). The folder
 * rounds call it for each message of a delta page; Track now calls it for one message.
 *
 * 1. Mail the CRM sent joins its CRM email; a message already tracked (by this mailbox's owner or
 *    another's) records this copy — whatever this owner's option, one activity for every mailbox.
 * 2. Otherwise the filter decides first (the owner's track option; a tracked folder or Track now
 *    tracks whatever the option), resolving the correspondent's address only for the options that
 *    need it; correlation runs only when it can still change the outcome.
 * 3. Untracked mail leaves no content: only the copy's ids (mailbox, folder, Graph id, time) under
 *    the activity id it would have, so an owner who tracks it later lists this mailbox too. Its
 *    attachments are never listed, its size never looked up, no failure names it.
 * 4. Tracked mail over 150 MB is an item failure; the rest becomes the activity, with its parties'
 *    records, why it was tracked, its correlation and regarding (Track now's, else the tracked
 *    folder's, else the parent's), and is indexed for later correlation; then its attachments
 *    are imported (attachment-import.ts), once per activity.
 *
 * Nothing is remembered about an untracked message beyond those ids: Exchange's delta reports a
 * message again only when it changes, and then it is decided again under the options of the day —
 * which is how setting Process Emails From back reprocesses mail under a changed option. A reply
 * that correlates to an earlier untracked message never makes the earlier one tracked.
 */
import { mayHaveAttachments } from "../../domain/attachments/attachment-rules.js";
import { exceedsIncomingLimit, type ActivityCorrelation, type MessageCopy, type RegardingRecord } from "../../domain/email-activity.js";
import type { Mailbox } from "../../domain/mailbox.js";
import { normaliseAddress, recordDisplayName, type PartyRecordRef } from "../../domain/party-records.js";
import { correlate, type CorrelationMessage } from "../../domain/tracking/correlation.js";
import { partiesWithRecords, partyAddresses, recordTypesOf } from "../../domain/tracking/party-resolution.js";
import { smartMatchFingerprint } from "../../domain/tracking/smart-match.js";
import type { SyncedFolder } from "../../domain/tracking/synced-folder.js";
import { couldBeTracked, decideTracking, type TrackFacts, type TrackedReason, type UntrackedReason } from "../../domain/tracking/track-options.js";
import { correlationSettings } from "../../domain/tracking/tracking-settings.js";
import type { GraphMessage } from "../../graph/message-fields.js";
import type { ActivityContent } from "../../storage/email-repository.js";
import { createContactForSender } from "../../storage/sender-contacts.js";
import { crmEmailIdOf, messageSize, threadingOf, toActivity } from "./message-mapping.js";
import { sizeForLimit } from "./message-size.js";
import type { AttachmentImportTarget } from "./attachment-import.js";
import type { OwnerTrackingPolicy, TrackingStepDeps } from "./tracking-policy.js";

export type { TrackingStepDeps } from "./tracking-policy.js";
export { trackingStepDeps } from "./tracking-policy.js";

export interface TrackInput {
  mailbox: Mailbox;
  folder: SyncedFolder;
  /** As the incoming workload selects it (message-fields.ts), whole. */
  message: GraphMessage;
  /** Track now: tracked whatever the option, regarding this record when given. */
  onDemand?: { regarding?: RegardingRecord };
}

export type TrackOutcome =
  | { tracked: true; activityId: string; reason: TrackedReason | "alreadyTracked"; correlation?: ActivityCorrelation }
  | { tracked: false; reason: UntrackedReason | "untrackedOnDemand" }
  /** Tracked mail over 150 MB: an item failure, no activity. */
  | { tracked: false; reason: "tooLarge" }
  /** Deleted in Exchange before its size could be read: nothing to create. */
  | { tracked: false; reason: "gone" };

const workload = "incoming";

export async function trackMessage(deps: TrackingStepDeps, input: TrackInput): Promise<TrackOutcome> {
  const { mailbox, folder, message, onDemand } = input;
  const { content, copy } = toActivity(message, mailbox.id, folder);
  const state = await deps.emails.state(content.id, crmEmailIdOf(message));
  if (state.crmEmail) return joinCrmEmail(deps, mailbox, state.id, copy, content);
  if (state.exists && state.tracked) return joinTracked(deps, input, state.id, copy);
  const forced = onDemand !== undefined || folder.kind === "tracked";
  // The owner untracked it: only tracking it again by hand (or a tracked folder) brings it back.
  if (state.exists && !forced) return { tracked: false, reason: "untrackedOnDemand" };

  const policy = await deps.policyFor(mailbox);
  const facts: TrackFacts = {
    sentFromCrm: false,
    inTrackedFolder: folder.kind === "tracked",
    trackedOnDemand: onDemand !== undefined,
    inSentItems: folder.kind === "sentitems",
    senderRecordTypes: [],
    recipientRecordTypes: [],
  };
  const resolved = new Map<string, PartyRecordRef[]>();
  if (!forced && needsCorrespondent(policy, facts)) {
    // Only the correspondent decides: the sender of received mail, the recipients of sent mail.
    const correspondents = facts.inSentItems ? [...content.to, ...content.cc] : [content.from];
    for (const [address, refs] of await deps.resolveAddresses(partyAddresses(correspondents))) resolved.set(address, refs);
    if (facts.inSentItems) facts.recipientRecordTypes = recordTypesOf(correspondents, resolved);
    else facts.senderRecordTypes = recordTypesOf(correspondents, resolved);
  }
  // Filter before correlation: no lookups for mail no parent could make tracked.
  const correlation = couldBeTracked(facts, policy.track)
    ? await correlate(correlationMessage(content, message, policy), deps.correlationLookups, correlationSettings(policy.settings))
    : undefined;
  const decision = decideTracking(facts, policy.track, correlation);
  if (!decision.tracked) return leaveUntracked(deps, content, copy, decision.reason);

  const userKey = mailbox.exchangeUserId ?? mailbox.emailAddress;
  const sizeBytes = messageSize(message) ?? (await deps.graphReads(() => sizeForLimit(deps.graph, userKey, message, deps.counter)));
  if (sizeBytes === undefined) return { tracked: false, reason: "gone" };
  if (exceedsIncomingLimit(sizeBytes)) {
    await deps.failures.record({
      mailboxId: mailbox.id,
      workload,
      graphItemId: message.id,
      code: "MessageTooLarge",
      message: "The email was not created because it is larger than 150 MB. Forward a smaller copy or track it manually.",
      subject: message.subject,
      sizeBytes,
      at: new Date(deps.now()).toISOString(),
    });
    return { tracked: false, reason: "tooLarge" };
  }

  const parties = await resolveParties(deps, input, policy, content, resolved);
  const regarding = onDemand?.regarding ?? (folder.kind === "tracked" ? folder.regarding : undefined) ?? correlation?.regarding;
  const linked = correlation ? { method: correlation.method, parentActivityId: correlation.parentActivityId } : undefined;
  await deps.emails.saveFound({ ...content, ...parties, trackedReason: decision.reason, ...(linked ? { correlation: linked } : {}), ...(regarding ? { regarding } : {}) }, copy);
  await indexForCorrelation(deps, content.id, content, policy);
  await deps.emails.listFound(content.id, copy, { everyMailbox: true, created: !state.exists });
  await importAttachments(deps, { userKey, mailboxId: mailbox.id, activityId: content.id, message });
  return { tracked: true, activityId: content.id, reason: decision.reason, ...(linked ? { correlation: linked } : {}) };
}

/**
 * The import takes a Graph turn (graphReads) only for mail that may have attachments: without any
 * it asks Graph nothing, and must not wait behind the folder's prefetched page.
 */
async function importAttachments(deps: TrackingStepDeps, target: AttachmentImportTarget): Promise<void> {
  if (mayHaveAttachments(target.message)) await deps.graphReads(() => deps.importAttachments(target));
}

/** The "from" options look at the correspondent's records, unless the message is left alone anyway. */
function needsCorrespondent(policy: OwnerTrackingPolicy, facts: TrackFacts): boolean {
  const { option, autoTrackSentFolderItems } = policy.track;
  if (option !== "fromLeadsContactsAccounts" && option !== "fromEmailEnabledRecords") return false;
  return !(facts.inSentItems && !autoTrackSentFolderItems);
}

function correlationMessage(content: ActivityContent, message: GraphMessage, policy: OwnerTrackingPolicy): CorrelationMessage {
  const smart = policy.settings.correlation.smartMatch;
  return {
    activityId: content.id,
    internetMessageId: content.internetMessageId,
    ...threadingOf(message),
    subject: content.subject,
    conversationId: content.conversationId,
    conversationIndex: content.conversationIndex,
    // The RE2 keyword filter runs on the subject only when smart matching is on.
    fingerprint: smart ? fingerprintOf(content, policy) : { addressHashes: [] },
  };
}

function fingerprintOf(content: Pick<ActivityContent, "subject" | "from" | "to" | "cc">, policy: OwnerTrackingPolicy) {
  return smartMatchFingerprint({ subject: content.subject, from: content.from?.address, to: content.to.map((p) => p.address), cc: content.cc.map((p) => p.address) }, policy.settings.smartMatching);
}

/** Every party's records; with "automatically create records", a contact for an unknown sender of received mail. */
async function resolveParties(deps: TrackingStepDeps, input: TrackInput, policy: OwnerTrackingPolicy, content: ActivityContent, resolved: Map<string, PartyRecordRef[]>) {
  const missing = partyAddresses([content.from, ...content.to, ...content.cc, ...content.bcc]).filter((address) => !resolved.has(address));
  if (missing.length > 0) for (const [address, refs] of await deps.resolveAddresses(missing)) resolved.set(address, refs);
  const sender = content.from;
  if (policy.autoCreateRecords && sender && input.folder.kind !== "sentitems" && (resolved.get(normaliseAddress(sender.address)) ?? []).length === 0) {
    const { contact } = await createContactForSender(deps.actRecords, { ownerId: input.mailbox.ownerId, address: sender.address, name: sender.name }, deps.now());
    const ref: PartyRecordRef = { type: "contact", id: contact.id, name: recordDisplayName("contact", contact.fields), ownerId: contact.ownerId, active: true };
    resolved.set(normaliseAddress(sender.address), [ref]);
  }
  return partiesWithRecords(content, resolved, input.mailbox.ownerId);
}

/**
 * Conversation → this activity, for the replies still to come; with smart matching on, its
 * subject hash too (so smart matching finds mail tracked while it is on: the hashes cost a write
 * and the keyword filter per tracked email, paid only by organizations that use it).
 */
async function indexForCorrelation(deps: TrackingStepDeps, activityId: string, content: ActivityContent, policy: OwnerTrackingPolicy): Promise<void> {
  const fingerprint = policy.settings.correlation.smartMatch ? fingerprintOf(content, policy) : undefined;
  // The sent time is the same in every mailbox's copy: copies index the activity once.
  await deps.correlationIndex.add(activityId, content.sentAt ?? content.receivedAt, {
    conversationId: content.conversationId,
    ...(fingerprint ? { subjectHash: fingerprint.subjectHash, addressHashes: fingerprint.addressHashes } : {}),
  });
}

/** The Sent Items (or a recipient's) copy of mail the CRM sent: the CRM email, indexed by its sender's copy. */
async function joinCrmEmail(deps: TrackingStepDeps, mailbox: Mailbox, emailId: string, copy: MessageCopy, content: ActivityContent): Promise<TrackOutcome> {
  await deps.emails.saveFoundCopy(emailId, copy);
  if (copy.direction === "Outgoing") {
    // The sender's copy carries what the send did not report: the conversation and its index.
    await deps.emails.setConversation(emailId, { conversationId: content.conversationId, conversationIndex: content.conversationIndex });
    await indexForCorrelation(deps, emailId, content, await deps.policyFor(mailbox));
  }
  await deps.emails.listFound(emailId, copy);
  return { tracked: true, activityId: emailId, reason: "sentFromCrm" };
}

/** Another copy of a tracked message; a tracked folder or Track now re-applies its regarding. */
async function joinTracked(deps: TrackingStepDeps, input: TrackInput, activityId: string, copy: MessageCopy): Promise<TrackOutcome> {
  await deps.emails.saveFoundCopy(activityId, copy);
  const regarding = input.onDemand?.regarding ?? (input.folder.kind === "tracked" ? input.folder.regarding : undefined);
  if (regarding) await deps.emails.setRegarding(activityId, regarding);
  await deps.emails.listFound(activityId, copy);
  // Finishes an import a crash or a throttled page left unfinished; once done, one read and no Graph request.
  const { mailbox, message } = input;
  await importAttachments(deps, { userKey: mailbox.exchangeUserId ?? mailbox.emailAddress, mailboxId: mailbox.id, activityId, message });
  return { tracked: true, activityId, reason: "alreadyTracked" };
}

/**
 * Ids only. Written before checking again whether someone tracked the message meanwhile: of this
 * writer and a tracker racing on the same message, at least one sees the other's rows.
 */
async function leaveUntracked(deps: TrackingStepDeps, content: ActivityContent, copy: MessageCopy, reason: UntrackedReason): Promise<TrackOutcome> {
  // Without an internet message id the activity id is this mailbox's own: no other owner can track it.
  if (!content.internetMessageId) return { tracked: false, reason };
  await deps.emails.saveUntrackedCopy(content.id, copy);
  const after = await deps.emails.state(content.id, undefined);
  if (after.exists && after.tracked && !after.crmEmail) {
    await deps.emails.listFound(after.id, copy);
    return { tracked: true, activityId: after.id, reason: "alreadyTracked" };
  }
  return { tracked: false, reason };
}
