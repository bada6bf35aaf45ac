/**
 * Smart matching's fingerprints (DESIGN.md §8): a hash of the subject with reply/forward prefixes
 * filtered out by `HashFilterKeywords`, and hashes of the addresses on the message. Two emails
 * match when their subject hashes are equal and at least `HashMinAddressCount` address hashes are
 * shared. The engine stores the fingerprint of each tracked email; nothing here reads storage.
 *
 * The keyword filter is an admin-supplied regular expression run on every subject, so it runs on
 * RE2 (linear time, no backtracking): a pattern like `(a+)+$` cannot stall a worker.
 */
import { createHash } from "node:crypto";
import { RE2 } from "re2-wasm";

export interface SmartMatchSettings {
  /** HashFilterKeywords: what to strip from the subject before hashing. */
  hashFilterKeywords: string;
  /** HashMaxCount: at most this many address hashes per email. */
  hashMaxCount: number;
  /** HashDeltaSubjectCount: only 0 (subjects must hash the same) is supported. */
  hashDeltaSubjectCount: number;
  /** HashMinAddressCount: address hashes two emails must share. */
  hashMinAddressCount: number;
}

export const defaultSmartMatchSettings: SmartMatchSettings = {
  hashFilterKeywords: "^[\\s]*([\\w]+\\s?:[\\s]*)+",
  hashMaxCount: 20,
  hashDeltaSubjectCount: 0,
  hashMinAddressCount: 2,
};

export const smartMatchLimits = {
  /** Long enough for any prefix list; short enough that RE2's program stays small. */
  hashFilterKeywordsLength: 256,
  hashMaxCount: { min: 1, max: 100 },
  hashDeltaSubjectCount: { min: 0, max: 0 },
  hashMinAddressCount: { min: 1, max: 100 },
} as const;

export interface SmartMatchProblem {
  field: keyof SmartMatchSettings;
  message: string;
}

const compiled = new Map<string, RE2>();

/** The filter compiled once per pattern (RE2 objects live in WebAssembly memory). */
function keywordFilter(pattern: string): RE2 {
  let filter = compiled.get(pattern);
  if (!filter) {
    filter = new RE2(pattern, "gu");
    compiled.set(pattern, filter);
  }
  return filter;
}

/** Why the settings cannot be used, or [] when they can. */
export function smartMatchProblems(settings: SmartMatchSettings): SmartMatchProblem[] {
  const problems: SmartMatchProblem[] = [];
  const pattern = settings.hashFilterKeywords;
  if (typeof pattern !== "string" || pattern.length === 0 || pattern.length > smartMatchLimits.hashFilterKeywordsLength) {
    problems.push({ field: "hashFilterKeywords", message: `must be a regular expression of 1-${smartMatchLimits.hashFilterKeywordsLength} characters` });
  } else {
    try {
      keywordFilter(pattern);
    } catch (error) {
      const why = error instanceof Error ? error.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, "") : String(error);
      problems.push({ field: "hashFilterKeywords", message: `must be a regular expression RE2 accepts (no backreferences or lookaround): ${why}` });
    }
  }
  for (const field of ["hashMaxCount", "hashDeltaSubjectCount", "hashMinAddressCount"] as const) {
    const { min, max } = smartMatchLimits[field];
    const value = settings[field];
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push({ field, message: min === max ? `must be ${min}: subjects are matched by one hash` : `must be a whole number from ${min} to ${max}` });
    }
  }
  if (problems.length === 0 && settings.hashMinAddressCount > settings.hashMaxCount) {
    problems.push({ field: "hashMinAddressCount", message: "must not exceed hashMaxCount" });
  }
  return problems;
}

const hash = (kind: string, value: string) => createHash("sha256").update(`${kind}\0${value}`).digest("base64url").slice(0, 22);

/** The subject as compared: keywords filtered out, whitespace collapsed, case folded. */
export function normalizedSubject(subject: string | undefined, settings: Pick<SmartMatchSettings, "hashFilterKeywords">): string {
  const filtered = keywordFilter(settings.hashFilterKeywords).replace(subject ?? "", "");
  return filtered.replace(/\s+/g, " ").trim().toLowerCase();
}

export interface SmartMatchFingerprint {
  /** Undefined when nothing is left of the subject: an empty subject matches nothing. */
  subjectHash?: string;
  /** Distinct address hashes (from, to, cc), at most hashMaxCount, in that order. */
  addressHashes: string[];
}

export interface FingerprintInput {
  subject?: string;
  from?: string;
  to: readonly string[];
  cc: readonly string[];
}

export function smartMatchFingerprint(message: FingerprintInput, settings: SmartMatchSettings): SmartMatchFingerprint {
  const subject = normalizedSubject(message.subject, settings);
  const addresses = [message.from, ...message.to, ...message.cc].filter((a): a is string => Boolean(a)).map((a) => a.trim().toLowerCase());
  const addressHashes = [...new Set(addresses)].slice(0, settings.hashMaxCount).map((a) => hash("address", a));
  return { subjectHash: subject ? hash("subject", subject) : undefined, addressHashes };
}

/** Two fingerprints match: same subject hash and at least hashMinAddressCount shared addresses. */
export function fingerprintsMatch(a: SmartMatchFingerprint, b: SmartMatchFingerprint, settings: Pick<SmartMatchSettings, "hashMinAddressCount">): boolean {
  if (!a.subjectHash || a.subjectHash !== b.subjectHash) return false;
  const other = new Set(b.addressHashes);
  return a.addressHashes.filter((h) => other.has(h)).length >= settings.hashMinAddressCount;
}
