/**
 * The organization's tracking settings, in one place: the default track option, which correlation
 * methods run, the tracking token's format, smart matching, and AutoTrackSentFolderItems.
 *
 * AutoTrackSentFolderItems is off by default, as in Dynamics 365: mail the owner sends from
 * Outlook is the owner's own unless it was sent from the CRM or tracked on demand. (Before email
 * tracking the product imported every Sent Items message; that is what turning it on restores,
 * now through the owner's track option.)
 */
import { defaultCorrelationSwitches, type CorrelationSettings, type CorrelationSwitches } from "./correlation.js";
import { defaultSmartMatchSettings, smartMatchProblems, type SmartMatchSettings } from "./smart-match.js";
import { defaultTrackingTokenFormat, trackingTokenFormatProblems, type TrackingTokenFormat } from "./token-format.js";
import { defaultTrackOption, trackOptions, type TrackOption } from "./track-options.js";

export interface TrackingSettings {
  /** The track option of owners who have not chosen one. */
  defaultTrackOption: TrackOption;
  correlation: CorrelationSwitches;
  trackingToken: TrackingTokenFormat;
  smartMatching: SmartMatchSettings;
  autoTrackSentFolderItems: boolean;
}

export const defaultTrackingSettings: TrackingSettings = {
  defaultTrackOption,
  correlation: defaultCorrelationSwitches,
  trackingToken: defaultTrackingTokenFormat,
  smartMatching: defaultSmartMatchSettings,
  autoTrackSentFolderItems: false,
};

export function correlationSettings(settings: TrackingSettings): CorrelationSettings {
  return { switches: settings.correlation, trackingToken: settings.trackingToken, smartMatching: settings.smartMatching };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A stored token format, read gracefully. The shape before user numbers, `{prefix, counterDigits}`
 * (one global counter padded to 7 digits by default), becomes the documented default layout with
 * its prefix kept: its tokens were `CRM:` and seven digits starting with 0, which the default
 * format (base 0, 3 + 3 digits) still finds, so replies to mail sent before the change correlate.
 */
export function readStoredTokenFormat(stored: unknown): TrackingTokenFormat {
  if (!isRecord(stored)) return defaultTrackingTokenFormat;
  const candidate: TrackingTokenFormat = { ...defaultTrackingTokenFormat };
  if (typeof stored.prefix === "string") candidate.prefix = stored.prefix;
  if ("baseNumber" in stored || "userNumberDigits" in stored) {
    for (const field of ["baseNumber", "userNumberDigits", "counterDigits"] as const) {
      if (typeof stored[field] === "number") candidate[field] = stored[field];
    }
  }
  const problems = trackingTokenFormatProblems(candidate);
  if (problems.length === 0) return candidate;
  // A prefix the old rules allowed (e.g. ending in a digit) cannot round-trip: keep the rest.
  const withDefaultPrefix = { ...candidate, prefix: defaultTrackingTokenFormat.prefix };
  return trackingTokenFormatProblems(withDefaultPrefix).length === 0 ? withDefaultPrefix : defaultTrackingTokenFormat;
}

/** Stored settings, each part falling back to its default when missing or no longer valid. */
export function readStoredTrackingSettings(stored: Partial<Record<keyof TrackingSettings, unknown>>): TrackingSettings {
  const option = trackOptions.find((o) => o === stored.defaultTrackOption) ?? defaultTrackOption;
  const switches = isRecord(stored.correlation) ? stored.correlation : {};
  const correlation = Object.fromEntries(
    Object.entries(defaultCorrelationSwitches).map(([method, on]) => [method, typeof switches[method] === "boolean" ? switches[method] : on]),
  ) as CorrelationSwitches;
  const storedSmart = isRecord(stored.smartMatching) ? stored.smartMatching : {};
  const smart = Object.fromEntries(Object.entries(defaultSmartMatchSettings).map(([field, value]) => [field, storedSmart[field] ?? value])) as unknown as SmartMatchSettings;
  return {
    defaultTrackOption: option,
    correlation,
    trackingToken: readStoredTokenFormat(stored.trackingToken),
    smartMatching: smartMatchProblems(smart).length === 0 ? smart : defaultSmartMatchSettings,
    autoTrackSentFolderItems: stored.autoTrackSentFolderItems === true,
  };
}
