import { describe, expect, it } from "vitest";
import { settingsBody } from "../../shared/api/admin-schemas.js";
import { ApiError, parseOrThrow } from "../../shared/api/http-responses.js";
import { trackingSettingsSchema } from "../../shared/api/tracking-settings-schema.js";
import { defaultTrackingSettings, readStoredTrackingSettings } from "../../shared/domain/tracking/tracking-settings.js";

function refusal(body: unknown): ApiError {
  try {
    parseOrThrow(settingsBody, body, "body");
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected a 400");
}

describe("tracking settings: the API schema", () => {
  it("fills every omitted setting with its documented default", () => {
    expect(trackingSettingsSchema.parse({})).toEqual(defaultTrackingSettings);
    expect(defaultTrackingSettings).toEqual({
      defaultTrackOption: "responsesToCrmEmail",
      correlation: { inReplyTo: true, trackingToken: true, conversation: true, smartMatch: false },
      trackingToken: { prefix: "CRM:", baseNumber: 0, userNumberDigits: 3, counterDigits: 3 },
      smartMatching: { hashFilterKeywords: "^[\\s]*([\\w]+\\s?:[\\s]*)+", hashMaxCount: 20, hashDeltaSubjectCount: 0, hashMinAddressCount: 2 },
      autoTrackSentFolderItems: false,
    });
  });

  it("fills omitted fields inside a part", () => {
    expect(trackingSettingsSchema.parse({ trackingToken: { baseNumber: 5 }, correlation: { smartMatch: true } })).toMatchObject({
      trackingToken: { prefix: "CRM:", baseNumber: 5, userNumberDigits: 3, counterDigits: 3 },
      correlation: { inReplyTo: true, trackingToken: true, conversation: true, smartMatch: true },
    });
  });

  it("is part of the settings body", () => {
    expect(parseOrThrow(settingsBody, { requireApprovedMailboxes: false, defaultTrackOption: "all" }, "body")).toMatchObject({ requireApprovedMailboxes: false, defaultTrackOption: "all", autoTrackSentFolderItems: false });
  });

  it.each([
    [{ defaultTrackOption: "some" }, "defaultTrackOption", /responsesToCrmEmail/],
    [{ correlation: { inReplyTo: "yes" } }, "correlation.inReplyTo", /boolean/],
    [{ correlation: { headers: true } }, "correlation.headers", /not a field/],
    [{ trackingToken: { prefix: "CRM1" } }, "trackingToken.prefix", /must not end in a digit/],
    [{ trackingToken: { prefix: "CRM :" } }, "trackingToken.prefix", /without spaces/],
    [{ trackingToken: { baseNumber: 2_147_483_648 } }, "trackingToken.baseNumber", /0 to 2147483647/],
    [{ trackingToken: { userNumberDigits: 11 } }, "trackingToken.userNumberDigits", /1 to 10/],
    [{ trackingToken: { counterDigits: 10 } }, "trackingToken.counterDigits", /1 to 9/],
    [{ trackingToken: { prefix: "CRM:", counterDigits: 7, extra: 1 } }, "trackingToken.extra", /not a field/],
    [{ smartMatching: { hashFilterKeywords: "(\\w+)\\1" } }, "smartMatching.hashFilterKeywords", /no backreferences/],
    [{ smartMatching: { hashDeltaSubjectCount: 2 } }, "smartMatching.hashDeltaSubjectCount", /must be 0/],
    [{ autoTrackSentFolderItems: "on" }, "autoTrackSentFolderItems", /boolean/],
  ])("%o is a 400 naming %s", (body, field, message) => {
    const error = refusal(body);
    expect(error.status).toBe(400);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });
});

describe("tracking settings: stored rows read gracefully", () => {
  it("a row from before tracking settings reads as the defaults", () => {
    expect(readStoredTrackingSettings({})).toEqual(defaultTrackingSettings);
  });

  it("the old token shape keeps its prefix; the rest as stored", () => {
    expect(readStoredTrackingSettings({ trackingToken: { prefix: "TKT:", counterDigits: 7 }, defaultTrackOption: "all", autoTrackSentFolderItems: true, correlation: { conversation: false } })).toEqual({
      ...defaultTrackingSettings,
      defaultTrackOption: "all",
      autoTrackSentFolderItems: true,
      correlation: { ...defaultTrackingSettings.correlation, conversation: false },
      trackingToken: { ...defaultTrackingSettings.trackingToken, prefix: "TKT:" },
    });
  });

  it("values no longer valid read as their defaults", () => {
    expect(readStoredTrackingSettings({ defaultTrackOption: "everything", smartMatching: { hashFilterKeywords: "(" }, correlation: "x" })).toEqual(defaultTrackingSettings);
  });
});
