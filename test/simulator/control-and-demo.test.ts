import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectExchangeSimulator, startExchangeSimulator, type ExchangeSimulator } from "../tools/exchange-simulator/index.js";
import { seedDemoTenant, startMailFlow } from "../tools/exchange-simulator/demo.js";
import { acquireToken, msalApp } from "./simulator-fixture.js";

let sim: ExchangeSimulator;
beforeAll(async () => {
  sim = await startExchangeSimulator();
});
afterAll(() => sim.close());

/** A small deterministic PRNG so the mail flow test is reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

describe("HTTP control API", () => {
  it("drives the simulator over /_sim like the in-process methods", async () => {
    const remote = connectExchangeSimulator(sim.url);
    const tenantId = await remote.addTenant();
    const { clientId, clientSecret } = await remote.addApp(tenantId, { roles: ["Mail.Read"] });
    expect(clientSecret).toEqual(expect.any(String));
    const mailbox = await remote.addMailbox({ tenantId, address: "remote@contoso.example" });
    const delivered = await remote.deliverMessage({ mailbox: mailbox.address, subject: "over http", from: { address: "a@fabrikam.example" } });
    const listed = await remote.listMessages(mailbox.id, "inbox");
    expect(listed.map((m) => [m.id, m.subject])).toEqual([[delivered.id, "over http"]]);
    await expect(remote.deliverMessage({ mailbox: "nobody@x.example", subject: "x", from: { address: "a@b.example" } })).rejects.toThrow(
      /Unknown mailbox/,
    );

    const token = await acquireToken(msalApp(sim, tenantId, clientId, { clientSecret: clientSecret! }), sim);
    expect(token).toBeTruthy();

    // The outgoing-mail and probe controls work remotely too.
    await remote.setSendingLimits({ messagesPerMinute: 10 });
    await remote.setSaveToSentItems(mailbox.address, false);
    expect(await remote.addContactFolder(mailbox.id, "Customers")).toEqual({ id: expect.any(String) });
    expect(await remote.sentLog(mailbox.address)).toEqual([]);
    expect((await remote.stats()).inFlightByApp).toEqual({});
    const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as any;
    expect(stats.result.tokensIssued).toBeGreaterThan(0);
    expect((await fetch(`${sim.url}/_sim/noSuchMethod`, { method: "POST", body: "[]" })).status).toBe(404);
  });
});

describe("demo tenant", () => {
  it("seeds mailboxes and an app, and generates threaded business mail", async () => {
    const demo = await seedDemoTenant(connectExchangeSimulator(sim.url), { mailboxCount: 4, domain: "demo.example" });
    expect(demo.mailboxes).toHaveLength(4);
    expect(new Set(demo.mailboxes.map((m) => m.address)).size).toBe(4);
    expect(demo.mailboxes.every((m) => m.address.endsWith("@demo.example"))).toBe(true);

    const flow = startMailFlow(sim, demo.mailboxes, { everyMs: 60_000, random: seededRandom(42) });
    for (let i = 0; i < 40; i++) await flow.deliverNext();
    flow.stop();

    const inboxes = demo.mailboxes.flatMap((m) => sim.listMessages(m.address, "inbox"));
    const sent = demo.mailboxes.flatMap((m) => sim.listMessages(m.address, "sentitems"));
    expect(inboxes.length).toBeGreaterThan(0);
    // Colleague mail: the sender's Sent Items copy and the recipient's Inbox copy share the internetMessageId.
    const inboxIds = new Set(inboxes.map((m) => m.internetMessageId));
    expect(sent.some((m) => inboxIds.has(m.internetMessageId))).toBe(true);
    // Replies point at an earlier message and stay in its conversation.
    const all = [...inboxes, ...sent];
    const replies = all.filter((m) => (m.internetMessageHeaders as any[]).some((h) => h.name === "In-Reply-To"));
    expect(replies.length).toBeGreaterThan(0);
    for (const reply of replies) {
      const inReplyTo = (reply.internetMessageHeaders as any[]).find((h) => h.name === "In-Reply-To").value;
      const original = all.find((m) => m.internetMessageId === inReplyTo);
      expect(original?.conversationId).toBe(reply.conversationId);
      expect(reply.subject).toMatch(/^RE: /);
    }
  });
});
