/**
 * Notification delivery when things go wrong, against a real endpoint: a failing or slow endpoint
 * (retried with back-off, duplicates from timeouts, given up after the retry period), an
 * unreachable one, and the injected faults: dropped, duplicated and reordered notifications.
 * Back-off and timeouts are shortened through configureNotifications so the tests stay quick.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rawGraph, startFixture, waitUntil, type SimulatorFixture } from "./simulator-fixture.js";
import { startReceiver, type NotificationReceiver } from "./notification-receiver.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let f: SimulatorFixture;
let receiver: NotificationReceiver;
beforeAll(async () => {
  f = await startFixture({ roles: ["Mail.Read", "User.Read.All"] });
  receiver = await startReceiver();
});
afterAll(async () => {
  await f.sim.close();
  await receiver.close();
});
beforeEach(() => {
  Object.assign(receiver.behaviour, { notificationStatus: 202, notificationDelayMs: 0, failNext: 0 });
  receiver.batches.length = 0;
  f.sim.resetStats();
  f.sim.configureNotifications({ reset: true, retryFirstMs: 50, retryMaxMs: 200 });
});
afterEach(() => {
  f.sim.expireSubscriptions();
  f.sim.clearFaults();
});

async function subscribe(url = `${receiver.url}/notify`): Promise<any> {
  const created = await rawGraph(f, "/subscriptions", {
    method: "POST",
    body: {
      changeType: "created", notificationUrl: url, resource: `/users/${f.alice.id}/messages`,
      expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(), clientState: "faults",
    },
  });
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

const deliver = (subject: string) => f.sim.deliverMessage({ mailbox: f.alice.address, subject, from: { address: "buyer@fabrikam.example" } }).id;
const notifiedIds = () => receiver.received("/notify").map((n) => n.resourceData.id);

describe("a failing or slow endpoint", () => {
  it("a POST answered 5xx is retried with back-off until it is accepted", async () => {
    await subscribe();
    receiver.behaviour.failNext = 2;
    const id = deliver("retried");
    await waitUntil(() => receiver.batches.length === 3, "two failed POSTs and the accepted one");
    await sleep(100);
    expect(notifiedIds()).toEqual([id, id, id]);
    const gaps = receiver.batches.slice(1).map((b, i) => b.at - receiver.batches[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[1]).toBeGreaterThanOrEqual(95);
    expect(f.sim.notificationStats()).toMatchObject({ posts: 3, failedPosts: 2, retries: 2, delivered: 1, pending: 0 });
  });

  it("an answer slower than the delivery timeout (3 s in Graph) counts as failed: the endpoint gets the notification again", async () => {
    f.sim.configureNotifications({ deliveryTimeoutMs: 150 });
    await subscribe();
    receiver.behaviour.notificationDelayMs = 400;
    const id = deliver("slow");
    await waitUntil(() => receiver.batches.length === 1, "the slow POST to be read");
    receiver.behaviour.notificationDelayMs = 0;
    await waitUntil(() => f.sim.notificationStats().delivered === 1, "the retried delivery");
    await sleep(100);
    expect(new Set(notifiedIds())).toEqual(new Set([id]));
    expect(notifiedIds().length).toBeGreaterThanOrEqual(2);
    expect(f.sim.notificationStats().failedPosts).toBeGreaterThanOrEqual(1);
  });

  it("gives up after the retry period (4 h in Graph) and sends nothing more", async () => {
    f.sim.configureNotifications({ retryFirstMs: 20, retryMaxMs: 20, retryForMs: 150 });
    await subscribe();
    receiver.behaviour.notificationStatus = 500;
    deliver("never accepted");
    await waitUntil(() => f.sim.notificationStats().abandoned === 1, "the notification to be given up");
    const posts = receiver.batches.length;
    expect(posts).toBeGreaterThanOrEqual(3);
    await sleep(150);
    expect(receiver.batches.length).toBe(posts);
    expect(f.sim.notificationStats()).toMatchObject({ delivered: 0, pending: 0, abandoned: 1 });
  });
});

describe("injected notification faults", () => {
  it("unreachable: creates fail the handshake, queued notifications wait and are delivered once it clears", async () => {
    await subscribe();
    f.sim.setNotificationFaults({ unreachable: true });
    const refused = await rawGraph(f, "/subscriptions", {
      method: "POST",
      body: {
        changeType: "created", notificationUrl: `${receiver.url}/other`, resource: `/users/${f.alice.id}/messages`,
        expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("ValidationError");
    const id = deliver("while unreachable");
    await waitUntil(() => f.sim.notificationStats().failedPosts >= 2, "failed attempts");
    expect(receiver.batches).toEqual([]);
    f.sim.clearFaults();
    await waitUntil(() => notifiedIds().length === 1, "the delivery after the fault cleared");
    expect(notifiedIds()).toEqual([id]);
  });

  it("dropFraction 0.5 drops every second change notification; lifecycle ones are never dropped", async () => {
    const subscription = await subscribe();
    f.sim.setNotificationFaults({ dropFraction: 0.5 });
    const ids = ["1", "2", "3", "4"].map(deliver);
    await waitUntil(() => notifiedIds().length === 2, "two notifications");
    await sleep(100);
    expect(notifiedIds()).toEqual([ids[0], ids[2]]);
    expect(f.sim.notificationStats()).toMatchObject({ dropped: 2, delivered: 2 });
    expect(f.sim.listSubscriptions()[0]!.id).toBe(subscription.id);
  });

  it("duplicateFraction 1 sends every change notification twice, the copy in a later POST", async () => {
    await subscribe();
    f.sim.setNotificationFaults({ duplicateFraction: 1 });
    const ids = ["a", "b"].map(deliver);
    await waitUntil(() => notifiedIds().length === 4, "four notifications");
    await sleep(100);
    expect(notifiedIds().sort()).toEqual([...ids, ...ids].sort());
    expect(receiver.batches[0]!.value.map((n) => n.resourceData.id)).toEqual(ids);
    expect(receiver.batches.length).toBeGreaterThanOrEqual(2);
    expect(f.sim.notificationStats()).toMatchObject({ duplicated: 2, delivered: 4 });
  });

  it("reorder sends each POST's notifications newest first", async () => {
    f.sim.configureNotifications({ batchWindowMs: 50 });
    await subscribe();
    f.sim.setNotificationFaults({ reorder: true });
    const ids = ["x", "y", "z"].map(deliver);
    await waitUntil(() => notifiedIds().length === 3, "three notifications");
    expect(receiver.batches).toHaveLength(1);
    expect(notifiedIds()).toEqual([...ids].reverse());
  });

  it("delivers to an HTTPS endpoint the simulator's process trusts", async () => {
    const secure = await startReceiver({ https: true });
    try {
      await subscribe(`${secure.url}/notify`);
      expect(secure.validations).toHaveLength(1);
      const id = deliver("over https");
      await waitUntil(() => secure.received("/notify").length === 1, "the notification over https");
      expect(secure.received("/notify")[0].resourceData.id).toBe(id);
    } finally {
      await secure.close();
    }
  });
});
