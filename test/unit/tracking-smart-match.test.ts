import { describe, expect, it } from "vitest";
import {
  defaultSmartMatchSettings,
  fingerprintsMatch,
  normalizedSubject,
  smartMatchFingerprint,
  smartMatchProblems,
  type SmartMatchSettings,
} from "../../shared/domain/tracking/smart-match.js";

const settings = (change: Partial<SmartMatchSettings> = {}): SmartMatchSettings => ({ ...defaultSmartMatchSettings, ...change });

describe("HashFilterKeywords (default): reply and forward prefixes are filtered out", () => {
  it.each([
    ["RE: Your quote", "your quote"],
    ["AW: Your quote", "your quote"],
    ["FW: RE: AW:  Your quote", "your quote"],
    ["Fwd:Re: Your quote", "your quote"],
    ["  RE : Your quote", "your quote"],
    ["SV: VS: Your   quote ", "your quote"],
    ["Your quote: the details", "your quote: the details"],
    ["Your quote", "your quote"],
    ["RE:", ""],
    ["", ""],
  ])("%j → %j", (subject, normalized) => {
    expect(normalizedSubject(subject, defaultSmartMatchSettings)).toBe(normalized);
  });

  it("an admin's own filter is applied everywhere it matches", () => {
    expect(normalizedSubject("[EXT] Your [EXT] quote", { hashFilterKeywords: "\\[EXT\\]" })).toBe("your quote");
  });
});

describe("fingerprints", () => {
  const quote = smartMatchFingerprint({ subject: "Your quote", from: "seller@contoso.example", to: ["pat@fabrikam.example"], cc: ["boss@fabrikam.example"] }, defaultSmartMatchSettings);

  it.each([
    ["a reply with the same parties", { subject: "RE: Your quote", from: "PAT@fabrikam.example", to: ["seller@contoso.example"], cc: [] }, true],
    ["a forward to one of them", { subject: "FW: Your quote", from: "boss@fabrikam.example", to: ["pat@fabrikam.example"], cc: [] }, true],
    ["a subject that only looks alike", { subject: "RE: Your quote.", from: "pat@fabrikam.example", to: ["seller@contoso.example"], cc: [] }, false],
    ["the same subject between other people", { subject: "RE: Your quote", from: "pat@fabrikam.example", to: ["someone@else.example"], cc: [] }, false],
  ])("%s: %s", (_, message, matches) => {
    expect(fingerprintsMatch(smartMatchFingerprint(message, defaultSmartMatchSettings), quote, defaultSmartMatchSettings)).toBe(matches);
  });

  it("addresses are hashed once each, at most hashMaxCount, and no address is stored in clear", () => {
    const many = Array.from({ length: 30 }, (_, i) => `person${i}@fabrikam.example`);
    const fp = smartMatchFingerprint({ subject: "Hi", from: "a@x.example", to: ["A@x.example", ...many], cc: [] }, settings({ hashMaxCount: 20 }));
    expect(fp.addressHashes).toHaveLength(20);
    expect(new Set(fp.addressHashes).size).toBe(20);
    expect(JSON.stringify(fp)).not.toMatch(/example|hi/i);
  });

  it("an empty subject has no subject hash and matches nothing", () => {
    const a = smartMatchFingerprint({ subject: "RE:", from: "a@x.example", to: ["b@x.example"], cc: [] }, defaultSmartMatchSettings);
    expect(a.subjectHash).toBeUndefined();
    expect(fingerprintsMatch(a, a, defaultSmartMatchSettings)).toBe(false);
  });
});

describe("smart matching settings are validated", () => {
  it("the defaults are valid", () => {
    expect(smartMatchProblems(defaultSmartMatchSettings)).toEqual([]);
  });

  it.each([
    ["an unbalanced pattern", { hashFilterKeywords: "(RE:" }, "hashFilterKeywords", /RE2 accepts.*missing \)/],
    ["a backreference", { hashFilterKeywords: "(\\w+)\\1" }, "hashFilterKeywords", /no backreferences/],
    ["lookaround", { hashFilterKeywords: "(?<=x)RE:" }, "hashFilterKeywords", /no backreferences or lookaround/],
    ["an empty pattern", { hashFilterKeywords: "" }, "hashFilterKeywords", /1-256 characters/],
    ["a pattern over 256 characters", { hashFilterKeywords: "a".repeat(257) }, "hashFilterKeywords", /1-256 characters/],
    ["hashMaxCount 0", { hashMaxCount: 0 }, "hashMaxCount", /1 to 100/],
    ["hashMinAddressCount 0", { hashMinAddressCount: 0 }, "hashMinAddressCount", /1 to 100/],
    ["hashMinAddressCount over hashMaxCount", { hashMaxCount: 2, hashMinAddressCount: 3 }, "hashMinAddressCount", /must not exceed hashMaxCount/],
    ["hashDeltaSubjectCount 1", { hashDeltaSubjectCount: 1 }, "hashDeltaSubjectCount", /must be 0/],
  ])("%s is refused", (_, change, field, message) => {
    const problems = smartMatchProblems(settings(change));
    expect(problems.map((p) => p.field)).toEqual([field]);
    expect(problems[0]!.message).toMatch(message);
  });

  it("a catastrophic-backtracking pattern is accepted but runs in linear time (RE2)", () => {
    const evil = settings({ hashFilterKeywords: "^(a+)+$" });
    expect(smartMatchProblems(evil)).toEqual([]);
    const started = performance.now();
    normalizedSubject(`${"a".repeat(100_000)}!`, evil);
    // A backtracking engine takes longer than the age of the universe on this input.
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
