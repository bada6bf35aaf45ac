/**
 * Push, product side, against Graph's documented contract: the notification and lifecycle routes
 * over real HTTP, the subscriptions' state in Azurite, the cycle they trigger against the simulator,
 * and the safety-net schedule. Subscriptions are seeded as POST /subscriptions would have left them.
 */
import { afterAll, beforeAll, describe, expect, it, vi, onTestFinished } from "vitest";
import { queueNames } from "../../shared/config/names.js";
import type { PushSubscription, SubscriptionKind } from "../../shared/domain/push/subscriptions.js";
import { ownerClaim } from "../../shared/domain/mailbox-claims.js";
import { clientStateHash } from "../../shared/push/client-state.js";
import { parseWorkloadMessage } from "../../shared/queues/work-queue.js";
import { actEngine } from "../../shared/sync/act/act-engine.js";
import { incomingEngine } from "../../shared/sync/incoming/incoming-engine.js";
import { outgoingEngine } from "../../shared/sync/outgoing/outgoing-engine.js";
import { runWorkload } from "../../shared/sync/workload-runner.js";
import { startApiServer, type ApiServer } from "../support/api-server.js";
import { allEmails, startSyncHarness, trackEverything, type HarnessMailbox, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: ApiServer;
const secret = "client-state-secret-of-the-test-subscription-0001";
const customer = { name: "Chris Customer", address: "chris@fabrikam.example" };

beforeAll(async () => {
  h = await startSyncHarness({ env: { PUSH_NOTIFICATION_URL: "http://127.0.0.1:9" }, tracking: trackEverything });
  api = await startApiServer(h.runtime);
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

async function subscribed(mb: HarnessMailbox, kind: SubscriptionKind = "messages", fields: Partial<PushSubscription> = {}): Promise<string> {
  const subscriptionId = `sub-${mb.id}-${kind}`;
  const now = Date.now();
  await h.runtime.pushSubscriptions.save({
    mailboxId: mb.id, kind, subscriptionId, resource: `/users/${mb.exchangeUserId}/${kind}`, expiresAt: now + 3 * 86_400_000, renewedAt: now,
    renewDueAt: now + 2 * 86_400_000, clientStateHash: clientStateHash(secret), status: "active", failures: 0, unannouncedRounds: 0, ...fields,
  });
  return subscriptionId;
}

async function post(route: "notifications" | "lifecycle", body: unknown, query = "") {
  const started = performance.now();
  const response = await fetch(`${api.url}/api/push/${route}${query}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: response.status, contentType: response.headers.get("content-type"), text: await response.text(), ms: performance.now() - started };
}

const change = (subscriptionId: string, clientState = secret, changeType = "created") => ({ subscriptionId, clientState, changeType, resource: "Users/x/Messages/y", tenantId: h.tenantId });
const pushMessages = (queue: string, mailboxId: string) => h.bus.peek(queue).filter((m) => m.sessionId === mailboxId && (m.body as { reason: string }).reason === "push");

/** Runs what a push message asks for, as the queue trigger would. */
async function runPushed(queue: string, mailboxId: string, engine = incomingEngine) {
  const messages = pushMessages(queue, mailboxId);
  expect(messages.length).toBeGreaterThan(0);
  for (const message of messages) await runWorkload(h.runtime, engine, parseWorkloadMessage(message.body)!);
}

describe("the notification route", () => {
  it.each(["notifications", "lifecycle"] as const)("answers Graph's validation request on %s: the decoded token, text/plain, 200", async (route) => {
    const answer = await post(route, "", "?validationToken=Validation%3A%20Testing%20client%20application%20reachability");
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/plain/);
    expect(answer.text).toBe("Validation: Testing client application reachability");
  });

  it("a valid notification makes the mailbox's incoming workload due now: one message in its session", async () => {
    const mb = await h.addMailbox("notified");
    const id = await subscribed(mb);
    const answer = await post("notifications", { value: [change(id)] });
    expect(answer.status).toBe(202);
    const messages = pushMessages(queueNames.incoming, mb.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.body).toMatchObject({ mailboxId: mb.id, workload: "incoming", reason: "push" });
  });

  it("a notified cycle leaves the scheduled round queued (no second message to be skipped as stale later)", async () => {
    const mb = await h.addMailbox("keepsround");
    const id = await subscribed(mb);
    // Where the safety net's rounds fall is drawn at random: mid-interval for the first, so the
    // notified cycle's own next round (in the interval's last tenth) comes after the queued one.
    const random = vi.spyOn(Math, "random").mockReturnValue(0.5);
    onTestFinished(() => random.mockRestore());
    await h.runIncoming(mb.id);
    const before = (await h.mailbox(mb.id)).workloads.incoming;
    const scheduled = () => h.bus.peek(queueNames.incoming).filter((m) => m.sessionId === mb.id && (m.body as { reason: string }).reason === "scheduled");
    expect(scheduled().map((m) => (m.body as { slot: number }).slot)).toEqual([before.nextSlot]);
    h.sim.deliverMessage({ mailbox: mb.address, subject: "Announced", from: customer, receivedDateTime: new Date(Date.now() - 1000).toISOString() });
    await post("notifications", { value: [change(id)] });
    await runPushed(queueNames.incoming, mb.id);
    expect(await allEmails(h.runtime, mb.id)).toHaveLength(1);
    const after = (await h.mailbox(mb.id)).workloads.incoming;
    expect({ nextSlot: after.nextSlot, dueAt: after.dueAt }).toEqual({ nextSlot: before.nextSlot, dueAt: before.dueAt });
    expect(scheduled().map((m) => (m.body as { slot: number }).slot)).toEqual([before.nextSlot]);
    // That round runs as the safety net, not skipped as stale.
    const report = await h.runIncoming(mb.id);
    expect(report.outcome).toBe("completed");
  });

  it("drops a forged clientState and an unknown subscription (202, nothing queued, counted)", async () => {
    const mb = await h.addMailbox("forged");
    const id = await subscribed(mb);
    const forged = await post("notifications", { value: [change(id, "guess"), change(id, ""), { subscriptionId: id, changeType: "created" }, change("no-such-subscription")] });
    expect(forged.status).toBe(202);
    expect(pushMessages(queueNames.incoming, mb.id)).toHaveLength(0);
    const result = await h.runtime.notificationIntake.acceptChanges(h.runtime, { value: [change(id, "guess"), change("nobody"), { nonsense: true }] });
    expect(result).toMatchObject({ accepted: 0, forged: 1, unknownSubscription: 1, malformed: 1, queued: 0 });
  });

  it("answers 503 within 3 s when looking subscriptions up takes longer, so that Graph delivers again; the retry is accepted", async () => {
    const mb = await h.addMailbox("slowstore");
    const id = await subscribed(mb);
    const repository = h.runtime.pushSubscriptions;
    const owner = repository.owner.bind(repository);
    // Storage slower than Graph's patience (what a cold cache under a burst looks like on a small machine).
    repository.owner = async (subscriptionId) => {
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      return owner(subscriptionId);
    };
    try {
      const first = await post("notifications", { value: [change(id)] });
      expect(first.status).toBe(503);
      expect(first.ms).toBeLessThan(3_000);
    } finally {
      repository.owner = owner;
    }
    await new Promise((resolve) => setTimeout(resolve, 700));
    const again = await post("notifications", { value: [change(id)] });
    expect(again.status).toBe(202);
    expect(pushMessages(queueNames.incoming, mb.id).length).toBeGreaterThanOrEqual(1);
  });

  it("refuses a body that is not JSON with a 400 and queues nothing", async () => {
    expect((await post("notifications", "{not json")).status).toBe(400);
  });

  it("a notification for an ACT subscription makes ACT due, not incoming", async () => {
    const mb = await h.addMailbox("actnotified", { act: true });
    const id = await subscribed(mb, "contacts");
    expect((await post("notifications", { value: [change(id)] })).status).toBe(202);
    expect(pushMessages(queueNames.act, mb.id)).toHaveLength(1);
    expect(pushMessages(queueNames.incoming, mb.id)).toHaveLength(0);
  });

  it("answers a burst of 10,000 notifications within 3 s each and folds them into at most one cycle per mailbox and bucket", async () => {
    const mailboxes = await Promise.all(Array.from({ length: 50 }, (_, i) => h.addMailbox(`burst${i}`)));
    const ids = await Promise.all(mailboxes.map((mb) => subscribed(mb)));
    const posts = Array.from({ length: 100 }, (_, p) => ({ value: Array.from({ length: 100 }, (_, i) => change(ids[(p * 100 + i) % ids.length]!)) }));
    const started = Date.now();
    // As Graph does, a POST not answered 2xx is delivered again; every answer comes within 3 s.
    const answers = await Promise.all(
      posts.map(async (body) => {
        const tries = [await post("notifications", body)];
        while (tries.at(-1)!.status === 503) tries.push(await post("notifications", body));
        return tries;
      }),
    );
    const spanMs = Date.now() - started;
    expect(answers.every((tries) => tries.at(-1)!.status === 202)).toBe(true);
    expect(Math.max(...answers.flat().map((a) => a.ms))).toBeLessThan(3_000);
    const buckets = Math.ceil(spanMs / 2_000) + 1;
    for (const mb of mailboxes) {
      const count = pushMessages(queueNames.incoming, mb.id).length;
      expect(count).toBeGreaterThanOrEqual(1);
      expect(count).toBeLessThanOrEqual(buckets);
    }
  });
});

describe("the cycle a notification triggers", () => {
  it("syncs the new mail once; duplicated, late and reordered notifications add nothing", async () => {
    const mb = await h.addMailbox("cycled");
    const id = await subscribed(mb);
    await h.runIncoming(mb.id);
    h.sim.deliverMessage({ mailbox: mb.address, subject: "Pushed", from: customer, receivedDateTime: new Date(Date.now() - 1000).toISOString() });
    await post("notifications", { value: [change(id, secret, "created"), change(id, secret, "updated")] });
    await runPushed(queueNames.incoming, mb.id);
    expect(await allEmails(h.runtime, mb.id)).toHaveLength(1);
    // The same notifications again, and an older one after a newer: each at most one more cycle, nothing new.
    await h.runtime.notificationIntake.acceptChanges(h.runtime, { value: [change(id, secret, "updated"), change(id, secret, "created")] });
    await runPushed(queueNames.incoming, mb.id);
    await post("notifications", { value: [change(id, secret, "deleted"), change(id, secret, "created")] });
    await runPushed(queueNames.incoming, mb.id);
    expect(await allEmails(h.runtime, mb.id)).toHaveLength(1);
  });

  it("with healthy subscriptions the next scheduled round is the safety net (30 minutes), otherwise the polling schedule", async () => {
    const healthy = await h.addMailbox("healthy");
    await subscribed(healthy);
    const before = Date.now();
    await h.runIncoming(healthy.id);
    // The first round after enabling falls anywhere in the safety net's interval (spread), never beyond it.
    expect((await h.mailbox(healthy.id)).workloads.incoming.nextSlot).toBeLessThanOrEqual(Date.now() + 1_800_000);
    const second = Date.now();
    await h.runIncoming(healthy.id);
    expect((await h.mailbox(healthy.id)).workloads.incoming.nextSlot).toBeGreaterThanOrEqual(second + 1_620_000);

    const failing = await h.addMailbox("failing");
    await subscribed(failing, "messages", { status: "failed", subscriptionId: undefined, problem: "ErrorAccessDenied" });
    await h.runIncoming(failing.id);
    expect((await h.mailbox(failing.id)).workloads.incoming.nextSlot).toBeLessThanOrEqual(Date.now() + 720_000);
  });

  it("ACT's safety net is 60 minutes while events and contacts are subscribed", async () => {
    const mb = await h.addMailbox("actnet", { act: true });
    for (const kind of ["events", "contacts"] as const) await subscribed(mb, kind);
    await h.runCycle(actEngine, mb.id);
    // The first round after enabling is spread over the interval; each later one falls in its last tenth.
    expect((await h.mailbox(mb.id)).workloads.act.nextSlot).toBeLessThanOrEqual(Date.now() + 3_600_000);
    const second = Date.now();
    await h.runCycle(actEngine, mb.id);
    expect((await h.mailbox(mb.id)).workloads.act.nextSlot).toBeGreaterThanOrEqual(second + 3_240_000);
  });

  it("a mailbox synced without subscriptions gets them queued for the renewal timer and keeps polling meanwhile", async () => {
    const mb = await h.addMailbox("unsubscribed");
    await h.runIncoming(mb.id);
    const subs = await h.runtime.pushSubscriptions.forMailbox(mb.id);
    expect(subs).toEqual([expect.objectContaining({ kind: "messages", status: "failed", problem: "notSubscribed" })]);
    expect(subs[0]!.renewDueAt).toBeLessThanOrEqual(Date.now());
    expect((await h.mailbox(mb.id)).workloads.incoming.nextSlot).toBeLessThanOrEqual(Date.now() + 720_000);
  });

  it("two safety-net rounds in a row that find unannounced mail fall back to polling with a Warning; a notification heals it", async () => {
    const mb = await h.addMailbox("silent");
    const id = await subscribed(mb, "messages", { lastNotificationAt: Date.now() - 3_600_000 });
    await h.runIncoming(mb.id);
    for (let round = 0; round < 2; round++) {
      h.sim.deliverMessage({ mailbox: mb.address, subject: `Unannounced ${round}`, from: customer, receivedDateTime: new Date(Date.now() - 1000).toISOString() });
      await h.runIncoming(mb.id);
    }
    expect((await h.mailbox(mb.id)).workloads.incoming.nextSlot).toBeLessThanOrEqual(Date.now() + 720_000);
    const alerts = await h.runtime.alerts.list({ mailboxId: mb.id, pageSize: 10 });
    expect(alerts.items.map((a) => a.code)).toContain("PushNotificationsMissing");
    expect((await api.call("GET", `mailboxes/${mb.id}`)).body.push.workloads.incoming.state).toBe("notificationsMissing");

    await post("notifications", { value: [change(id)] });
    expect((await api.call("GET", `mailboxes/${mb.id}`)).body.push.workloads.incoming.state).toBe("healthy");
  });
});

describe("lifecycle notifications", () => {
  const lifecycle = (subscriptionId: string, lifecycleEvent: string, clientState = secret) => ({ value: [{ subscriptionId, clientState, lifecycleEvent, subscriptionExpirationDateTime: new Date().toISOString(), tenantId: h.tenantId }] });

  it("missed → a delta round now", async () => {
    const mb = await h.addMailbox("missed");
    const id = await subscribed(mb);
    expect((await post("lifecycle", lifecycle(id, "missed"))).status).toBe(202);
    expect(pushMessages(queueNames.incoming, mb.id)).toHaveLength(1);
  });

  it("subscriptionRemoved → marked for recreation by the renewal timer now, and a delta round now", async () => {
    const mb = await h.addMailbox("removed");
    const id = await subscribed(mb);
    expect((await post("lifecycle", lifecycle(id, "subscriptionRemoved"))).status).toBe(202);
    const [sub] = await h.runtime.pushSubscriptions.forMailbox(mb.id);
    expect(sub).toMatchObject({ status: "removed", problem: "subscriptionRemoved" });
    expect(sub!.renewDueAt).toBeLessThanOrEqual(Date.now());
    expect(pushMessages(queueNames.incoming, mb.id)).toHaveLength(1);
  });

  it("reauthorizationRequired → renewal due now, no cycle needed", async () => {
    const mb = await h.addMailbox("reauth");
    const id = await subscribed(mb);
    expect((await post("lifecycle", lifecycle(id, "reauthorizationRequired"))).status).toBe(202);
    const [sub] = await h.runtime.pushSubscriptions.forMailbox(mb.id);
    expect(sub!.renewDueAt).toBeLessThanOrEqual(Date.now());
    expect(sub!.status).toBe("active");
    expect(pushMessages(queueNames.incoming, mb.id)).toHaveLength(0);
  });

  it("a forged lifecycle notification changes nothing", async () => {
    const mb = await h.addMailbox("forgedlife");
    const id = await subscribed(mb);
    await post("lifecycle", lifecycle(id, "subscriptionRemoved", "guess"));
    const [sub] = await h.runtime.pushSubscriptions.forMailbox(mb.id);
    expect(sub!.status).toBe("active");
    expect(pushMessages(queueNames.incoming, mb.id)).toHaveLength(0);
  });
});

describe("CRM changes with push on", () => {
  it("a contact created, changed or deleted through the records API makes its owner's ACT workload due at once", async () => {
    const mb = await h.addMailbox("crmowner", { act: true });
    await h.runtime.mailboxIndex.claim(ownerClaim(await h.mailbox(mb.id)), mb.id, false);
    const contact = { ownerId: (await h.mailbox(mb.id)).ownerId, firstName: "Pat", lastName: "Kim", emails: [{ address: "pat@fabrikam.example" }] };
    const created = await api.call("POST", "contacts", contact);
    expect(created.status).toBe(201);
    expect(pushMessages(queueNames.act, mb.id)).toHaveLength(1);
    expect(pushMessages(queueNames.act, mb.id)[0]!.body).toMatchObject({ workload: "act", reason: "push" });
    const accounts = await api.call("POST", "accounts", { ownerId: contact.ownerId, name: "Fabrikam" });
    expect(accounts.status).toBe(201);
    expect(pushMessages(queueNames.act, mb.id)).toHaveLength(1);
  });
});

describe("outgoing without idle polling", () => {
  it("an outgoing cycle with nothing Pending Send schedules nothing; Send marks it due and queues it at once", async () => {
    const mb = await h.addMailbox("idlesender", { outgoing: true });
    await h.runCycle(outgoingEngine, mb.id);
    const idle = (await h.mailbox(mb.id)).workloads.outgoing;
    expect(idle.dueAt).toBeNull();
    expect(h.bus.peek(queueNames.outgoing).filter((m) => m.sessionId === mb.id)).toHaveLength(0);
    expect((await api.call("GET", `mailboxes/${mb.id}`)).body.workloads.outgoing.nextRunAt).toBeNull();

    const created = await api.call("POST", "emails", { senderMailboxId: mb.id, to: [customer], subject: "Quote", body: { contentType: "text", content: "Hello" } });
    expect((await api.call("POST", `emails/${created.body.id}/send`)).status).toBe(200);
    expect((await h.mailbox(mb.id)).workloads.outgoing.dueAt).not.toBeNull();
    expect(h.bus.peek(queueNames.outgoing).filter((m) => m.sessionId === mb.id)).toHaveLength(1);
  });
});
