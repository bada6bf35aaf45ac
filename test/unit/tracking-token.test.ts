import { describe, expect, it } from "vitest";
import {
  defaultTrackingTokenFormat,
  findTrackingTokens,
  generateTrackingToken,
  subjectWithToken,
  trackingTokenFormatProblems,
  type TrackingTokenFormat,
} from "../../shared/domain/tracking/token-format.js";
import { readStoredTokenFormat } from "../../shared/domain/tracking/tracking-settings.js";

const format = (change: Partial<TrackingTokenFormat> = {}): TrackingTokenFormat => ({ ...defaultTrackingTokenFormat, ...change });

describe("tracking token: generation", () => {
  it.each([
    [format(), 1, 42, "CRM:0001042"],
    [format(), 0, 0, "CRM:0000000"],
    [format(), 999, 999, "CRM:0999999"],
    // Counter and user number wrap to their digits: 999 → 000.
    [format(), 1, 1000, "CRM:0001000"],
    [format(), 1, 1001, "CRM:0001001"],
    [format(), 1000, 5, "CRM:0000005"],
    [format({ baseNumber: 7 }), 12, 3, "CRM:7012003"],
    [format({ baseNumber: 2_147_483_647, userNumberDigits: 10, counterDigits: 9 }), 42, 7, "CRM:21474836470000000042000000007"],
    [format({ prefix: "[Case#", userNumberDigits: 1, counterDigits: 1 }), 3, 4, "[Case#034"],
  ])("%o, user %i, counter %i → %s", (f, user, counter, token) => {
    expect(generateTrackingToken(f, user, counter)).toBe(token);
  });

  it("the default token reads as the prefix followed by seven digits", () => {
    expect(generateTrackingToken(defaultTrackingTokenFormat, 5, 17)).toMatch(/^CRM:\d{7}$/);
  });
});

describe("tracking token: found in a subject", () => {
  const f = format();
  it.each([
    ["after the subject, as sent", "Your quote CRM:0001042", ["CRM:0001042"]],
    ["in a reply", "RE: Your quote CRM:0001042", ["CRM:0001042"]],
    ["through AW:/FW: and brackets", "AW: FW: [EXT] Your quote (CRM:0001042)", ["CRM:0001042"]],
    ["at the start", "CRM:0001042 Your quote", ["CRM:0001042"]],
    ["in upper or lower case, as some clients rewrite subjects", "re: your quote crm:0001042", ["CRM:0001042"]],
    ["several, in order, each once", "CRM:0001042 re CRM:0002001 CRM:0001042", ["CRM:0001042", "CRM:0002001"]],
    ["another deployment's base number (10: eight digits)", "Quote CRM:10001042", []],
    ["another deployment's base number (same length)", "Quote CRM:5001042", []],
    ["another deployment's prefix", "Quote TKT:0001042", []],
    ["a prefix that only ends like ours", "Quote XCRM:0001042", []],
    ["too few digits", "Quote CRM:000104", []],
    ["a longer number", "Quote CRM:00010421", []],
    ["a space inside", "Quote CRM: 0001042", []],
    ["no subject", undefined, []],
  ])("%s", (_, subject, tokens) => {
    expect(findTrackingTokens(f, subject).map((t) => t.token)).toEqual(tokens);
  });

  it("reports the user number and counter", () => {
    expect(findTrackingTokens(format({ baseNumber: 3 }), "RE: x CRM:3017250")).toEqual([{ token: "CRM:3017250", userNumber: 17, counter: 250 }]);
  });

  it("a format that cannot round-trip finds nothing", () => {
    expect(findTrackingTokens(format({ prefix: "CRM1" }), "CRM10001042")).toEqual([]);
  });
});

describe("tracking token: round trip over the settings space", () => {
  const prefixes = ["CRM:", "#", "Case-", "[Ref:", "T_", "x.", "AB(", "crm:", "a1b:", "!!!!!!!!!!!!!!!!!!!:"];
  const bases = [0, 1, 9, 10, 99, 100, 12_345, 2_147_483_647];
  const digits = [1, 2, 3, 5, 9];
  const subjects = (token: string) => [subjectWithToken("Your quote", token), `RE: ${subjectWithToken("Your quote", token)}`, subjectWithToken("", token), `AW: Fwd: ${token}, thanks`];

  it("every valid format finds its own token, with the same user number and counter (wrapped)", () => {
    let checked = 0;
    const failures: string[] = [];
    for (const prefix of prefixes) {
      for (const baseNumber of bases) {
        for (const userNumberDigits of [...digits, 10]) {
          for (const counterDigits of digits) {
            const f: TrackingTokenFormat = { prefix, baseNumber, userNumberDigits, counterDigits };
            expect(trackingTokenFormatProblems(f), JSON.stringify(f)).toEqual([]);
            for (const [user, counter] of [[0, 0], [1, 1], [7, 10 ** counterDigits - 1], [10 ** userNumberDigits + 3, 10 ** counterDigits + 2]] as const) {
              const token = generateTrackingToken(f, user, counter);
              for (const subject of subjects(token)) {
                const found = findTrackingTokens(f, subject);
                const ok = found.length === 1 && found[0]!.token === token && found[0]!.userNumber === user % 10 ** userNumberDigits && found[0]!.counter === counter % 10 ** counterDigits;
                if (!ok) failures.push(`${JSON.stringify(f)} in "${subject}": ${JSON.stringify(found)}`);
                checked++;
              }
            }
          }
        }
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(checked).toBe(prefixes.length * bases.length * 6 * 5 * 4 * 4);
  });

  it("every printable ASCII character works in a prefix", () => {
    const failures: string[] = [];
    for (let code = 0x21; code <= 0x7e; code++) {
      const char = String.fromCharCode(code);
      for (const prefix of [`${char}:`, `X${char}`, `${char}${char}Y`]) {
        if (/\d$/.test(prefix)) continue;
        const f = format({ prefix });
        const token = generateTrackingToken(f, 12, 345);
        const found = findTrackingTokens(f, `RE: Quote ${token}`);
        if (found.length !== 1 || found[0]!.token !== token) failures.push(`${prefix}: ${JSON.stringify(found)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("no token of another deployment (other base number or prefix, same digits) is found", () => {
    const samples = [format(), format({ baseNumber: 1 }), format({ baseNumber: 10 }), format({ baseNumber: 100 }), format({ baseNumber: 11 }), format({ prefix: "TKT:" }), format({ prefix: "XCRM:" }), format({ prefix: "RM:" })];
    for (const ours of samples) {
      for (const theirs of samples) {
        if (theirs === ours) continue;
        for (const [user, counter] of [[0, 0], [1, 42], [999, 999], [10, 100]] as const) {
          const token = generateTrackingToken(theirs, user, counter);
          expect(findTrackingTokens(ours, `RE: Quote ${token}`), `${JSON.stringify(theirs)}'s ${token} under ${JSON.stringify(ours)}`).toEqual([]);
        }
      }
    }
  });
});

describe("tracking token: settings that cannot round-trip are refused", () => {
  it.each([
    [{ prefix: "" }, "prefix", /1-20 characters/],
    [{ prefix: "A".repeat(21) }, "prefix", /1-20 characters/],
    [{ prefix: "CRM1" }, "prefix", /must not end in a digit/],
    [{ prefix: "0" }, "prefix", /must not end in a digit/],
    [{ prefix: "CRM: " }, "prefix", /without spaces/],
    [{ prefix: "C RM:" }, "prefix", /without spaces/],
    [{ prefix: "CRM:\t" }, "prefix", /without spaces/],
    [{ prefix: "KÜ:" }, "prefix", /printable ASCII/],
    [{ prefix: "CRM\u0000:" }, "prefix", /printable ASCII/],
    [{ baseNumber: -1 }, "baseNumber", /0 to 2147483647/],
    [{ baseNumber: 2_147_483_648 }, "baseNumber", /0 to 2147483647/],
    [{ baseNumber: 1.5 }, "baseNumber", /whole number/],
    [{ userNumberDigits: 0 }, "userNumberDigits", /1 to 10/],
    [{ userNumberDigits: 11 }, "userNumberDigits", /1 to 10/],
    [{ counterDigits: 0 }, "counterDigits", /1 to 9/],
    [{ counterDigits: 10 }, "counterDigits", /1 to 9/],
  ] as const)("%o → %s", (change, field, message) => {
    const problems = trackingTokenFormatProblems(format(change as Partial<TrackingTokenFormat>));
    expect(problems.map((p) => p.field)).toEqual([field]);
    expect(problems[0]!.message).toMatch(message);
  });

  it("the extremes of the documented ranges are accepted", () => {
    for (const change of [{ prefix: "C" }, { prefix: "A".repeat(20) }, { baseNumber: 0 }, { baseNumber: 2_147_483_647 }, { userNumberDigits: 1 }, { userNumberDigits: 10 }, { counterDigits: 1 }, { counterDigits: 9 }]) {
      expect(trackingTokenFormatProblems(format(change)), JSON.stringify(change)).toEqual([]);
    }
  });
});

describe("tracking token: stored settings in the old shape", () => {
  it.each([
    ["the old default", { prefix: "CRM:", counterDigits: 7 }, format()],
    ["an old custom prefix", { prefix: "TKT#", counterDigits: 5 }, format({ prefix: "TKT#" })],
    ["an old prefix ending in a digit", { prefix: "CRM1", counterDigits: 7 }, format()],
    ["the new shape", { prefix: "Q:", baseNumber: 4, userNumberDigits: 2, counterDigits: 4 }, { prefix: "Q:", baseNumber: 4, userNumberDigits: 2, counterDigits: 4 }],
    ["a new shape out of range", { prefix: "Q:", baseNumber: -4, userNumberDigits: 2, counterDigits: 4 }, format()],
    ["nothing", undefined, format()],
    ["garbage", "CRM:", format()],
  ])("%s", (_, stored, expected) => {
    expect(readStoredTokenFormat(stored)).toEqual(expected);
  });

  it("tokens sent under the old default are still found under the default format", () => {
    // Old tokens: `CRM:` + a global counter padded to seven digits.
    for (const counter of [1, 42, 999, 1000, 123_456, 999_999]) {
      const old = `CRM:${String(counter).padStart(7, "0")}`;
      expect(findTrackingTokens(readStoredTokenFormat({ prefix: "CRM:", counterDigits: 7 }), `RE: Quote ${old}`).map((t) => t.token)).toEqual([old]);
    }
  });
});
