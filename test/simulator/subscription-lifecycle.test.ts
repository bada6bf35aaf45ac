/**
 * What keeps a client's safety net honest: lifecycle notifications on demand, expiry of unrenewed
 * subscriptions, and subscriptions kept across a restart (state file), against a real endpoint.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startExchangeSimulator } from "../tools/exchange-simulator/index.js";
import { acquireToken, msalApp, rawGraph, startFixture, waitUntil, type SimulatorFixture } from "./simulator-fixture.js";
import { startReceiver, type NotificationReceiver } from "./notification-receiver.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let clock = Date.now();
let f: SimulatorFixture;
let receiver: NotificationReceiver;
beforeAll(async () => {
  // The simulator's clock, so expiry can be reached without waiting days.
  f = await startFixture({ roles: ["Mail.Read", "User.Read.All"], now: () => clock });
  receiver = await startReceiver();
});
afterAll(async () => {
  await f.sim.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.batches.length = 0;
  f.sim.resetStats();
});
afterEach(() => {
  f.sim.expireSubscriptions();
});

async function subscribe(overrides: Record<string, unknown> = {}): Promise<any> {
  const created = await rawGraph(f, "/subscriptions", {
    method: "POST",
    body: {
      changeType: "created,updated,deleted",
      notificationUrl: `${receiver.url}/notify`,
      lifecycleNotificationUrl: `${receiver.url}/lifecycle`,
      resource: `/users/${f.alice.id}/mailFolders/inbox/messages`,
      expirationDateTime: new Date(clock + 60 * 60_000).toISOString(),
      clientState: "lifecycle-state",
      ...overrides,
    },
  });
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

const deliver = (subject: string) => f.sim.deliverMessage({ mailbox: f.alice.address, subject, from: { address: "buyer@fabrikam.example" } });
const notified = () => receiver.received("/notify");
const lifecycle = () => receiver.received("/lifecycle");

describe("lifecycle notifications", () => {
  it("missed: the documented payload to the lifecycle URL; change notifications go on", async () => {
    const subscription = await subscribe();
    expect(f.sim.sendLifecycleNotification(subscription.id, "missed")).toBe(true);
    await waitUntil(() => lifecycle().length === 1, "the lifecycle notification");
    expect(lifecycle()[0]).toEqual({
      subscriptionId: subscription.id,
      subscriptionExpirationDateTime: subscription.expirationDateTime,
      tenantId: f.tenantId,
      clientState: "lifecycle-state",
      lifecycleEvent: "missed",
    });
    deliver("still flowing");
    await waitUntil(() => notified().length === 1, "a change notification");
  });

  it("subscriptionRemoved: the subscription is gone (404) and notifies no more", async () => {
    const subscription = await subscribe();
    f.sim.sendLifecycleNotification(subscription.id, "subscriptionRemoved");
    await waitUntil(() => lifecycle().length === 1, "the lifecycle notification");
    expect(lifecycle()[0].lifecycleEvent).toBe("subscriptionRemoved");
    expect((await rawGraph(f, `/subscriptions/${subscription.id}`)).status).toBe(404);
    deliver("lost");
    await sleep(150);
    expect(notified()).toEqual([]);
  });

  it("reauthorizationRequired with a pause: changes are lost until POST …/reauthorize, then flow again", async () => {
    const subscription = await subscribe();
    f.sim.sendLifecycleNotification(subscription.id, "reauthorizationRequired", { pause: true });
    await waitUntil(() => lifecycle().length === 1, "the lifecycle notification");
    expect(lifecycle()[0].lifecycleEvent).toBe("reauthorizationRequired");
    deliver("while paused");
    await sleep(150);
    expect(notified()).toEqual([]);
    expect(f.sim.notificationStats().lostWhilePaused).toBe(1);
    const reauthorized = await rawGraph(f, `/subscriptions/${subscription.id}/reauthorize`, { method: "POST" });
    expect(reauthorized.status).toBe(204);
    const { id } = deliver("after reauthorize");
    await waitUntil(() => notified().length === 1, "the change notification");
    expect(notified()[0].resourceData.id).toBe(id);
  });

  it("reauthorizationRequired with a pause is also lifted by a renewal", async () => {
    const subscription = await subscribe();
    f.sim.sendLifecycleNotification(subscription.id, "reauthorizationRequired", { pause: true });
    const renewed = await rawGraph(f, `/subscriptions/${subscription.id}`, {
      method: "PATCH",
      body: { expirationDateTime: new Date(clock + 120 * 60_000).toISOString() },
    });
    expect(renewed.status).toBe(200);
    deliver("after renewal");
    await waitUntil(() => notified().length === 1, "the change notification");
  });

  it("a subscription without a lifecycleNotificationUrl gets none; subscriptionRemoved still removes it", async () => {
    const subscription = await subscribe({ lifecycleNotificationUrl: undefined });
    expect(f.sim.sendLifecycleNotification(subscription.id, "missed")).toBe(false);
    expect(f.sim.sendLifecycleNotification(subscription.id, "subscriptionRemoved")).toBe(false);
    await sleep(100);
    expect(lifecycle()).toEqual([]);
    expect(f.sim.listSubscriptions()).toEqual([]);
  });
});

describe("expiry", () => {
  it("an unrenewed subscription stops notifying at its expirationDateTime and is removed", async () => {
    const subscription = await subscribe({ expirationDateTime: new Date(clock + 5 * 60_000).toISOString() });
    deliver("before expiry");
    await waitUntil(() => notified().length === 1, "the notification before expiry");
    clock += 5 * 60_000 + 1;
    deliver("after expiry");
    await sleep(150);
    expect(notified()).toHaveLength(1);
    expect((await rawGraph(f, `/subscriptions/${subscription.id}`)).status).toBe(404);
    expect((await rawGraph(f, "/subscriptions")).body.value).toEqual([]);
    const late = await rawGraph(f, `/subscriptions/${subscription.id}`, {
      method: "PATCH",
      body: { expirationDateTime: new Date(clock + 60 * 60_000).toISOString() },
    });
    expect(late.status).toBe(404);
  });

  it("expireSubscriptions ends one mailbox's subscriptions now, as a failed renewal would", async () => {
    await subscribe();
    await subscribe({ resource: `/users/${f.bob.id}/messages` });
    expect(f.sim.expireSubscriptions(f.alice.address)).toBe(1);
    expect(f.sim.listSubscriptions().map((s) => s.resource)).toEqual([`/users/${f.bob.id}/messages`]);
    expect(f.sim.notificationStats().expired).toBeGreaterThanOrEqual(1);
  });
});

describe("kept across a restart", () => {
  it("a simulator started again on its state file keeps notifying the subscriptions it had", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sim-subscriptions-"));
    const file = path.join(dir, "exchange-simulator.json");
    const tenantId = "6a3c1d2e-0b4f-4e5a-9c8d-7f6e5d4c3b2a";
    const clientId = "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a";
    const start = async () => {
      const sim = await startExchangeSimulator({ stateFile: file });
      sim.addTenant({ tenantId });
      sim.addApp(tenantId, { clientId, clientSecret: "restart-secret", roles: ["Mail.Read"] });
      const token = await acquireToken(msalApp(sim, tenantId, clientId, { clientSecret: "restart-secret" }), sim);
      return { sim, token };
    };
    try {
      const first = await start();
      const carol = first.sim.addMailbox({ tenantId, address: "carol@contoso.example" });
      const created = await fetch(`${first.sim.url}/v1.0/subscriptions`, {
        method: "POST",
        headers: { Authorization: `Bearer ${first.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          changeType: "created", resource: `/users/${carol.id}/messages`, notificationUrl: `${receiver.url}/restart`,
          expirationDateTime: new Date(Date.now() + 60 * 60_000).toISOString(), clientState: "kept",
        }),
      }).then((r) => r.json() as Promise<any>);
      await first.sim.close();
      // Node's global agent keeps idle connections: let those to the closed server see their close.
      await sleep(100);

      const second = await start();
      try {
        const got = await fetch(`${second.sim.url}/v1.0/subscriptions/${created.id}`, { headers: { Authorization: `Bearer ${second.token}` } });
        expect(got.status).toBe(200);
        expect(await got.json()).toMatchObject({ id: created.id, clientState: "kept", expirationDateTime: created.expirationDateTime });
        second.sim.deliverMessage({ mailbox: carol.address, subject: "after restart", from: { address: "buyer@fabrikam.example" } });
        await waitUntil(() => receiver.received("/restart").length === 1, "the notification after the restart");
        expect(receiver.received("/restart")[0]).toMatchObject({ subscriptionId: created.id, clientState: "kept", changeType: "created" });
      } finally {
        await second.sim.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
