/**
 * The tracking part of PUT /api/settings: the organization's default track option, correlation
 * switches, tracking token format, smart matching and AutoTrackSentFolderItems. Every field has
 * its documented default, so a body without them gets the defaults; the rules themselves live in
 * shared/domain/tracking (one source), and a 400 names the failing field.
 */
import { z } from "zod";
import { correlationMethods } from "../domain/tracking/correlation.js";
import { defaultSmartMatchSettings, smartMatchProblems } from "../domain/tracking/smart-match.js";
import { defaultTrackingTokenFormat, trackingTokenFormatProblems } from "../domain/tracking/token-format.js";
import { defaultTrackingSettings } from "../domain/tracking/tracking-settings.js";
import { trackOptions } from "../domain/tracking/track-options.js";
import { text } from "./text-fields.js";

const whole = z.number().int();

export const trackingTokenFormatSchema = z
  .object({
    prefix: text().default(defaultTrackingTokenFormat.prefix),
    baseNumber: whole.default(defaultTrackingTokenFormat.baseNumber),
    userNumberDigits: whole.default(defaultTrackingTokenFormat.userNumberDigits),
    counterDigits: whole.default(defaultTrackingTokenFormat.counterDigits),
  })
  .strict()
  .superRefine((format, ctx) => {
    for (const problem of trackingTokenFormatProblems(format)) ctx.addIssue({ code: "custom", path: [problem.field], message: problem.message });
  });

export const smartMatchingSchema = z
  .object({
    hashFilterKeywords: text().default(defaultSmartMatchSettings.hashFilterKeywords),
    hashMaxCount: whole.default(defaultSmartMatchSettings.hashMaxCount),
    hashDeltaSubjectCount: whole.default(defaultSmartMatchSettings.hashDeltaSubjectCount),
    hashMinAddressCount: whole.default(defaultSmartMatchSettings.hashMinAddressCount),
  })
  .strict()
  .superRefine((settings, ctx) => {
    for (const problem of smartMatchProblems(settings)) ctx.addIssue({ code: "custom", path: [problem.field], message: problem.message });
  });

export const correlationSwitchesSchema = z
  .object(Object.fromEntries(correlationMethods.map((m) => [m, z.boolean().default(defaultTrackingSettings.correlation[m])])) as Record<(typeof correlationMethods)[number], z.ZodDefault<z.ZodBoolean>>)
  .strict();

/** Spread into the settings body: `z.object({ ...other fields, ...trackingSettingsFields })`. */
export const trackingSettingsFields = {
  defaultTrackOption: z.enum(trackOptions).default(defaultTrackingSettings.defaultTrackOption),
  correlation: correlationSwitchesSchema.prefault({}),
  trackingToken: trackingTokenFormatSchema.prefault({}),
  smartMatching: smartMatchingSchema.prefault({}),
  autoTrackSentFolderItems: z.boolean().default(defaultTrackingSettings.autoTrackSentFolderItems),
};

export const trackingSettingsSchema = z.object(trackingSettingsFields).strict();
