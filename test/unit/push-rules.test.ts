/** The pure rules of push: renewal spread, health, the safety net, folding, payloads, clientState, the URL setting. */
import { describe, expect, it } from "vitest";
import { loadSettings, SettingsError } from "../../shared/config/settings.js";
import { parseNotifications } from "../../shared/domain/push/notifications.js";
import {
  notificationBucketMs,
  pushTrigger,
  renewalDueAt,
  retryAfterFailureMs,
  safetyNetNextRun,
  subscriptionResource,
  workloadPushHealth,
  type PushSubscription,
} from "../../shared/domain/push/subscriptions.js";
import { clientStateHash, clientStateMatches, newClientState } from "../../shared/push/client-state.js";

const hour = 3_600_000;
const now = Date.parse("2026-03-02T10:00:00Z");

function sub(kind: PushSubscription["kind"], fields: Partial<PushSubscription> = {}): PushSubscription {
  return { mailboxId: "m1", kind, subscriptionId: `s-${kind}`, status: "active", expiresAt: now + 48 * hour, renewDueAt: now + 30 * hour, failures: 0, unannouncedRounds: 0, ...fields };
}

describe("renewal", () => {
  it("renews between 60 % and 75 % of the lifetime Graph granted, whatever that lifetime is", () => {
    for (const lifetime of [hour, 3 * 24 * hour, 7 * 24 * hour]) {
      for (const id of ["a", "b", "c", "0f1e2d3c-aaaa-bbbb-cccc-000000000001"]) {
        const due = renewalDueAt(now, now + lifetime, id);
        expect(due).toBeGreaterThanOrEqual(now + lifetime * 0.6);
        expect(due).toBeLessThanOrEqual(now + lifetime * 0.75);
      }
    }
  });

  it("spreads subscriptions created at the same moment over a window instead of one tick", () => {
    const lifetime = 3 * 24 * hour;
    const minutes = new Set(Array.from({ length: 500 }, (_, i) => Math.floor(renewalDueAt(now, now + lifetime, `sub-${i}`) / 60_000)));
    expect(minutes.size).toBeGreaterThan(300);
  });

  it.each([
    [1, 5],
    [2, 10],
    [3, 20],
    [5, 60],
    [20, 60],
  ])("retries a failure %i in a row after %i minutes", (failures, minutes) => {
    expect(retryAfterFailureMs(failures)).toBe(minutes * 60_000);
  });
});

describe("health", () => {
  it.each<[string, "incoming" | "act", PushSubscription[], string]>([
    ["every subscription active", "incoming", [sub("messages")], "healthy"],
    ["no subscription", "incoming", [], "notSubscribed"],
    ["creation failed", "incoming", [sub("messages", { status: "failed", subscriptionId: undefined, problem: "ErrorAccessDenied" })], "subscriptionFailed"],
    ["expired (renewal kept failing)", "incoming", [sub("messages", { expiresAt: now - 1 })], "subscriptionExpired"],
    ["removed by Graph", "incoming", [sub("messages", { status: "removed" })], "subscriptionRemoved"],
    ["two safety-net rounds found unannounced changes", "incoming", [sub("messages", { unannouncedRounds: 2 })], "notificationsMissing"],
    ["one such round is not yet a pattern", "incoming", [sub("messages", { unannouncedRounds: 1 })], "healthy"],
    ["ACT with events and contacts (Graph has no app-only To Do notifications)", "act", [sub("events"), sub("contacts")], "healthy"],
    ["ACT lacking its contacts subscription", "act", [sub("events")], "notSubscribed"],
    ["ACT is not helped by the messages subscription", "act", [sub("messages")], "notSubscribed"],
  ])("%s → %s", (_name, workload, subs, expected) => {
    const health = workloadPushHealth(workload, subs, now);
    expect(health.healthy ? "healthy" : health.problem).toBe(expected);
  });
});

describe("safety net", () => {
  const polled = now + 5 * 60_000;
  it.each<[string, Parameters<typeof safetyNetNextRun>[1], number]>([
    ["a completed cycle waits the safety net", { kind: "completed", items: 0 }, now + 1_800_000],
    ["a yield comes back at once", { kind: "yielded", items: 500 }, polled],
    ["throttling keeps its Retry-After", { kind: "throttled", retryAfterMs: 60_000 }, polled],
    ["a failure keeps its retry delay", { kind: "transientFailure", failures: 1 }, polled],
  ])("%s", (_name, end, expected) => {
    expect(safetyNetNextRun(now, end, polled, 1_800, { first: false, random: 0 })).toBe(expected);
  });

  it("never polls more often than the polling schedule already would", () => {
    expect(safetyNetNextRun(now, { kind: "completed", items: 0 }, now + 2 * hour, 1_800, { first: false, random: 0.99 })).toBe(now + 2 * hour);
    expect(safetyNetNextRun(now, { kind: "completed", items: 0 }, polled, 1_800, { first: true, random: 0 })).toBe(polled);
  });

  it("spreads the first round after enabling over the whole interval, later ones over its last tenth", () => {
    const completed = { kind: "completed", items: 0 } as const;
    expect(safetyNetNextRun(now, completed, now, 1_800, { first: true, random: 0.25 })).toBe(now + 450_000);
    expect(safetyNetNextRun(now, completed, now, 1_800, { first: true, random: 0.75 })).toBe(now + 1_350_000);
    expect(safetyNetNextRun(now, completed, now, 1_800, { first: false, random: 0.5 })).toBe(now + 1_710_000);
    expect(safetyNetNextRun(now, completed, now, 1_800, { first: false, random: 0.999 })).toBeGreaterThanOrEqual(now + 1_620_000);
  });
});

describe("folding", () => {
  it("folds notifications of one bucket into one message delivered at the bucket's end", () => {
    const start = Math.ceil(now / notificationBucketMs) * notificationBucketMs;
    const a = pushTrigger("incoming", "m1", start);
    const b = pushTrigger("incoming", "m1", start + notificationBucketMs - 1);
    const c = pushTrigger("incoming", "m1", start + notificationBucketMs);
    expect(b.messageId).toBe(a.messageId);
    expect(a.deliverAt).toBe(start + notificationBucketMs);
    expect(c.messageId).not.toBe(a.messageId);
    expect(pushTrigger("act", "m1", start).messageId).not.toBe(a.messageId);
    expect(pushTrigger("incoming", "m2", start).messageId).not.toBe(a.messageId);
  });
});

describe("resources", () => {
  it.each<[PushSubscription["kind"], string]>([
    ["messages", "/users/u1/messages"],
    ["events", "/users/u1/events"],
    ["contacts", "/users/u1/contacts"],
  ])("%s → %s (by the user's object id)", (kind, resource) => {
    expect(subscriptionResource(kind, "u1")).toBe(resource);
  });
});

describe("notification bodies", () => {
  it("keeps the well-formed items of a batch and counts the rest", () => {
    const parsed = parseNotifications({ value: [{ subscriptionId: "s1", clientState: "x", changeType: "created" }, { clientState: "no id" }, "text", { subscriptionId: "s2", lifecycleEvent: "missed" }] });
    expect(parsed?.items.map((i) => i.subscriptionId)).toEqual(["s1", "s2"]);
    expect(parsed?.malformed).toBe(2);
  });

  it.each([[null], [{}], [{ value: "x" }], [[1, 2]]])("refuses %j as a whole", (body) => {
    expect(parseNotifications(body)).toBeUndefined();
  });

  it("drops an item whose subscription id could not be a Graph id (nor a table key)", () => {
    expect(parseNotifications({ value: [{ subscriptionId: "a/b#c", clientState: "x" }, { subscriptionId: "0f1e2d3c-aaaa-bbbb-cccc-000000000001", clientState: "x" }] })).toMatchObject({ malformed: 1, items: [{ subscriptionId: "0f1e2d3c-aaaa-bbbb-cccc-000000000001" }] });
  });

  it("drops an item whose clientState is longer than Graph allows", () => {
    expect(parseNotifications({ value: [{ subscriptionId: "s", clientState: "x".repeat(129) }] })?.malformed).toBe(1);
  });
});

describe("clientState", () => {
  it("is random, at least 256 bits, within Graph's 128 characters", () => {
    const a = newClientState();
    expect(a).not.toBe(newClientState());
    expect(Buffer.from(a, "base64url").length).toBeGreaterThanOrEqual(32);
    expect(a.length).toBeLessThanOrEqual(128);
  });

  it.each<[string, string | undefined, boolean]>([
    ["the same secret", "secret-1", true],
    ["another secret", "secret-2", false],
    ["no clientState", undefined, false],
    ["an empty one", "", false],
    ["the stored hash itself", clientStateHash("secret-1"), false],
  ])("%s → %s", (_name, received, matches) => {
    expect(clientStateMatches(received, clientStateHash("secret-1"))).toBe(matches);
  });

  it("matches nothing against a missing or malformed stored hash", () => {
    expect(clientStateMatches("x", undefined)).toBe(false);
    expect(clientStateMatches("x", "abc")).toBe(false);
  });
});

describe("PUSH_NOTIFICATION_URL", () => {
  const base = {
    GRAPH_TENANT_ID: "contoso.onmicrosoft.com",
    GRAPH_CLIENT_ID: "5b1e7c0d-3a94-4f7b-8d21-6c9e0f4a2b37",
    GRAPH_CLIENT_SECRET: "s",
    SyncStorage: "UseDevelopmentStorage=true",
  };
  it.each([
    [undefined, undefined],
    ["", undefined],
    ["https://sync.azurewebsites.net/", "https://sync.azurewebsites.net"],
    ["http://127.0.0.1:7071", "http://127.0.0.1:7071"],
    ["http://localhost:7071", "http://localhost:7071"],
  ])("%j → push %j", (value, expected) => {
    expect(loadSettings({ ...base, PUSH_NOTIFICATION_URL: value }, { serviceBus: false }).pushNotificationUrl).toBe(expected);
  });

  it.each(["http://sync.example.com", "ftp://x", "https://sync.example.com/?code=1", "not a url"])("refuses %s at start-up, naming the setting", (value) => {
    expect(() => loadSettings({ ...base, PUSH_NOTIFICATION_URL: value }, { serviceBus: false })).toThrow(SettingsError);
    expect(() => loadSettings({ ...base, PUSH_NOTIFICATION_URL: value }, { serviceBus: false })).toThrow(/PUSH_NOTIFICATION_URL/);
  });
});

describe("the routes Graph posts to", () => {
  it("are, with the console's static files, the only ones without a function key or token (route-access.ts)", async () => {
    const { routeAccess } = await import("../../shared/auth/route-access.js");
    const { isAnonymous } = await import("../../shared/hosting/function-registry.js");
    expect(Object.keys(routeAccess).filter(isAnonymous).sort()).toEqual(["console", "pushLifecycle", "pushNotifications"]);
    expect(isAnonymous("health")).toBe(false);
    expect(isAnonymous("getMailbox")).toBe(false);
  });
});
