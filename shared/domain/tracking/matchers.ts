/**
 * The four correlation matchers, each (message, lookups, settings) → a match or nothing. A
 * candidate is a parent only if it is tracked and is not the message itself: a forged
 * In-Reply-To naming mail that was never tracked finds no activity, or only an untracked one.
 */
import type { CorrelationLookups, CorrelationMatch, CorrelationMessage, CorrelationMethod, CorrelationSettings, ParentCandidate } from "./correlation.js";
import { fingerprintsMatch } from "./smart-match.js";
import { findTrackingTokens } from "./token-format.js";

/** Candidates that can be a parent: tracked, and not the message itself. */
export function eligible(message: Pick<CorrelationMessage, "activityId">, candidates: readonly ParentCandidate[]): ParentCandidate[] {
  return candidates.filter((c) => c.tracked && c.activityId !== message.activityId);
}

/** The most recent candidate (ties: the smallest id, so the choice is stable). */
export function latest(candidates: readonly ParentCandidate[]): ParentCandidate | undefined {
  return [...candidates].sort((a, b) => b.at.localeCompare(a.at) || a.activityId.localeCompare(b.activityId))[0];
}

function matchOf(method: CorrelationMethod, parent: ParentCandidate | undefined): CorrelationMatch | undefined {
  if (!parent) return undefined;
  return parent.regarding ? { method, parentActivityId: parent.activityId, regarding: parent.regarding } : { method, parentActivityId: parent.activityId };
}

const normalizeId = (id: string) => id.trim().toLowerCase();

/** At most this many References are looked up: long threads name every ancestor. */
export const maxReferencesLookedUp = 20;

/**
 * In-Reply-To first, then References newest first: the closest tracked ancestor. One lookup for
 * all ids.
 */
export async function inReplyTo(message: CorrelationMessage, lookups: CorrelationLookups): Promise<CorrelationMatch | undefined> {
  const own = message.internetMessageId ? normalizeId(message.internetMessageId) : undefined;
  const ids = [message.inReplyTo, ...[...message.references].reverse().slice(0, maxReferencesLookedUp)]
    .filter((id): id is string => Boolean(id && id.trim()))
    .map(normalizeId)
    .filter((id, index, all) => id !== own && all.indexOf(id) === index);
  if (ids.length === 0) return undefined;
  const candidates = eligible(message, await lookups.activitiesByInternetMessageIds(ids));
  for (const id of ids) {
    const parent = latest(candidates.filter((c) => c.internetMessageId && normalizeId(c.internetMessageId) === id));
    if (parent) return matchOf("inReplyTo", parent);
  }
  return undefined;
}

/** This deployment's token in the subject (never the body), the last one first. */
export async function trackingToken(message: CorrelationMessage, lookups: CorrelationLookups, settings: CorrelationSettings): Promise<CorrelationMatch | undefined> {
  const tokens = findTrackingTokens(settings.trackingToken, message.subject).reverse();
  for (const { token } of tokens) {
    const parent = latest(eligible(message, await lookups.activitiesByTrackingToken(token)));
    if (parent) return matchOf("trackingToken", parent);
  }
  return undefined;
}

const conversationHeaderBytes = 22;
const conversationChildBytes = 5;

/**
 * The conversationIndex of the message this one replies to (the last 5-byte child block removed),
 * or undefined for the first message of a thread or a malformed index.
 */
export function parentConversationIndex(index: string | undefined): string | undefined {
  if (!index || !/^[A-Za-z0-9+/]+={0,2}$/.test(index)) return undefined;
  const bytes = Buffer.from(index, "base64");
  const children = bytes.length - conversationHeaderBytes;
  if (children < conversationChildBytes || children % conversationChildBytes !== 0) return undefined;
  return bytes.subarray(0, bytes.length - conversationChildBytes).toString("base64");
}

/** Byte length of an ancestor whose index starts this one's, or 0 when it is not an ancestor. */
function ancestorDepth(candidateIndex: string | undefined, messageIndex: Buffer | undefined): number {
  if (!candidateIndex || !messageIndex) return 0;
  const candidate = Buffer.from(candidateIndex, "base64");
  if (candidate.length < conversationHeaderBytes || candidate.length >= messageIndex.length) return 0;
  return messageIndex.subarray(0, candidate.length).equals(candidate) ? candidate.length : 0;
}

/**
 * The same Exchange conversation. Where the conversationIndex helps, the nearest tracked ancestor
 * (the direct parent first); otherwise the latest tracked activity of the conversation.
 */
export async function conversation(message: CorrelationMessage, lookups: CorrelationLookups): Promise<CorrelationMatch | undefined> {
  if (!message.conversationId) return undefined;
  const candidates = eligible(message, await lookups.activitiesByConversationId(message.conversationId));
  if (candidates.length === 0) return undefined;
  const index = parentConversationIndex(message.conversationIndex) ? Buffer.from(message.conversationIndex!, "base64") : undefined;
  const depth = Math.max(...candidates.map((c) => ancestorDepth(c.conversationIndex, index)));
  const nearest = depth > 0 ? candidates.filter((c) => ancestorDepth(c.conversationIndex, index) === depth) : candidates;
  return matchOf("conversation", latest(nearest));
}

/** Same filtered subject and enough shared addresses; off by default (false positives). */
export async function smartMatch(message: CorrelationMessage, lookups: CorrelationLookups, settings: CorrelationSettings): Promise<CorrelationMatch | undefined> {
  const { subjectHash } = message.fingerprint;
  if (!subjectHash || message.fingerprint.addressHashes.length < settings.smartMatching.hashMinAddressCount) return undefined;
  const candidates = eligible(message, await lookups.activitiesBySubjectHash(subjectHash)).filter((c) =>
    fingerprintsMatch(message.fingerprint, { subjectHash, addressHashes: [...(c.addressHashes ?? [])] }, settings.smartMatching),
  );
  return matchOf("smartMatch", latest(candidates));
}
