/**
 * The tracking token the product adds to the subject of mail it sends, and finds again in replies
 * (DESIGN.md §8): prefix, the deployment's base tracking number, the sender's user number and a
 * counter, e.g. `CRM:` + `0` + `001` + `042` = `CRM:0001042`. The base number is written as it is;
 * user number and counter are zero-padded to their digit counts and wrap (999 → 000).
 *
 * A token is found in the subject only (never the body), only in this deployment's format: a
 * different prefix or base number is another deployment's token and does not match.
 */

export interface TrackingTokenFormat {
  /** 1–20 printable ASCII characters, no whitespace, not ending in a digit. */
  prefix: string;
  /** 0–2,147,483,647: tells deployments that share a prefix apart. */
  baseNumber: number;
  /** 1–10 */
  userNumberDigits: number;
  /** 1–9 */
  counterDigits: number;
}

export const trackingTokenLimits = {
  prefixLength: { min: 1, max: 20 },
  baseNumber: { min: 0, max: 2_147_483_647 },
  userNumberDigits: { min: 1, max: 10 },
  counterDigits: { min: 1, max: 9 },
} as const;

/** The documented defaults: the token reads as `CRM:` followed by seven digits. */
export const defaultTrackingTokenFormat: TrackingTokenFormat = { prefix: "CRM:", baseNumber: 0, userNumberDigits: 3, counterDigits: 3 };

export interface TrackingTokenProblem {
  field: keyof TrackingTokenFormat;
  message: string;
}

/**
 * Why a format could not round-trip (generate → find in a subject → same user number and
 * counter), or [] when it can:
 * - whitespace or control characters: mail clients fold, trim and collapse whitespace in subjects;
 * - non-ASCII: gateways re-encode or normalise it (RFC 2047, Unicode forms), so it may come back
 *   as other code points;
 * - a final digit: the digits after the prefix are the token, so `CRM1` + base 0 would read the
 *   same as `CRM` + base 10 (another deployment's token would match).
 */
export function trackingTokenFormatProblems(format: TrackingTokenFormat): TrackingTokenProblem[] {
  const problems: TrackingTokenProblem[] = [];
  const { prefix } = format;
  const { prefixLength } = trackingTokenLimits;
  if (typeof prefix !== "string" || prefix.length < prefixLength.min || prefix.length > prefixLength.max) {
    problems.push({ field: "prefix", message: `must be ${prefixLength.min}-${prefixLength.max} characters` });
  } else if (!/^[\x21-\x7e]+$/.test(prefix)) {
    problems.push({ field: "prefix", message: "must be printable ASCII without spaces: mail systems rewrite whitespace and other characters in subjects" });
  } else if (/\d$/.test(prefix)) {
    problems.push({ field: "prefix", message: "must not end in a digit: the digits after the prefix are the token" });
  }
  for (const field of ["baseNumber", "userNumberDigits", "counterDigits"] as const) {
    const { min, max } = trackingTokenLimits[field];
    const value = format[field];
    if (!Number.isInteger(value) || value < min || value > max) problems.push({ field, message: `must be a whole number from ${min} to ${max}` });
  }
  return problems;
}

const wrap = (value: number, digits: number) => ((Math.trunc(value) % 10 ** digits) + 10 ** digits) % 10 ** digits;

/**
 * The token for the owner's user number and counter. Both wrap to their digit counts: beyond
 * 10^digits owners (or sends) numbers repeat, and correlation then prefers the latest activity.
 */
export function generateTrackingToken(format: TrackingTokenFormat, userNumber: number, counter: number): string {
  const user = String(wrap(userNumber, format.userNumberDigits)).padStart(format.userNumberDigits, "0");
  const count = String(wrap(counter, format.counterDigits)).padStart(format.counterDigits, "0");
  return `${format.prefix}${format.baseNumber}${user}${count}`;
}

export interface FoundTrackingToken {
  /** As this deployment writes it (the prefix in its configured case): the key to look it up by. */
  token: string;
  userNumber: number;
  counter: number;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Compiled per format: a cycle looks for tokens in every subject. Undefined: cannot round-trip. */
const patterns = new Map<string, RegExp | undefined>();

function tokenPattern(format: TrackingTokenFormat): RegExp | undefined {
  const key = JSON.stringify([format.prefix, format.baseNumber, format.userNumberDigits, format.counterDigits]);
  if (patterns.has(key)) return patterns.get(key);
  if (patterns.size >= 32) patterns.clear();
  const pattern = trackingTokenFormatProblems(format).length > 0 ? undefined : compileTokenPattern(format);
  patterns.set(key, pattern);
  return pattern;
}

function compileTokenPattern(format: TrackingTokenFormat): RegExp {
  // Not preceded by a letter or digit (XCRM: is another prefix), not followed by a digit (a longer
  // run is another base number or digit count). The prefix matches in any case: some clients
  // upper-case subjects.
  const prefix = escapeRegExp(format.prefix);
  return new RegExp(`(?<![\\p{L}\\p{N}])${prefix}${format.baseNumber}(\\d{${format.userNumberDigits}})(\\d{${format.counterDigits}})(?!\\d)`, "giu");
}

/** This deployment's tokens in the subject, in the order they appear (the newest is usually last). */
export function findTrackingTokens(format: TrackingTokenFormat, subject: string | undefined): FoundTrackingToken[] {
  const pattern = subject ? tokenPattern(format) : undefined;
  if (!subject || !pattern) return [];
  const found: FoundTrackingToken[] = [];
  for (const match of subject.matchAll(pattern)) {
    const userNumber = Number(match[1]);
    const counter = Number(match[2]);
    const token = generateTrackingToken(format, userNumber, counter);
    if (!found.some((f) => f.token === token)) found.push({ token, userNumber, counter });
  }
  return found;
}

/** The subject as sent: the CRM's subject with the tracking token after it (unless already there). */
export function subjectWithToken(subject: string, token: string): string {
  return subject.includes(token) ? subject : `${subject} ${token}`.trim();
}
