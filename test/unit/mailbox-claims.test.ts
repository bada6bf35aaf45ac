import { describe, expect, it } from "vitest";
import { addressClaim, claimField, claimKey, claimsOf, conflictMessage, holderText, mayTakeOver, ownerClaim, ownershipCheckDue, ownershipCheckEveryMs, ownershipVerdict, sameClaim } from "../../shared/domain/mailbox-claims.js";

describe("mailbox claims", () => {
  it.each([
    ["addresses compare case-insensitively and untrimmed", addressClaim(" Ann@Contoso.example "), addressClaim("ann@contoso.example"), true],
    ["two addresses differ", addressClaim("ann@contoso.example"), addressClaim("bob@contoso.example"), false],
    ["the same user", ownerClaim({ ownerType: "user", ownerId: "u1" }), ownerClaim({ ownerType: "user", ownerId: "u1" }), true],
    ["a user and a queue with one id are different owners", ownerClaim({ ownerType: "user", ownerId: "u1" }), ownerClaim({ ownerType: "queue", ownerId: "u1" }), false],
    ["owner ids are case-sensitive (CRM ids as given)", ownerClaim({ ownerType: "user", ownerId: "U1" }), ownerClaim({ ownerType: "user", ownerId: "u1" }), false],
  ])("%s", (_name, a, b, same) => {
    expect(sameClaim(a, b)).toBe(same);
    expect(claimKey(a) === claimKey(b)).toBe(same);
  });

  it.each([
    [addressClaim("a@b.example"), false, false, "emailAddress"],
    [addressClaim("a@b.example"), true, true, "emailAddress"],
    [ownerClaim({ ownerType: "user", ownerId: "u1" }), false, false, "ownerId"],
    [ownerClaim({ ownerType: "queue", ownerId: "q1" }), true, false, "ownerId"],
  ])("%o with force=%s: taken over %s, field %s", (claim, force, takeOver, field) => {
    expect(mayTakeOver(claim, force)).toBe(takeOver);
    expect(claimField(claim)).toBe(field);
  });

  it("a record claims its owner before its address (the owner is never taken over, so it fails first)", () => {
    expect(claimsOf({ emailAddress: "a@b.example", ownerType: "user", ownerId: "u1" }).map((c) => c.kind)).toEqual(["owner", "address"]);
    expect(claimsOf({ emailAddress: "a@b.example", ownerType: "user", ownerId: "" }).map((c) => c.kind)).toEqual(["address"]);
  });

  it("says who holds a claim in ids, and what to do", () => {
    expect(holderText({ id: "m1", ownerType: "queue", ownerId: "q9" })).toBe("mailbox 'm1' (queue 'q9')");
    expect(holderText({ id: "m1" })).toBe("mailbox 'm1'");
    expect(conflictMessage(addressClaim("a@b.example"), "mailbox 'm1'", false)).toMatch(/"force": true/);
    expect(conflictMessage(ownerClaim({ ownerType: "user", ownerId: "u1" }), "mailbox 'm1'", true)).toMatch(/One user has one mailbox record/);
  });
});

describe("the ownership stamp", () => {
  it.each([
    [undefined, "ours-prod", "unclaimed"],
    ["", "ours-prod", "unclaimed"],
    ["ours-prod", "ours-prod", "ours"],
    ["fabrikam-prod", "ours-prod", "another"],
  ] as const)("stamp %s seen by %s → %s", (stamp, deploymentId, verdict) => {
    expect(ownershipVerdict(stamp, deploymentId)).toBe(verdict);
  });

  const now = Date.parse("2026-03-01T12:00:00Z");
  it.each([
    ["never checked", undefined, true],
    ["checked just now", "2026-03-01T12:00:00Z", false],
    ["checked a moment less than the interval ago", new Date(now - ownershipCheckEveryMs + 1000).toISOString(), false],
    ["checked the interval ago", new Date(now - ownershipCheckEveryMs).toISOString(), true],
    ["an unreadable time", "yesterday", true],
    ["a time in the future (a clock that went back)", "2026-03-01T13:00:00Z", true],
  ])("%s → due %s", (_name, checkedAt, due) => {
    expect(ownershipCheckDue(checkedAt, now)).toBe(due);
  });
});
