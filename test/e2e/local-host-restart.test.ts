/**
 * Start, stop, start: the local host with a data folder, as `npm start` runs by default. The
 * simulated tenant comes back with the product's data, so every mailbox — the demo's and one an
 * admin mapped by hand — keeps syncing after the restart, and what the admin changed stays. A real
 * tenant's settings on the same data folder see none of the demo's mailboxes, and a malformed
 * LOCAL_SYNC_MAILBOXES stops start-up naming the setting.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runLocalHostToExit, startLocalHostProcess, waitFor, type LocalHostProcess } from "../support/local-host-process.js";

const dataRoot = mkdtempSync(path.join(tmpdir(), "local-host-restart-"));
const demoEnv = { LOCAL_DATA_DIR: dataRoot, LOCAL_DEMO_MAILBOXES: "3", LOCAL_DEMO_MAIL_EVERY_MS: "1000", LOCAL_SCHEDULER_INTERVAL_SECONDS: "1" };
const fast = { minSeconds: 5, defaultSeconds: 5, maxSeconds: 10 };
let host: LocalHostProcess | undefined;

afterAll(async () => {
  await host?.stop();
  rmSync(dataRoot, { recursive: true, force: true });
});

type WorkloadView = { enabled: boolean; status: string; lastRunAt: string | null; nextRunAt: string | null; lastError: { code: string } | null };
type MailboxView = { id: string; emailAddress: string; workloads: Record<string, WorkloadView>; push?: { enabled: boolean; workloads?: Record<string, { state: string }> } };

async function mailboxes(h: LocalHostProcess): Promise<MailboxView[]> {
  return (await h.api("GET", "mailboxes?pageSize=100")).body.items;
}

/**
 * Every enabled workload of every mailbox has run since `since` and succeeded — or, for outgoing
 * with nothing Pending Send, has succeeded and waits, by design, for a Send (no next run: idle
 * outgoing is not polled). Incoming and ACT are made due at every start, push or not.
 */
async function everyWorkloadRanSince(h: LocalHostProcess, since: number): Promise<MailboxView[] | undefined> {
  const items: MailboxView[] = await Promise.all((await mailboxes(h)).map(async (m) => (await h.api("GET", `mailboxes/${m.id}`)).body));
  const settled = (m: MailboxView, name: string, w: WorkloadView) =>
    w.status === "Success" &&
    ((w.lastRunAt !== null && Date.parse(w.lastRunAt) >= since) || (name === "outgoing" && w.nextRunAt === null));
  const enabled = items.flatMap((m) => Object.entries(m.workloads).filter(([, w]) => w.enabled).map(([name, w]) => settled(m, name, w)));
  return enabled.length > 0 && enabled.every(Boolean) ? items : undefined;
}

describe("local host restart", () => {
  it("the demo keeps syncing after a stop and a start, with what the admin changed", async () => {
    host = await startLocalHostProcess(demoEnv);
    const first = host;
    const admin = { name: "Renamed by the admin", maxConcurrentConnections: 7, polling: { incoming: fast, outgoing: fast, act: fast } };
    expect((await first.api("PUT", "profiles/demo", admin)).status).toBe(200);
    // A mailbox of the demo tenant mapped by hand, as README "HTTP API" shows.
    expect((await first.api("PUT", "mailboxes/by-hand", { emailAddress: "allan@contoso.example", profileId: "demo", syncMethods: { outgoing: "None", act: "None" } })).status).toBe(201);
    await first.api("POST", "mailboxes/by-hand/approve");
    // Test & Enable queues the mapped mailbox's first cycle at once: it may run before the answer arrives.
    const started = Date.now();
    expect((await first.api("POST", "mailboxes/by-hand/test-and-enable")).body.workloads.incoming).toEqual({ status: "Success" });
    await waitFor(first.child, first.output, "every workload to sync once", () => everyWorkloadRanSince(first, started), 90_000);
    expect(await first.stop()).toBe(0);

    host = await startLocalHostProcess(demoEnv);
    const second = host;
    const restarted = Date.now();
    const after = await waitFor(second.child, second.output, "every workload to sync after the restart", () => everyWorkloadRanSince(second, restarted), 90_000);
    expect(after.map((m) => m.emailAddress).sort()).toEqual(["adele@contoso.example", "alex@contoso.example", "allan@contoso.example", "diego@contoso.example"]);
    expect(second.output()).not.toMatch(/ failed items=/);
    expect((await second.api("GET", "profiles/demo")).body).toMatchObject(admin);
    // Test & Enable agrees with the cycles.
    expect((await second.api("POST", "mailboxes/by-hand/test-and-enable")).body.workloads.incoming).toEqual({ status: "Success" });
    expect(await second.stop()).toBe(0);
    host = undefined;
  }, 240_000);

  it("a real tenant's settings on the demo's data folder see none of the demo's mailboxes", async () => {
    // Nothing issues that tenant's tokens here: the operator opens the API explicitly, and is told so.
    host = await startLocalHostProcess({
      LOCAL_DATA_DIR: dataRoot,
      LOCAL_SCHEDULER_INTERVAL_SECONDS: "60",
      GRAPH_TENANT_ID: "0c4a7f11-2d3e-4f5a-8b6c-7d8e9f0a1b2c",
      GRAPH_CLIENT_ID: "1d5b8e22-3e4f-4a6b-9c7d-8e9f0a1b2c3d",
      GRAPH_CLIENT_SECRET: "not-used-here",
      // Nothing answers there: this test reads the product's records, not a tenant.
      GRAPH_ENDPOINT: "https://127.0.0.1:9",
      LOGIN_AUTHORITY_HOST: "https://127.0.0.1:9",
      LOCAL_SYNC_MAILBOXES: "alex@contoso.com",
    }, ["--no-auth"]);
    expect(host.output()).toMatch(/SIGN-IN IS OFF \(--no-auth\): every request to http:\/\/127\.0\.0\.1:\d+\/api is served as the local operator with every role/);
    expect((await mailboxes(host)).map((m) => m.emailAddress)).toEqual(["alex@contoso.com"]);
    expect((await host.api("GET", "profiles")).body.items.map((p: { id: string }) => p.id)).toEqual(["local"]);
    expect(await host.stop()).toBe(0);
    host = undefined;
  }, 90_000);

  it("a real tenant without the API's audience stops start-up naming API_AUDIENCE: no mode is open without a token unless asked", async () => {
    const { code, output } = await runLocalHostToExit({
      LOCAL_DATA_DIR: dataRoot, GRAPH_TENANT_ID: "0c4a7f11-2d3e-4f5a-8b6c-7d8e9f0a1b2c", GRAPH_CLIENT_ID: "1d5b8e22-3e4f-4a6b-9c7d-8e9f0a1b2c3d", GRAPH_CLIENT_SECRET: "x",
      GRAPH_ENDPOINT: "https://127.0.0.1:9", LOGIN_AUTHORITY_HOST: "https://127.0.0.1:9", LOCAL_SYNC_MAILBOXES: "alex@contoso.com", API_AUDIENCE: "",
    });
    expect(code).toBe(1);
    expect(output).toMatch(/^Setting API_AUDIENCE is required: expected the API app registration's application \(client\) id/m);
  }, 60_000);

  it("a malformed LOCAL_SYNC_MAILBOXES stops start-up naming the setting", async () => {
    const { code, output } = await runLocalHostToExit({ LOCAL_DATA_DIR: dataRoot, GRAPH_TENANT_ID: "contoso.onmicrosoft.com", GRAPH_CLIENT_ID: "1d5b8e22-3e4f-4a6b-9c7d-8e9f0a1b2c3d", GRAPH_CLIENT_SECRET: "x", LOCAL_SYNC_MAILBOXES: "alex@contoso.com,notanaddress" });
    expect(code).toBe(1);
    expect(output).toMatch(/^Setting LOCAL_SYNC_MAILBOXES is malformed \("notanaddress" is not an email address\)/m);
  }, 60_000);
});
