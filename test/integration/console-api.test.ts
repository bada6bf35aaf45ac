/**
 * What the console reads beside the admin API: item-level failures (kept ITEM_FAILURE_RETENTION_DAYS,
 * subjects only for roles that see mail content), the monitoring summary (mailboxes by workload and
 * status, hourly figures added up across instances), the approval filter, and the console's own
 * files (no token, nothing outside the build).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purgeExpiredFailures } from "../../shared/api/failure-api.js";
import { hiddenAddress } from "../../shared/auth/mail-content.js";
import { HourlyTally, hourOf } from "../../shared/monitoring/hourly-tally.js";
import { startApiServer, type ApiServer } from "../support/api-server.js";
import { startSyncHarness, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: ApiServer;

beforeAll(async () => {
  h = await startSyncHarness();
  api = await startApiServer(h.runtime);
  expect((await api.call("PUT", "profiles/console", { name: "Console" })).status).toBe(201);
  for (const id of ["mbx-a", "mbx-b"]) {
    expect((await api.call("PUT", `mailboxes/${id}`, { emailAddress: `${id}@contoso.example`, profileId: "console", ownerId: `owner-${id}` })).status).toBe(201);
  }
  expect((await api.call("POST", "mailboxes/mbx-a/approve")).status).toBe(200);
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const monitor = () => bearer(api.tokens.userToken({ roles: ["Monitor.Read"], user: { name: "Ops", directoryRoles: [] } }));
const crmApp = () => bearer(api.tokens.userToken({ roles: ["Records.ReadWrite"], user: { name: "CRM", directoryRoles: [] } }));
const daysAgo = (days: number) => new Date(h.runtime.now() - days * 24 * 60 * 60 * 1000).toISOString();

describe("GET /api/failures", () => {
  beforeAll(async () => {
    const failure = { workload: "incoming", code: "MessageTooLarge", message: "The message from sender@fabrikam.example is over 150 MB: it stays in the mailbox.", subject: "Quarterly deck", sizeBytes: 160 * 1024 * 1024 };
    await h.runtime.failures.record({ ...failure, mailboxId: "mbx-a", graphItemId: "msg-new", at: daysAgo(1) });
    await h.runtime.failures.record({ ...failure, mailboxId: "mbx-b", graphItemId: "msg-b", at: daysAgo(0.5) });
    await h.runtime.failures.record({ ...failure, mailboxId: "mbx-a", graphItemId: "msg-old", at: daysAgo(5) });
  });

  it("lists the failures of the last 3 days, newest first, with the item, the mailbox, when and the cause", async () => {
    const answer = await api.call("GET", "failures");
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ retentionDays: 3, total: 2 });
    expect(answer.body.items.map((f: { graphItemId: string }) => f.graphItemId)).toEqual(["msg-b", "msg-new"]);
    expect(answer.body.items[1]).toMatchObject({ mailboxId: "mbx-a", workload: "incoming", code: "MessageTooLarge", subject: "Quarterly deck" });
    expect((await api.call("GET", "failures?mailboxId=mbx-a")).body.items.map((f: { graphItemId: string }) => f.graphItemId)).toEqual(["msg-new"]);
  });

  it("shows Monitor.Read no subject and no address", async () => {
    const answer = await api.send("GET", "failures", undefined, monitor());
    expect(answer.status).toBe(200);
    for (const failure of answer.body.items) {
      expect(failure).not.toHaveProperty("subject");
      expect(failure.message).toContain(hiddenAddress);
      expect(JSON.stringify(failure)).not.toContain("@");
    }
    expect((await api.send("GET", "failures", undefined, crmApp())).status).toBe(403);
  });

  it("keeps them as long as ITEM_FAILURE_RETENTION_DAYS says, and the scheduler's purge deletes older ones", async () => {
    h.runtime.settings.itemFailureRetentionDays = 7;
    try {
      expect((await api.call("GET", "failures")).body.total).toBe(3);
    } finally {
      h.runtime.settings.itemFailureRetentionDays = 3;
    }
    expect(await purgeExpiredFailures(h.runtime)).toBe(1);
    expect((await h.runtime.failures.forMailbox("mbx-a")).map((f) => f.graphItemId)).toEqual(["msg-new"]);
  });

  it("refuses a bad query, naming the parameter", async () => {
    const answer = await api.call("GET", "failures?top=0");
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain("top");
  });
});

describe("GET /api/monitoring", () => {
  it("counts mailboxes by workload and status, failing and awaiting approval; each a filter of GET /api/mailboxes", async () => {
    const answer = await api.send("GET", "monitoring", undefined, monitor());
    expect(answer.status).toBe(200);
    expect(answer.body.mailboxes).toMatchObject({ total: 2, failing: 0, awaitingApproval: 1 });
    expect(answer.body.mailboxes.byWorkload.incoming).toEqual({ NotRun: 2, Success: 0, Failure: 0, disabled: 2 });
    expect(answer.body.itemFailures.total).toBe(2);
    const awaiting = await api.call("GET", "mailboxes?approved=false");
    expect(awaiting.body.items.map((m: { id: string }) => m.id)).toEqual(["mbx-b"]);
    expect((await api.call("GET", "mailboxes?approved=true")).body.items.map((m: { id: string }) => m.id)).toEqual(["mbx-a"]);
    expect((await api.call("GET", "mailboxes?approved=maybe")).status).toBe(400);
  });

  it("adds up the instances' hourly figures: items, cycles, failures, throttling, latency", async () => {
    const at = h.runtime.now();
    const one = new HourlyTally();
    one.recordCycle({ workload: "incoming", outcome: "completed", items: 5 }, at);
    one.recordCycle({ workload: "incoming", outcome: "throttled", items: 0, nextRunAt: new Date(at + 30_000).toISOString() }, at);
    one.recordLatency("incoming", 2000, at);
    const two = new HourlyTally();
    two.recordCycle({ workload: "outgoing", outcome: "failed", items: 1 }, at);
    two.recordLatency("incoming", 4000, at);
    await h.runtime.syncStats.write("instance-1", one.takeChanged(hourOf(at)));
    await h.runtime.syncStats.write("instance-2", two.takeChanged(hourOf(at)));
    // A second write of the same instance's hour replaces it: a retried write counts nothing twice.
    one.recordCycle({ workload: "incoming", outcome: "completed", items: 2 }, at);
    await h.runtime.syncStats.write("instance-1", one.takeChanged(hourOf(at)));

    const hours = (await api.call("GET", "monitoring")).body.perHour;
    expect(hours.at(-1)).toEqual({
      hour: `${hourOf(at)}:00:00Z`,
      items: 8,
      cycles: 4,
      failed: 1,
      throttled: 1,
      throttleWaitSeconds: 30,
      latencyAverageSeconds: 3,
      latencyMaxSeconds: 4,
    });
  });
});

describe("the console's files", () => {
  it("are served without a token; config.json says how to sign in; nothing outside the build", async () => {
    const page = await fetch(`${api.url}/api/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).toContain('<div id="app">');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(`${api.url}/api/console/${script}`);
    expect(asset.headers.get("cache-control")).toContain("immutable");

    // Azure: MSAL against the app's registration (CONSOLE_CLIENT_ID, else the API's own), for the API's scope.
    Object.assign(h.runtime.env, { API_AUDIENCE: "0b4f6c2e-5a9d-4e1b-9c3f-2d7e8a6b1c40", API_TENANT_ID: "6f1e2d3c-4b5a-4978-8e6f-5d4c3b2a1908", CONSOLE_CLIENT_ID: "", LOGIN_AUTHORITY_HOST: "" });
    const config = await (await fetch(`${api.url}/api/console/config.json`)).json();
    expect(config).toEqual({
      apiBase: "../",
      signIn: { kind: "entra", clientId: "0b4f6c2e-5a9d-4e1b-9c3f-2d7e8a6b1c40", authority: "https://login.microsoftonline.com/6f1e2d3c-4b5a-4978-8e6f-5d4c3b2a1908", scopes: ["api://0b4f6c2e-5a9d-4e1b-9c3f-2d7e8a6b1c40/access_as_user"] },
    });

    expect((await fetch(`${api.url}/api/console`, { redirect: "manual" })).status).toBe(308);
    const escape = await fetch(`${api.url}/api/console/..%2F..%2Fpackage.json`);
    expect(await escape.text()).not.toContain('"devDependencies"');
    expect((await fetch(`${api.url}/api/console/assets/missing.js`)).status).toBe(404);
  });
});
