/**
 * Push end to end against the simulator's subscriptions: Test & Enable subscribes (the validation
 * handshake reaches the product's route over real HTTP), mail notifies and syncs once, renewal reads
 * back the expiry Graph grants, a lost or removed subscription is recreated with a delta round,
 * disabling deletes, and switching push on subscribes every enabled mailbox.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueNames } from "../../shared/config/names.js";
import { runRenewalTick } from "../../shared/push/renewal.js";
import { parseWorkloadMessage } from "../../shared/queues/work-queue.js";
import { incomingEngine } from "../../shared/sync/incoming/incoming-engine.js";
import { runWorkload } from "../../shared/sync/workload-runner.js";
import { startApiServer, type ApiServer } from "../support/api-server.js";
import { allEmails, startSyncHarness, trackEverything, type HarnessMailbox, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: ApiServer;
const customer = { name: "Chris Customer", address: "chris@fabrikam.example" };
const ran = new Set<string>();

beforeAll(async () => {
  h = await startSyncHarness({ env: { PUSH_NOTIFICATION_URL: "http://127.0.0.1:9" }, tracking: trackEverything });
  api = await startApiServer(h.runtime);
  // The route's address is known once it listens.
  h.runtime.settings.pushNotificationUrl = api.url;
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

const pushed = (mailboxId: string) => h.bus.peek(queueNames.incoming).filter((m) => m.sessionId === mailboxId && (m.body as { reason: string }).reason === "push" && !ran.has(m.messageId));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs the push triggers queued for a mailbox, at their delivery time, as the queue trigger would. */
async function runPushTriggers(mailboxId: string) {
  const messages = await waitFor("a push trigger", () => (pushed(mailboxId).length ? pushed(mailboxId) : undefined));
  for (const message of messages) {
    const body = parseWorkloadMessage(message.body)!;
    if (body.slot > Date.now()) await new Promise((resolve) => setTimeout(resolve, body.slot - Date.now()));
    ran.add(message.messageId);
    await runWorkload(h.runtime, incomingEngine, body);
  }
}

async function enabled(localPart: string, options: { act?: boolean } = {}): Promise<HarnessMailbox> {
  const mb = await h.addMailbox(localPart, options);
  const tested = await api.call("POST", `mailboxes/${mb.id}/test-and-enable`, {});
  expect(tested.status).toBe(200);
  return mb;
}

describe("push against the simulator's subscriptions", () => {
  it("Test & Enable subscribes each push workload with its own clientState and a lifecycle URL; nothing secret is shown", async () => {
    const mb = await enabled("subscriber", { act: true });
    const atGraph = h.sim.listSubscriptions(mb.address);
    expect(atGraph.map((s) => String(s.resource).split("/").pop()).sort()).toEqual(["contacts", "events", "messages"]);
    for (const sub of atGraph) {
      expect(sub).toMatchObject({ changeType: "created,updated,deleted", notificationUrl: `${api.url}/api/push/notifications`, lifecycleNotificationUrl: `${api.url}/api/push/lifecycle` });
      expect(String(sub.clientState).length).toBeGreaterThanOrEqual(43);
    }
    expect(new Set(atGraph.map((s) => s.clientState)).size).toBe(3);
    const view = (await api.call("GET", `mailboxes/${mb.id}`)).body;
    expect(view.push.workloads.incoming).toMatchObject({ state: "healthy", subscriptions: [{ resource: "messages", state: "active", expiresAt: new Date(String(atGraph.find((s) => String(s.resource).endsWith("messages"))!.expirationDateTime)).toISOString() }] });
    expect(view.push.workloads.act.state).toBe("healthy");
    expect(JSON.stringify(view)).not.toContain(String(atGraph[0]!.clientState));
  });

  it("a new message notifies, the push trigger's cycle stores it once, and duplicated notifications add nothing", async () => {
    const mb = await enabled("notifiedmail");
    await h.runIncoming(mb.id);
    h.sim.setNotificationFaults({ duplicateFraction: 1, reorder: true });
    h.sim.deliverMessage({ mailbox: mb.address, subject: "Pushed", from: customer, receivedDateTime: new Date(Date.now() - 1000).toISOString() });
    await runPushTriggers(mb.id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (pushed(mb.id).length) await runPushTriggers(mb.id);
    h.sim.setNotificationFaults({});
    expect(await allEmails(h.runtime, mb.id)).toHaveLength(1);
    const [sub] = await h.runtime.pushSubscriptions.forMailbox(mb.id);
    expect(sub!.lastNotificationAt).toBeGreaterThan(Date.now() - 60_000);
  });

  it("renewal reads back the expiry Graph grants", async () => {
    const mb = await enabled("renewed");
    const [before] = await h.runtime.pushSubscriptions.forMailbox(mb.id);
    await h.runtime.pushSubscriptions.save({ ...before!, renewDueAt: Date.now() - 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const report = await runRenewalTick(h.runtime);
    expect(report.renewed).toBeGreaterThanOrEqual(1);
    const [after] = await h.runtime.pushSubscriptions.forMailbox(mb.id);
    const atGraph = h.sim.listSubscriptions(mb.address)[0]!;
    expect(after!.subscriptionId).toBe(before!.subscriptionId);
    expect(after!.expiresAt).toBe(Date.parse(String(atGraph.expirationDateTime)));
    expect(after!.renewDueAt).toBeGreaterThan(Date.now());
    expect(after!.renewDueAt).toBeLessThan(after!.expiresAt!);
  });

  it("an expired subscription (404 on renewal) is recreated and the mailbox gets a delta round that finds what the gap missed", async () => {
    const mb = await enabled("expired");
    await h.runIncoming(mb.id);
    const [before] = await h.runtime.pushSubscriptions.forMailbox(mb.id);
    expect(h.sim.expireSubscriptions(mb.address)).toBe(1);
    h.sim.deliverMessage({ mailbox: mb.address, subject: "During the gap", from: customer, receivedDateTime: new Date(Date.now() - 1000).toISOString() });
    await h.runtime.pushSubscriptions.save({ ...before!, renewDueAt: Date.now() - 1 });
    const report = await runRenewalTick(h.runtime);
    expect(report.recreated).toBeGreaterThanOrEqual(1);
    const [after] = await h.runtime.pushSubscriptions.forMailbox(mb.id);
    expect(after!.subscriptionId).not.toBe(before!.subscriptionId);
    expect(h.sim.listSubscriptions(mb.address).map((s) => s.id)).toEqual([after!.subscriptionId]);
    await runPushTriggers(mb.id);
    expect((await allEmails(h.runtime, mb.id)).length).toBe(1);
    // The old id no longer names a subscription of ours.
    expect(await h.runtime.pushSubscriptions.owner(before!.subscriptionId!)).toBeUndefined();
  });

  it("subscriptionRemoved (Graph's lifecycle event) → a delta round now, and the renewal timer recreates it", async () => {
    const mb = await enabled("removedbygraph");
    await h.runIncoming(mb.id);
    const [before] = await h.runtime.pushSubscriptions.forMailbox(mb.id);
    expect(h.sim.sendLifecycleNotification(before!.subscriptionId!, "subscriptionRemoved")).toBe(true);
    await waitFor("the removal to be recorded", async () => ((await h.runtime.pushSubscriptions.forMailbox(mb.id))[0]!.status === "removed" ? true : undefined));
    expect(pushed(mb.id).length).toBe(1);
    await runRenewalTick(h.runtime);
    const [after] = await h.runtime.pushSubscriptions.forMailbox(mb.id);
    expect(after).toMatchObject({ status: "active" });
    expect(after!.subscriptionId).not.toBe(before!.subscriptionId);
    expect(h.sim.listSubscriptions(mb.address)).toHaveLength(1);
  });

  it("disabling a workload deletes its subscriptions at Graph and here", async () => {
    const mb = await enabled("disabled", { act: true });
    expect(h.sim.listSubscriptions(mb.address)).toHaveLength(3);
    expect((await api.call("POST", `mailboxes/${mb.id}/disable`, { workloads: ["act"] })).status).toBe(200);
    expect(h.sim.listSubscriptions(mb.address).map((s) => String(s.resource).split("/").pop())).toEqual(["messages"]);
    expect((await h.runtime.pushSubscriptions.forMailbox(mb.id)).map((s) => s.kind)).toEqual(["messages"]);
  });

  it("a refused subscription leaves the workload polling, with a Warning naming the error, and Test & Enable still passes", async () => {
    const mb = await h.addMailbox("refused");
    h.sim.injectFault({ status: 403, code: "ErrorAccessDenied", message: "Access is denied.", pathIncludes: "/subscriptions", method: "POST", times: 1 });
    const tested = await api.call("POST", `mailboxes/${mb.id}/test-and-enable`, {});
    expect(tested.body.workloads.incoming.status).toBe("Success");
    const view = (await api.call("GET", `mailboxes/${mb.id}`)).body;
    expect(view.push.workloads.incoming).toMatchObject({ state: "subscriptionFailed", subscriptions: [{ state: "failed", problem: "ErrorAccessDenied" }] });
    const alerts = await h.runtime.alerts.list({ mailboxId: mb.id, pageSize: 10 });
    expect(alerts.items).toContainEqual(expect.objectContaining({ code: "PushSubscriptionFailed", level: "Warning", errorCode: "ErrorAccessDenied" }));
  });
});
