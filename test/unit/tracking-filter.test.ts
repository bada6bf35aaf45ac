import { describe, expect, it } from "vitest";
import type { CorrelationMatch } from "../../shared/domain/tracking/correlation.js";
import { couldBeTracked, decideTracking, effectiveTrackOption, trackOptions, type TrackFacts, type TrackOption } from "../../shared/domain/tracking/track-options.js";

const received: TrackFacts = { sentFromCrm: false, inTrackedFolder: false, trackedOnDemand: false, inSentItems: false, senderRecordTypes: [], recipientRecordTypes: [] };
const parent: CorrelationMatch = { method: "trackingToken", parentActivityId: "act-quote" };
const policy = (option: TrackOption, autoTrackSentFolderItems = false) => ({ option, autoTrackSentFolderItems });

describe("the track option filter", () => {
  it.each([
    // option, facts, correlated, tracked, reason
    ["all", {}, false, true, "allEmail"],
    ["none", {}, true, false, "optionNone"],
    ["responsesToCrmEmail", {}, true, true, "responseToCrmEmail"],
    ["responsesToCrmEmail", { senderRecordTypes: ["contact"] }, false, false, "noParentFound"],
    ["fromLeadsContactsAccounts", { senderRecordTypes: ["contact"] }, false, true, "fromLeadContactAccount"],
    ["fromLeadsContactsAccounts", { senderRecordTypes: ["lead"] }, false, true, "fromLeadContactAccount"],
    ["fromLeadsContactsAccounts", { senderRecordTypes: ["user", "account"] }, false, true, "fromLeadContactAccount"],
    ["fromLeadsContactsAccounts", { senderRecordTypes: ["user"] }, true, false, "notFromLeadContactAccount"],
    ["fromLeadsContactsAccounts", { recipientRecordTypes: ["contact"] }, false, false, "notFromLeadContactAccount"],
    ["fromLeadsContactsAccounts", {}, false, false, "notFromLeadContactAccount"],
    ["fromEmailEnabledRecords", { senderRecordTypes: ["queue"] }, false, true, "fromEmailEnabledRecord"],
    ["fromEmailEnabledRecords", { senderRecordTypes: ["supplier"] }, false, true, "fromEmailEnabledRecord"],
    ["fromEmailEnabledRecords", {}, true, false, "notFromEmailEnabledRecord"],
  ] as const)("%s, %o, correlated %s → tracked %s (%s)", (option, change, correlated, tracked, reason) => {
    expect(decideTracking({ ...received, ...change }, policy(option), correlated ? parent : undefined)).toEqual({ tracked, reason });
  });

  describe.each(trackOptions)("whatever the option (%s)", (option) => {
    it.each([
      [{ sentFromCrm: true, inSentItems: true }, "sentFromCrm"],
      [{ inTrackedFolder: true }, "trackedFolder"],
      [{ trackedOnDemand: true }, "trackedOnDemand"],
      [{ trackedOnDemand: true, inSentItems: true }, "trackedOnDemand"],
    ] as const)("%o is tracked", (change, reason) => {
      expect(decideTracking({ ...received, ...change }, policy(option), undefined)).toEqual({ tracked: true, reason });
    });
  });

  describe("Sent Items", () => {
    const sent = { ...received, inSentItems: true, recipientRecordTypes: ["contact"] };
    it.each(trackOptions.filter((o) => o !== "none"))("off (the default): mail the owner sent is not tracked under %s", (option) => {
      expect(decideTracking(sent, policy(option), parent)).toEqual({ tracked: false, reason: "sentItemsNotAutoTracked" });
    });
    it.each([
      ["all", sent, undefined, true],
      ["responsesToCrmEmail", sent, parent, true],
      ["responsesToCrmEmail", sent, undefined, false],
      // For sent mail the correspondent is a recipient.
      ["fromLeadsContactsAccounts", sent, undefined, true],
      ["fromLeadsContactsAccounts", { ...sent, recipientRecordTypes: [], senderRecordTypes: ["contact"] }, undefined, false],
      ["fromEmailEnabledRecords", { ...sent, recipientRecordTypes: ["user"] }, undefined, true],
      ["none", sent, parent, false],
    ] as const)("on: %s → tracked %s", (option, facts, correlation, tracked) => {
      expect(decideTracking(facts, policy(option, true), correlation).tracked).toBe(tracked);
    });
  });

  it("couldBeTracked: whether correlation lookups can change the outcome", () => {
    expect(couldBeTracked(received, policy("responsesToCrmEmail"))).toBe(true);
    expect(couldBeTracked(received, policy("none"))).toBe(false);
    expect(couldBeTracked(received, policy("fromLeadsContactsAccounts"))).toBe(false);
    expect(couldBeTracked({ ...received, senderRecordTypes: ["account"] }, policy("fromLeadsContactsAccounts"))).toBe(true);
    expect(couldBeTracked({ ...received, inSentItems: true }, policy("all"))).toBe(false);
    expect(couldBeTracked({ ...received, inTrackedFolder: true }, policy("none"))).toBe(true);
  });

  it("an owner's own option wins over the organization default", () => {
    expect(effectiveTrackOption("responsesToCrmEmail")).toBe("responsesToCrmEmail");
    expect(effectiveTrackOption("responsesToCrmEmail", { trackOption: "all" })).toBe("all");
  });
});
