/**
 * Change-notification subscriptions against a real notification endpoint on a local port: the
 * validation handshake, notifications for created/updated/deleted messages, events and contacts,
 * batching, latency, renewal (PATCH) and deletion, and the documented refusals.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixtureGraph, rawGraph, startFixture, tokenForNewApp, waitUntil, type SimulatorFixture } from "./simulator-fixture.js";
import { startReceiver, type NotificationReceiver } from "./notification-receiver.js";

const roles = ["Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite", "Contacts.ReadWrite", "User.Read.All"];
const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let f: SimulatorFixture;
let receiver: NotificationReceiver;
beforeAll(async () => {
  f = await startFixture({ roles });
  receiver = await startReceiver();
});
afterAll(async () => {
  await f.sim.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.behaviour.validation = "echo";
  receiver.behaviour.validationDelayMs = 0;
  receiver.behaviour.notificationDelayMs = 0;
  receiver.behaviour.failNext = 0;
  receiver.validations.length = 0;
  receiver.batches.length = 0;
});
afterEach(async () => {
  // Removes every app's subscriptions (as unrenewed ones are removed).
  f.sim.expireSubscriptions();
  f.sim.configureNotifications({ reset: true });
  f.sim.clearFaults();
});

function subscriptionBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    changeType: "created,updated,deleted",
    notificationUrl: `${receiver.url}/notify`,
    lifecycleNotificationUrl: `${receiver.url}/lifecycle`,
    resource: `/users/${f.alice.id}/messages`,
    expirationDateTime: inMinutes(60),
    clientState: "s3cret-state",
    ...overrides,
  };
}

async function subscribe(overrides: Record<string, unknown> = {}): Promise<any> {
  const created = await rawGraph(f, "/subscriptions", { method: "POST", body: subscriptionBody(overrides) });
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

const notified = (path = "/notify") => receiver.received(path);
const deliver = (subject: string, folder?: string) =>
  f.sim.deliverMessage({ mailbox: f.alice.address, folder, subject, from: { address: "buyer@fabrikam.example" } });

describe("creating a subscription", () => {
  it("validates the notification and lifecycle URLs, then answers 201 with the subscription as Graph returns it", async () => {
    const expirationDateTime = inMinutes(4000);
    const created = await fixtureGraph(f).api("/subscriptions").post(subscriptionBody({ expirationDateTime }));
    expect(created).toMatchObject({
      resource: `/users/${f.alice.id}/messages`,
      applicationId: f.clientId,
      changeType: "created,updated,deleted",
      clientState: "s3cret-state",
      notificationUrl: `${receiver.url}/notify`,
      lifecycleNotificationUrl: `${receiver.url}/lifecycle`,
      includeResourceData: false,
      latestSupportedTlsVersion: "v1_2",
    });
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created.creatorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(created.expirationDateTime)).toBe(Date.parse(expirationDateTime));
    expect(created.expirationDateTime).toMatch(/\.\d{7}Z$/);
    // Both URLs were validated with a token that needed URL-decoding (spaces, colons).
    expect(receiver.validations.map((v) => v.path)).toEqual(["/notify", "/lifecycle"]);
    expect(receiver.validations[0]!.token).toMatch(/^Validation: Testing client application reachability for subscription Request-Id: [0-9a-f-]{36}$/);
    expect(receiver.validations[0]!.contentType).toMatch(/^text\/plain/);

    const got = await rawGraph(f, `/subscriptions/${created.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: created.id, expirationDateTime: created.expirationDateTime });
    const list = await rawGraph(f, "/subscriptions");
    expect(list.body.value.map((s: any) => s.id)).toEqual([created.id]);
    // Another app does not see it.
    const other = await tokenForNewApp(f, ["Mail.Read"]);
    expect((await rawGraph(f, "/subscriptions", { token: other.token })).body.value).toEqual([]);
    expect((await rawGraph(f, `/subscriptions/${created.id}`, { token: other.token })).status).toBe(404);
  });

  it.each([
    ["an endpoint answering 500", "status500", 400, "ValidationError", "must respond with 200 OK"],
    ["an endpoint echoing the still-encoded token", "rawQueryValue", 400, "ValidationError", "must exactly match validationToken"],
    ["an endpoint answering JSON", "json", 400, "ValidationError", "text/plain"],
  ] as const)("fails the create against %s, creating nothing", async (_name, validation, status, code, message) => {
    receiver.behaviour.validation = validation;
    const answer = await rawGraph(f, "/subscriptions", { method: "POST", body: subscriptionBody() });
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
    expect(answer.body.error.message).toContain(message);
    expect(f.sim.listSubscriptions()).toEqual([]);
  });

  it("fails the create when the endpoint does not answer the handshake in time (10 s in Graph, shortened here)", async () => {
    f.sim.configureNotifications({ validationTimeoutMs: 200 });
    receiver.behaviour.validationDelayMs = 1000;
    const answer = await rawGraph(f, "/subscriptions", { method: "POST", body: subscriptionBody() });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: "InvalidRequest", message: "Subscription validation request timed out." });
    expect(f.sim.listSubscriptions()).toEqual([]);
  });

  it("fails the create when only the lifecycle URL fails its handshake", async () => {
    const answer = await rawGraph(f, "/subscriptions", {
      method: "POST",
      body: subscriptionBody({ lifecycleNotificationUrl: "http://127.0.0.1:1/closed" }),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe("ValidationError");
    expect(f.sim.listSubscriptions()).toEqual([]);
  });

  it.each([
    ["clientState over 128 characters", { clientState: "x".repeat(129) }, 400, "InvalidRequest", "clientState"],
    ["an expiration beyond 10,080 minutes", { expirationDateTime: inMinutes(10_081) }, 400, "ExtensionError", "10080 minutes"],
    ["an expiration in the past", { expirationDateTime: inMinutes(-1) }, 400, "ExtensionError", "in the future"],
    ["no expiration", { expirationDateTime: undefined }, 400, "InvalidRequest", "expirationDateTime"],
    ["an unknown changeType", { changeType: "created,moved" }, 400, "InvalidRequest", "changeType"],
    ["plain http to a public host", { notificationUrl: "http://crm.example/notify" }, 400, "InvalidRequest", "notificationUrl"],
    ["a /me resource with app-only access", { resource: "/me/messages" }, 400, "BadRequest", "/me request"],
    ["an unsupported resource", { resource: "/users/alice@contoso.example/mailFolders" }, 400, "InvalidRequest", "not supported"],
    ["To Do tasks (Graph: application permissions not supported)", { resource: "/users/x/todo/lists/y/tasks" }, 403, "ExtensionError", "todoTask"],
    ["an unknown folder", { resource: "/users/alice@contoso.example/mailFolders('nope')/messages" }, 404, "ErrorItemNotFound", "not found"],
    ["an unknown user", { resource: "/users/nobody@contoso.example/messages" }, 404, "ErrorInvalidUser", "nobody"],
    ["resource data (needs an encryption certificate)", { includeResourceData: true }, 400, "InvalidRequest", "includeResourceData"],
  ])("refuses %s, naming it, and creates nothing", async (_name, overrides, status, code, message) => {
    const answer = await rawGraph(f, "/subscriptions", { method: "POST", body: subscriptionBody(overrides) });
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
    expect(answer.body.error.message).toContain(message);
    expect(receiver.validations).toEqual([]);
    expect(f.sim.listSubscriptions()).toEqual([]);
  });

  it("needs the read permission of the resource and access to the mailbox", async () => {
    const sender = await tokenForNewApp(f, ["Mail.Send", "Calendars.Read"]);
    const mail = await rawGraph(f, "/subscriptions", { method: "POST", body: subscriptionBody(), token: sender.token });
    expect(mail.status).toBe(403);
    expect(mail.body.error.code).toBe("ErrorAccessDenied");
    const events = await rawGraph(f, "/subscriptions", { method: "POST", body: subscriptionBody({ resource: `/users/${f.alice.id}/events` }), token: sender.token });
    expect(events.status).toBe(201);
    const basic = await tokenForNewApp(f, ["Mail.ReadBasic"]);
    const basicSubscription = await rawGraph(f, "/subscriptions", { method: "POST", body: subscriptionBody(), token: basic.token });
    expect(basicSubscription.status).toBe(201);
    // Checked again on every call about the subscription: the policy now leaves Alice out.
    f.sim.setMailboxScope(basic.clientId, [f.bob.address]);
    const at = `/subscriptions/${basicSubscription.body.id}`;
    for (const init of [{}, { method: "PATCH", body: { expirationDateTime: inMinutes(90) } }, { method: "DELETE" }]) {
      expect((await rawGraph(f, at, { ...init, token: basic.token })).status).toBe(403);
    }
    const scoped = await tokenForNewApp(f, ["Mail.Read"]);
    f.sim.setMailboxScope(scoped.clientId, [f.bob.address]);
    const outOfScope = await rawGraph(f, "/subscriptions", { method: "POST", body: subscriptionBody(), token: scoped.token });
    expect(outOfScope.status).toBe(403);
    expect(outOfScope.body.error.message).toBe("Access to OData is disabled.");
  });

  it("allows at most the per-mailbox number of subscriptions, counting every app", async () => {
    f.sim.configureNotifications({ maxSubscriptionsPerMailbox: 2 });
    await subscribe();
    const other = await tokenForNewApp(f, ["Mail.Read"]);
    const second = await rawGraph(f, "/subscriptions", { method: "POST", body: subscriptionBody(), token: other.token });
    expect(second.status).toBe(201);
    const third = await rawGraph(f, "/subscriptions", { method: "POST", body: subscriptionBody() });
    expect(third.status).toBe(403);
    expect(third.body.error).toMatchObject({ code: "ExtensionError" });
    expect(third.body.error.message).toContain("Maximum number of subscriptions has been reached");
    expect((await rawGraph(f, "/subscriptions", { method: "POST", body: subscriptionBody({ resource: `/users/${f.bob.id}/messages` }) })).status).toBe(201);
  });
});

describe("change notifications", () => {
  it("a mailbox-wide message subscription: created, updated, moved (updated) and deleted, with the documented payload", async () => {
    const subscription = await subscribe();
    const { id } = deliver("Quote");
    await waitUntil(() => notified().length === 1, "the created notification");
    f.sim.updateMessage(f.alice.address, id, { isRead: true });
    await waitUntil(() => notified().length === 2, "the updated notification");
    f.sim.moveMessage(f.alice.address, id, "archive");
    await waitUntil(() => notified().length === 3, "the moved notification");
    f.sim.deleteMessage(f.alice.address, id, { hard: true });
    await waitUntil(() => notified().length === 4, "the deleted notification");
    expect(notified().map((n) => n.changeType)).toEqual(["created", "updated", "updated", "deleted"]);
    const [created] = notified();
    expect(created).toEqual({
      subscriptionId: subscription.id,
      subscriptionExpirationDateTime: subscription.expirationDateTime,
      clientState: "s3cret-state",
      changeType: "created",
      resource: `Users/${f.alice.id}/Messages/${id}`,
      tenantId: f.tenantId,
      resourceData: {
        "@odata.type": "#Microsoft.Graph.Message",
        "@odata.id": `Users/${f.alice.id}/Messages/${id}`,
        "@odata.etag": expect.stringMatching(/^W\/".+"$/),
        id,
      },
    });
    expect(notified()[3].resourceData["@odata.etag"]).toBeUndefined();
    expect(receiver.received("/lifecycle")).toEqual([]);
  });

  it("a folder subscription sees mail moved in as created and moved out (or soft-deleted) as deleted, and nothing elsewhere", async () => {
    await subscribe({ resource: `/users/${f.alice.address}/mailFolders('Inbox')/messages` });
    const { id } = deliver("Into the inbox");
    deliver("Elsewhere", "archive");
    await waitUntil(() => notified().length === 1, "the inbox notification");
    f.sim.moveMessage(f.alice.address, id, "archive");
    await waitUntil(() => notified().length === 2, "the move-out notification");
    f.sim.moveMessage(f.alice.address, id, "inbox");
    await waitUntil(() => notified().length === 3, "the move-in notification");
    f.sim.deleteMessage(f.alice.address, id);
    await waitUntil(() => notified().length === 4, "the soft-delete notification");
    await sleep(100);
    expect(notified().map((n) => n.changeType)).toEqual(["created", "deleted", "created", "deleted"]);
    expect(notified().every((n) => n.resourceData.id === id)).toBe(true);
  });

  it("only the subscribed change types, also for changes made through Graph", async () => {
    await subscribe({ changeType: "created", resource: `/users/${f.alice.id}/mailFolders/inbox/messages` });
    const { id } = deliver("First");
    await waitUntil(() => notified().length === 1, "the created notification");
    const patched = await rawGraph(f, `/users/${f.alice.id}/messages/${encodeURIComponent(id)}`, { method: "PATCH", body: { isRead: true } });
    expect(patched.status).toBe(200);
    const draft = await rawGraph(f, `/users/${f.alice.id}/messages`, { method: "POST", body: { subject: "draft" } });
    await rawGraph(f, `/users/${f.alice.id}/messages/${encodeURIComponent(draft.body.id)}/move`, { method: "POST", body: { destinationId: "inbox" } });
    await waitUntil(() => notified().length === 2, "the moved-in draft");
    await sleep(100);
    expect(notified().map((n) => [n.changeType, n.resourceData.id])).toEqual([["created", id], ["created", draft.body.id]]);
  });

  it("events and contacts notify with their own types; a contact folder subscription only for its folder", async () => {
    await subscribe({ resource: `/users/${f.alice.id}/events` });
    await subscribe({ resource: `/users/${f.alice.id}/contacts`, notificationUrl: `${receiver.url}/contacts` });
    const folder = f.sim.addContactFolder(f.alice.address, "Customers");
    await subscribe({ resource: `/users/${f.alice.id}/contactFolders/${folder.id}/contacts`, notificationUrl: `${receiver.url}/customers` });
    const event = f.sim.createEvent(f.alice.address, {
      subject: "Review", start: { dateTime: "2026-07-01T09:00:00", timeZone: "UTC" }, end: { dateTime: "2026-07-01T10:00:00", timeZone: "UTC" },
    });
    f.sim.updateEvent(f.alice.address, event.id as string, { subject: "Review (moved)" });
    f.sim.deleteEvent(f.alice.address, event.id as string);
    const contact = f.sim.createContact(f.alice.address, { givenName: "Pat" });
    const customer = f.sim.createContact(f.alice.address, { givenName: "Sam" }, folder.id);
    f.sim.updateContact(f.alice.address, customer.id as string, { surname: "Lee" });
    f.sim.deleteContact(f.alice.address, contact.id as string);
    await waitUntil(() => notified().length === 3 && notified("/contacts").length === 4 && notified("/customers").length === 2, "all notifications");
    expect(notified().map((n) => [n.changeType, n.resourceData["@odata.type"], n.resource])).toEqual([
      ["created", "#Microsoft.Graph.Event", `Users/${f.alice.id}/Events/${event.id}`],
      ["updated", "#Microsoft.Graph.Event", `Users/${f.alice.id}/Events/${event.id}`],
      ["deleted", "#Microsoft.Graph.Event", `Users/${f.alice.id}/Events/${event.id}`],
    ]);
    expect(notified("/contacts").map((n) => [n.changeType, n.resourceData.id])).toEqual([
      ["created", contact.id], ["created", customer.id], ["updated", customer.id], ["deleted", contact.id],
    ]);
    expect(notified("/customers").map((n) => [n.changeType, n.resourceData["@odata.type"]])).toEqual([
      ["created", "#Microsoft.Graph.Contact"], ["updated", "#Microsoft.Graph.Contact"],
    ]);
  });

  it("batches the notifications that are due together into one POST", async () => {
    f.sim.configureNotifications({ batchWindowMs: 50 });
    await subscribe();
    for (const subject of ["a", "b", "c"]) deliver(subject);
    await waitUntil(() => notified().length === 3, "three notifications");
    await sleep(100);
    expect(receiver.batches.map((b) => b.value.length)).toEqual([3]);
  });

  it("sends after the configured latency", async () => {
    f.sim.configureNotifications({ latency: { minMs: 500, maxMs: 500 } });
    await subscribe();
    const start = Date.now();
    deliver("late");
    await sleep(250);
    expect(notified()).toEqual([]);
    await waitUntil(() => notified().length === 1, "the delayed notification");
    expect(receiver.batches[0]!.at - start).toBeGreaterThanOrEqual(490);
  });
});

describe("renewing and deleting", () => {
  it("PATCH sets a new expiration, which later notifications carry", async () => {
    const subscription = await subscribe();
    const renewed = await fixtureGraph(f).api(`/subscriptions/${subscription.id}`).patch({ expirationDateTime: inMinutes(10_000) });
    expect(Date.parse(renewed.expirationDateTime)).toBeGreaterThan(Date.parse(subscription.expirationDateTime));
    expect((await rawGraph(f, `/subscriptions/${subscription.id}`)).body.expirationDateTime).toBe(renewed.expirationDateTime);
    deliver("after renewal");
    await waitUntil(() => notified().length === 1, "the notification");
    expect(notified()[0].subscriptionExpirationDateTime).toBe(renewed.expirationDateTime);
  });

  it("PATCH refuses a too-long expiration, an empty body and fixed properties, changing nothing", async () => {
    const subscription = await subscribe();
    const tooLong = await rawGraph(f, `/subscriptions/${subscription.id}`, { method: "PATCH", body: { expirationDateTime: inMinutes(20_000) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toContain("10080 minutes");
    const empty = await rawGraph(f, `/subscriptions/${subscription.id}`, { method: "PATCH", body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain("expirationDateTime");
    const lifecycle = await rawGraph(f, `/subscriptions/${subscription.id}`, { method: "PATCH", body: { lifecycleNotificationUrl: `${receiver.url}/x` } });
    expect(lifecycle.status).toBe(400);
    expect(lifecycle.body.error.message).toContain("lifecycleNotificationUrl");
    expect((await rawGraph(f, `/subscriptions/${subscription.id}`)).body.expirationDateTime).toBe(subscription.expirationDateTime);
  });

  it("PATCH of a new notificationUrl validates it first", async () => {
    const subscription = await subscribe();
    receiver.validations.length = 0;
    const moved = await rawGraph(f, `/subscriptions/${subscription.id}`, { method: "PATCH", body: { notificationUrl: `${receiver.url}/elsewhere` } });
    expect(moved.status).toBe(200);
    expect(receiver.validations.map((v) => v.path)).toEqual(["/elsewhere"]);
    deliver("to the new URL");
    await waitUntil(() => notified("/elsewhere").length === 1, "the notification at the new URL");
  });

  it("DELETE answers 204; the subscription is gone and notifies no more", async () => {
    const subscription = await subscribe();
    const deleted = await rawGraph(f, `/subscriptions/${subscription.id}`, { method: "DELETE" });
    expect(deleted.status).toBe(204);
    deliver("after delete");
    await sleep(150);
    expect(notified()).toEqual([]);
    const gone = await rawGraph(f, `/subscriptions/${subscription.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error).toMatchObject({ code: "ResourceNotFound", message: "The object was not found." });
    expect((await rawGraph(f, `/subscriptions/${subscription.id}`, { method: "PATCH", body: { expirationDateTime: inMinutes(10) } })).status).toBe(404);
    expect((await rawGraph(f, `/subscriptions/${subscription.id}`, { method: "DELETE" })).status).toBe(404);
  });
});
