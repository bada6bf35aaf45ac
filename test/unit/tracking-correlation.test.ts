import { describe, expect, it } from "vitest";
import {
  correlate,
  defaultCorrelationSwitches,
  type CorrelationLookups,
  type CorrelationMessage,
  type CorrelationSettings,
  type ParentCandidate,
} from "../../shared/domain/tracking/correlation.js";
import { conversation, inReplyTo, parentConversationIndex, smartMatch, trackingToken } from "../../shared/domain/tracking/matchers.js";
import { defaultSmartMatchSettings, smartMatchFingerprint } from "../../shared/domain/tracking/smart-match.js";
import { defaultTrackingTokenFormat } from "../../shared/domain/tracking/token-format.js";

/** Stored activities as the engine's lookups would return them. */
interface StoredActivity extends ParentCandidate {
  trackingToken?: string;
  conversationId?: string;
  subjectHash?: string;
}

const opportunity = { type: "opportunity", id: "opp-42" };
const settings: CorrelationSettings = { switches: { ...defaultCorrelationSwitches, smartMatch: true }, trackingToken: defaultTrackingTokenFormat, smartMatching: defaultSmartMatchSettings };

const fingerprint = (subject: string, from: string, to: string[], cc: string[] = []) => smartMatchFingerprint({ subject, from, to, cc }, defaultSmartMatchSettings);

// Index: a 22-byte header, then a 5-byte block per reply.
const rootIndex = Buffer.alloc(22, 1);
const index = (...children: number[]) => Buffer.concat([rootIndex, ...children.map((c) => Buffer.alloc(5, c))]).toString("base64");

const quote: StoredActivity = {
  activityId: "act-quote", tracked: true, regarding: opportunity, at: "2025-01-01T10:00:00.000Z",
  internetMessageId: "<quote@contoso.example>", trackingToken: "CRM:0001042", conversationId: "conv-1", conversationIndex: index(),
  subjectHash: fingerprint("Your quote CRM:0001042", "seller@contoso.example", ["pat@fabrikam.example"]).subjectHash,
  addressHashes: fingerprint("", "seller@contoso.example", ["pat@fabrikam.example"]).addressHashes,
};
const followUp: StoredActivity = { ...quote, activityId: "act-follow-up", regarding: undefined, at: "2025-01-02T10:00:00.000Z", internetMessageId: "<follow-up@contoso.example>", conversationIndex: index(7), trackingToken: undefined, subjectHash: fingerprint("Following up", "seller@contoso.example", ["pat@fabrikam.example"]).subjectHash };
/** Known to storage but not tracked (untracked on demand): nobody's parent. */
const untracked: StoredActivity = { activityId: "act-private", tracked: false, at: "2025-01-03T10:00:00.000Z", internetMessageId: "<private@contoso.example>", trackingToken: "CRM:0001077", conversationId: "conv-2", subjectHash: fingerprint("Lunch?", "seller@contoso.example", ["pat@fabrikam.example"]).subjectHash, addressHashes: quote.addressHashes };
const store = [quote, followUp, untracked];

function lookups(activities: StoredActivity[] = store) {
  const calls: string[] = [];
  const api: CorrelationLookups = {
    async activitiesByInternetMessageIds(ids) {
      calls.push(`imid:${ids.join(",")}`);
      return activities.filter((a) => a.internetMessageId && ids.includes(a.internetMessageId.toLowerCase()));
    },
    async activitiesByTrackingToken(token) {
      calls.push(`token:${token}`);
      return activities.filter((a) => a.trackingToken === token);
    },
    async activitiesByConversationId(id) {
      calls.push(`conversation:${id}`);
      return activities.filter((a) => a.conversationId === id);
    },
    async activitiesBySubjectHash(hash) {
      calls.push("subjectHash");
      return activities.filter((a) => a.subjectHash === hash);
    },
  };
  return { api, calls };
}

/** A reply from Pat to the quote, with nothing that correlates unless a case adds it. */
function reply(change: Partial<CorrelationMessage> = {}): CorrelationMessage {
  return {
    activityId: "act-reply",
    internetMessageId: "<reply@fabrikam.example>",
    references: [],
    subject: "Something else",
    fingerprint: fingerprint("Something else", "pat@fabrikam.example", ["seller@contoso.example"]),
    ...change,
  };
}

describe("In-Reply-To / References", () => {
  it.each([
    ["In-Reply-To names a tracked activity", { inReplyTo: "<quote@contoso.example>" }, "act-quote"],
    ["ids compare without case or surrounding space", { inReplyTo: "  <QUOTE@contoso.example> " }, "act-quote"],
    ["References: the newest tracked ancestor", { references: ["<quote@contoso.example>", "<follow-up@contoso.example>", "<unknown@x>"] }, "act-follow-up"],
    ["In-Reply-To before References", { inReplyTo: "<quote@contoso.example>", references: ["<follow-up@contoso.example>"] }, "act-quote"],
    ["In-Reply-To unknown, References known", { inReplyTo: "<unknown@x>", references: ["<quote@contoso.example>"] }, "act-quote"],
    ["forged In-Reply-To to a message never tracked (no activity)", { inReplyTo: "<never-tracked@contoso.example>" }, undefined],
    ["forged In-Reply-To to an untracked activity", { inReplyTo: "<private@contoso.example>" }, undefined],
    ["its own id in References", { internetMessageId: "<quote@contoso.example>", references: ["<quote@contoso.example>"] }, undefined],
    ["the message's own activity (same activity id)", { activityId: "act-quote", inReplyTo: "<quote@contoso.example>" }, undefined],
    ["no headers", {}, undefined],
  ])("%s", async (_, change, parent) => {
    const match = await inReplyTo(reply(change), lookups().api);
    expect(match?.parentActivityId).toBe(parent);
    if (match) expect(match.method).toBe("inReplyTo");
  });

  it("inherits the parent's regarding", async () => {
    expect(await inReplyTo(reply({ inReplyTo: "<quote@contoso.example>" }), lookups().api)).toEqual({ method: "inReplyTo", parentActivityId: "act-quote", regarding: opportunity });
  });

  it("looks every id up in one call", async () => {
    const { api, calls } = lookups();
    await inReplyTo(reply({ inReplyTo: "<a@x>", references: ["<b@x>", "<c@x>"] }), api);
    expect(calls).toEqual(["imid:<a@x>,<c@x>,<b@x>"]);
  });
});

describe("tracking token", () => {
  it.each([
    ["in the subject of a reply", "RE: Your quote CRM:0001042", "act-quote"],
    ["through RE:/AW:/FW: prefixes", "AW: FW: RE: Your quote CRM:0001042", "act-quote"],
    ["in another case", "re: your quote crm:0001042", "act-quote"],
    ["two tokens: the last that is tracked wins", "RE: CRM:0001042 CRM:0001999", "act-quote"],
    ["a token of another deployment (base number 10)", "RE: Your quote CRM:10001042", undefined],
    ["a token of another deployment (other prefix)", "RE: Your quote TKT:0001042", undefined],
    ["a token of an untracked activity", "RE: Lunch CRM:0001077", undefined],
    ["a token no activity has", "RE: Your quote CRM:0001043", undefined],
    ["no token", "RE: Your quote", undefined],
  ])("%s", async (_, subject, parent) => {
    const match = await trackingToken(reply({ subject }), lookups().api, settings);
    expect(match?.parentActivityId).toBe(parent);
    if (match) expect(match).toMatchObject({ method: "trackingToken" });
  });

  it("a token in the body only does not match: only the subject is read", async () => {
    // The message facts carry the subject, not the body: a body that quotes the token changes nothing.
    const message = { ...reply({ subject: "RE: Your quote" }), body: "> Your quote CRM:0001042" } as CorrelationMessage;
    const { api, calls } = lookups();
    expect(await correlate(message, api, settings)).toBeUndefined();
    expect(calls.filter((c) => c.startsWith("token:"))).toEqual([]);
  });
});

describe("conversation", () => {
  it.each([
    ["the same conversation: the latest tracked activity", { conversationId: "conv-1" }, "act-follow-up"],
    ["conversationIndex: the direct parent", { conversationId: "conv-1", conversationIndex: index(2) }, "act-quote"],
    ["conversationIndex: the nearest tracked ancestor", { conversationId: "conv-1", conversationIndex: index(7, 3) }, "act-follow-up"],
    ["a malformed conversationIndex is ignored", { conversationId: "conv-1", conversationIndex: "not base64!" }, "act-follow-up"],
    ["a conversation with only an untracked activity", { conversationId: "conv-2" }, undefined],
    ["a conversation nobody tracked", { conversationId: "conv-9" }, undefined],
    ["no conversation id", {}, undefined],
  ])("%s", async (_, change, parent) => {
    const match = await conversation(reply(change), lookups().api);
    expect(match?.parentActivityId).toBe(parent);
  });

  it.each([
    [index(), undefined],
    [index(4), index()],
    [index(4, 5), index(4)],
    [Buffer.alloc(25).toString("base64"), undefined],
    [undefined, undefined],
  ])("parent of conversationIndex %s is %s", (child, parent) => {
    expect(parentConversationIndex(child)).toBe(parent);
  });
});

describe("smart matching", () => {
  it.each([
    ["same subject after RE:, same two addresses", "RE: Your quote CRM:0001042", "pat@fabrikam.example", ["seller@contoso.example"], "act-quote"],
    ["AW:/FW:/Fwd: prefixes and case", "AW: fw: Fwd:  YOUR   quote crm:0001042", "pat@fabrikam.example", ["seller@contoso.example"], "act-quote"],
    ["a subject that only looks alike", "RE: Your quotes CRM:0001042", "pat@fabrikam.example", ["seller@contoso.example"], undefined],
    ["same subject, one address in common", "RE: Your quote CRM:0001042", "pat@fabrikam.example", ["someone@contoso.example"], undefined],
    ["same subject as an untracked activity", "RE: Lunch?", "pat@fabrikam.example", ["seller@contoso.example"], undefined],
    ["an empty subject after the filter", "RE:", "pat@fabrikam.example", ["seller@contoso.example"], undefined],
  ])("%s", async (_, subject, from, to, parent) => {
    const match = await smartMatch(reply({ subject, fingerprint: fingerprint(subject, from, to) }), lookups().api, settings);
    expect(match?.parentActivityId).toBe(parent);
  });

  it("hashMinAddressCount is the number of addresses that must be shared", async () => {
    const message = reply({ fingerprint: fingerprint("RE: Your quote CRM:0001042", "pat@fabrikam.example", ["someone@contoso.example"]) });
    const one = { ...settings, smartMatching: { ...defaultSmartMatchSettings, hashMinAddressCount: 1 } };
    expect((await smartMatch(message, lookups().api, one))?.parentActivityId).toBe("act-quote");
  });
});

describe("the chain", () => {
  const everything = reply({
    inReplyTo: "<quote@contoso.example>",
    subject: "RE: Your quote CRM:0001042",
    conversationId: "conv-1",
    fingerprint: fingerprint("RE: Your quote CRM:0001042", "pat@fabrikam.example", ["seller@contoso.example"]),
  });

  it.each([
    ["In-Reply-To first", {}, "inReplyTo", ["imid"]],
    ["then the token", { inReplyTo: "<unknown@x>" }, "trackingToken", ["imid", "token"]],
    ["then the conversation", { inReplyTo: undefined, subject: "RE: Your quote" }, "conversation", ["conversation"]],
    ["then smart matching", { inReplyTo: undefined, subject: "RE: Your quote", conversationId: undefined, fingerprint: fingerprint("RE: Your quote CRM:0001042", "pat@fabrikam.example", ["seller@contoso.example"]) }, "smartMatch", ["subjectHash"]],
    ["nothing matches", { inReplyTo: undefined, subject: "Hello", conversationId: "conv-9", fingerprint: fingerprint("Hello", "pat@fabrikam.example", ["seller@contoso.example"]) }, undefined, ["conversation", "subjectHash"]],
  ])("%s", async (_, change, method, called) => {
    const { api, calls } = lookups();
    const match = await correlate({ ...everything, ...change }, api, settings);
    expect(match?.method).toBe(method);
    expect(calls.map((c) => c.split(":")[0])).toEqual(called);
  });

  it.each([
    [{ inReplyTo: false }, "trackingToken"],
    [{ inReplyTo: false, trackingToken: false }, "conversation"],
    [{ inReplyTo: false, trackingToken: false, conversation: false }, "smartMatch"],
    [{ inReplyTo: false, trackingToken: false, conversation: false, smartMatch: false }, undefined],
  ])("switched off %o: the next method matches, and the switched-off ones are not asked", async (off, method) => {
    const { api, calls } = lookups();
    const match = await correlate(everything, api, { ...settings, switches: { ...settings.switches, ...off } });
    expect(match?.method).toBe(method);
    const asked = new Set(calls.map((c) => c.split(":")[0]));
    if (off.inReplyTo === false) expect(asked.has("imid")).toBe(false);
    if ("trackingToken" in off) expect(asked.has("token")).toBe(false);
    if ("conversation" in off) expect(asked.has("conversation")).toBe(false);
  });

  it("smart matching is off by default", async () => {
    const { api, calls } = lookups();
    const message = reply({ subject: "RE: Your quote", fingerprint: fingerprint("RE: Your quote CRM:0001042", "pat@fabrikam.example", ["seller@contoso.example"]) });
    expect(await correlate(message, api, { ...settings, switches: defaultCorrelationSwitches })).toBeUndefined();
    expect(calls).not.toContain("subjectHash");
  });
});
