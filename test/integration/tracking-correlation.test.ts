/**
 * Correlation through real mail (DESIGN.md §8): CRM email sent by the outgoing workload, replies
 * and look-alikes delivered to the seller's mailbox in the simulator, the seller's incoming cycle
 * against Azurite. The seller keeps the default track option (responsesToCrmEmail): a message is
 * tracked exactly when an enabled method finds a parent, so each near miss is a message that stays
 * out of the CRM.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultCorrelationSwitches, type CorrelationMethod, type CorrelationSwitches } from "../../shared/domain/tracking/correlation.js";
import type { DeliverMessageInput } from "../tools/exchange-simulator/index.js";
import { startApiServer, type ApiServer } from "../support/api-server.js";
import { startSyncHarness, type HarnessMailbox, type SyncHarness } from "../support/sync-harness.js";
import { activityOf, messageId, sendCrmEmail, setTracking, type SentCrmEmail } from "../support/tracking-fixtures.js";

let h: SyncHarness;
let api: ApiServer;
let seller: HarnessMailbox;
let quote: SentCrmEmail;
/** Mail the seller received and nobody tracked. */
let untracked: { internetMessageId: string };

const customer = { name: "Pat Customer", address: "pat@fabrikam.example" };
const opportunity = { type: "opportunity", id: "opp-pumps" };

beforeAll(async () => {
  h = await startSyncHarness();
  api = await startApiServer(h.runtime);
  seller = await h.addMailbox("seller", { outgoing: true });
  // Subject hashes are kept for mail tracked while smart matching is on.
  await setTracking(h, { correlation: { ...defaultCorrelationSwitches, smartMatch: true } });
  quote = await sendCrmEmail(h, api, seller, { to: [customer], subject: "Quote for pumps", regarding: opportunity });
  untracked = h.sim.deliverMessage({ mailbox: seller.address, subject: "Lunch on Friday?", from: { address: "friend@example.org" }, to: [{ address: seller.address }] });
  await h.runIncoming(seller.id);
  expect(await activityOf(h, untracked.internetMessageId)).toBeUndefined();
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

const only = (method: CorrelationMethod): CorrelationSwitches => ({ inReplyTo: false, trackingToken: false, conversation: false, smartMatch: false, [method]: true });
const noSwitches: CorrelationSwitches = { inReplyTo: false, trackingToken: false, conversation: false, smartMatch: false };

type Expected = { method: CorrelationMethod } | "untracked";

interface Row {
  name: string;
  switches?: CorrelationSwitches;
  message: () => Omit<DeliverMessageInput, "mailbox" | "internetMessageId">;
  expected: Expected;
}

const fromCustomer = { from: customer, to: [{ address: "seller@contoso.example" }] };

const rows: Row[] = [
  // 1. In-Reply-To / References
  { name: "a reply to the CRM email (In-Reply-To; its token is in the subject too: In-Reply-To runs first)", message: () => ({ ...fromCustomer, subject: `RE: ${quote.subject}`, inReplyTo: quote.internetMessageId }), expected: { method: "inReplyTo" } },
  {
    name: "References naming the CRM email, no In-Reply-To, another conversation",
    message: () => ({ ...fromCustomer, subject: "Pumps, again", headers: [{ name: "References", value: `<older@fabrikam.example> ${quote.internetMessageId}` }] }),
    expected: { method: "inReplyTo" },
  },
  { name: "near miss: a forged In-Reply-To naming mail nobody tracked", message: () => ({ ...fromCustomer, subject: "RE: Lunch on Friday?", inReplyTo: untracked.internetMessageId }), expected: "untracked" },
  { name: "near miss: In-Reply-To naming a message never seen", message: () => ({ ...fromCustomer, subject: "RE: something", inReplyTo: "<never-seen@fabrikam.example>" }), expected: "untracked" },
  // 2. Tracking token
  { name: "the token in the subject of a new conversation", message: () => ({ ...fromCustomer, subject: `Fwd: about ${quote.trackingToken} – can we talk?` }), expected: { method: "trackingToken" } },
  { name: "near miss: a token of another deployment (another base number)", message: () => ({ ...fromCustomer, subject: `About CRM:7${quote.trackingToken.slice(5)}` }), expected: "untracked" },
  { name: "near miss: another prefix ending in this one (XCRM:)", message: () => ({ ...fromCustomer, subject: `About X${quote.trackingToken}` }), expected: "untracked" },
  { name: "near miss: the token in the body only", message: () => ({ ...fromCustomer, subject: "A question", body: { contentType: "text", content: `Regarding ${quote.trackingToken}` } }), expected: "untracked" },
  // 3. Conversation
  { name: "the CRM email's conversation, without threading headers or token", message: () => ({ ...fromCustomer, subject: "Delivery dates", conversationId: quote.conversationId }), expected: { method: "conversation" } },
  { name: "near miss: another conversation", message: () => ({ ...fromCustomer, subject: "Delivery dates", conversationId: "AAQkAnotherConversation=" }), expected: "untracked" },
  // 4. Smart matching (on here; off by default)
  {
    name: "RE:/AW:/FW: prefixes and two shared addresses (smart matching on)",
    switches: only("smartMatch"),
    message: () => ({ ...fromCustomer, subject: `RE: AW: FW: ${quote.subject}` }),
    expected: { method: "smartMatch" },
  },
  { name: "near miss: a subject that only looks alike", switches: only("smartMatch"), message: () => ({ ...fromCustomer, subject: `RE: ${quote.subject.replace("pumps", "pump")}` }), expected: "untracked" },
  {
    name: "near miss: the same subject with one shared address (two needed)",
    switches: only("smartMatch"),
    message: () => ({ from: customer, to: [{ address: "someone@fabrikam.example" }], subject: `RE: ${quote.subject}` }),
    expected: "untracked",
  },
  { name: "smart matching off (the default): the same look-alike is not tracked", switches: { ...defaultCorrelationSwitches, trackingToken: false }, message: () => ({ ...fromCustomer, subject: `RE: AW: FW: ${quote.subject}` }), expected: "untracked" },
  // Switches
  { name: "In-Reply-To off: the reply still correlates by its conversation", switches: { ...defaultCorrelationSwitches, inReplyTo: false, trackingToken: false }, message: () => ({ ...fromCustomer, subject: "RE: pumps", inReplyTo: quote.internetMessageId }), expected: { method: "conversation" } },
  { name: "every method off: a reply is not tracked", switches: noSwitches, message: () => ({ ...fromCustomer, subject: `RE: ${quote.subject}`, inReplyTo: quote.internetMessageId }), expected: "untracked" },
];

describe("correlation, each method's hits and near misses", () => {
  it.each(rows)("$name", async (row) => {
    await setTracking(h, { correlation: row.switches ?? defaultCorrelationSwitches });
    const internetMessageId = messageId("row");
    h.sim.deliverMessage({ mailbox: seller.address, internetMessageId, ...row.message() });
    const report = await h.runIncoming(seller.id);
    expect(report.outcome).toBe("completed");
    const activity = await activityOf(h, internetMessageId);
    if (row.expected === "untracked") {
      expect(activity).toBeUndefined();
      expect(report.counts).toMatchObject({ untracked: 1 });
      return;
    }
    expect(activity).toMatchObject({
      trackedReason: "responseToCrmEmail",
      correlation: { method: row.expected.method, parentActivityId: quote.id },
      // The parent's regarding is inherited.
      regarding: opportunity,
      direction: "Incoming",
    });
  });
});

describe("correlation in a thread", () => {
  it("the conversationIndex picks the nearest tracked ancestor, not the latest message of the conversation", async () => {
    await setTracking(h, { correlation: defaultCorrelationSwitches });
    const first = messageId("first-reply");
    const other = messageId("other-reply");
    // Two replies to the CRM email (tracked by In-Reply-To), the second one later.
    h.sim.deliverMessage({ mailbox: seller.address, internetMessageId: first, ...fromCustomer, subject: "RE: pumps", inReplyTo: quote.internetMessageId, receivedDateTime: "2026-11-10T09:00:00Z" });
    h.sim.deliverMessage({ mailbox: seller.address, internetMessageId: other, ...fromCustomer, subject: "RE: pumps", inReplyTo: quote.internetMessageId, receivedDateTime: "2026-11-10T10:00:00Z" });
    await h.runIncoming(seller.id);
    const firstActivity = await activityOf(h, first);
    expect(firstActivity?.correlation).toEqual({ method: "inReplyTo", parentActivityId: quote.id });
    // A reply to the first, whose In-Reply-To is not looked at: only its conversationIndex says which.
    await setTracking(h, { correlation: { ...defaultCorrelationSwitches, inReplyTo: false, trackingToken: false } });
    const nested = messageId("nested");
    h.sim.deliverMessage({ mailbox: seller.address, internetMessageId: nested, ...fromCustomer, subject: "RE: RE: pumps", inReplyTo: first, receivedDateTime: "2026-11-10T11:00:00Z" });
    await h.runIncoming(seller.id);
    expect((await activityOf(h, nested))?.correlation).toEqual({ method: "conversation", parentActivityId: firstActivity!.id });
  });

  it("a reply to an earlier untracked message leaves the earlier one untracked", async () => {
    await setTracking(h, { correlation: defaultCorrelationSwitches });
    const earlier = messageId("earlier");
    h.sim.deliverMessage({ mailbox: seller.address, internetMessageId: earlier, ...fromCustomer, subject: "Catalogue request" });
    await h.runIncoming(seller.id);
    // The reply quotes the CRM email's token, so it is tracked; the message it answers is not.
    const reply = messageId("reply");
    h.sim.deliverMessage({ mailbox: seller.address, internetMessageId: reply, ...fromCustomer, subject: `RE: Catalogue request ${quote.trackingToken}`, inReplyTo: earlier });
    await h.runIncoming(seller.id);
    expect((await activityOf(h, reply))?.correlation).toEqual({ method: "trackingToken", parentActivityId: quote.id });
    expect(await activityOf(h, earlier)).toBeUndefined();
  });
});
