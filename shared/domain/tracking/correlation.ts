/**
 * Correlation (DESIGN.md §8): which earlier tracked activity a message belongs to. A chain of small
 * matchers — In-Reply-To/References, tracking token, conversation, smart matching — each a function
 * of (message, lookups) to a match or nothing, run in that order and stopping at the first match.
 * Each can be switched off in organization settings. Lookups are the engine's storage, behind an
 * interface: this file reads nothing itself.
 */
import type { RegardingRecord } from "../email-activity.js";
import type { SmartMatchFingerprint, SmartMatchSettings } from "./smart-match.js";
import type { TrackingTokenFormat } from "./token-format.js";
import { inReplyTo, trackingToken, conversation, smartMatch } from "./matchers.js";

export const correlationMethods = ["inReplyTo", "trackingToken", "conversation", "smartMatch"] as const;
export type CorrelationMethod = (typeof correlationMethods)[number];

/** Which methods run (`correlationmethod` is recorded on the activity). Smart matching is off by default. */
export type CorrelationSwitches = Record<CorrelationMethod, boolean>;
export const defaultCorrelationSwitches: CorrelationSwitches = { inReplyTo: true, trackingToken: true, conversation: true, smartMatch: false };

export interface CorrelationSettings {
  switches: CorrelationSwitches;
  trackingToken: TrackingTokenFormat;
  smartMatching: SmartMatchSettings;
}

/** What correlation needs to know about the message. */
export interface CorrelationMessage {
  /** The activity this message is (or would become): never its own parent. */
  activityId: string;
  internetMessageId?: string;
  /** The In-Reply-To header (PidTagInReplyToId). */
  inReplyTo?: string;
  /** The References header's ids, oldest first (PidTagInternetReferences). */
  references: readonly string[];
  subject?: string;
  conversationId?: string;
  /** Graph's conversationIndex (base64): 22 bytes for a new thread, 5 more per reply. */
  conversationIndex?: string;
  fingerprint: SmartMatchFingerprint;
}

/** An earlier activity a lookup found. */
export interface ParentCandidate {
  activityId: string;
  /** False for an activity that is no longer tracked (untracked on demand): it is nobody's parent. */
  tracked: boolean;
  regarding?: RegardingRecord;
  internetMessageId?: string;
  conversationIndex?: string;
  /** Address hashes stored with the activity (smart matching). */
  addressHashes?: readonly string[];
  /** When it was sent or received (ISO-8601): the latest candidate wins ties. */
  at: string;
}

/** The engine's storage, as correlation needs it. Each returns tracked and untracked candidates alike. */
export interface CorrelationLookups {
  activitiesByInternetMessageIds(ids: readonly string[]): Promise<ParentCandidate[]>;
  activitiesByTrackingToken(token: string): Promise<ParentCandidate[]>;
  activitiesByConversationId(conversationId: string): Promise<ParentCandidate[]>;
  activitiesBySubjectHash(subjectHash: string): Promise<ParentCandidate[]>;
}

export interface CorrelationMatch {
  method: CorrelationMethod;
  parentActivityId: string;
  /** The parent's regarding record: the message inherits it. */
  regarding?: RegardingRecord;
}

export type Matcher = (message: CorrelationMessage, lookups: CorrelationLookups, settings: CorrelationSettings) => Promise<CorrelationMatch | undefined>;

export const matchers: Record<CorrelationMethod, Matcher> = { inReplyTo, trackingToken, conversation, smartMatch };

/** The first enabled method's match, in the documented order; undefined when none matches. */
export async function correlate(message: CorrelationMessage, lookups: CorrelationLookups, settings: CorrelationSettings): Promise<CorrelationMatch | undefined> {
  for (const method of correlationMethods) {
    if (!settings.switches[method]) continue;
    const match = await matchers[method](message, lookups, settings);
    if (match) return match;
  }
  return undefined;
}
