/**
 * End to end: `npm start`'s local host as a child process (Azurite, in-process bus, simulator with
 * the demo tenant), mail delivered through the simulator's control API, read back over HTTP.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allAppRoles } from "../../shared/auth/app-roles.js";
import { connectExchangeSimulator } from "../tools/exchange-simulator/index.js";
import { demoTokenInput } from "../tools/local-host/demo-sign-in.js";
import { demoTenantId } from "../tools/local-host/demo-tenant.js";

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
let child: ChildProcess;
let output = "";
let apiUrl = "";
let simulatorUrl = "";
/** The demo admin's token with every role, signed by the simulator (as `npm run token` gets it). */
let authorization = "";

function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const attempt = async () => {
      try {
        const value = await probe();
        if (value !== undefined) return resolve(value);
      } catch {
        // not yet
      }
      if (child.exitCode !== null) return reject(new Error(`The local host exited (${child.exitCode}) while waiting for ${what}. Output:\n${output}`));
      if (Date.now() - started > timeoutMs) return reject(new Error(`Timed out waiting for ${what}. Output so far:\n${output}`));
      setTimeout(attempt, 250);
    };
    void attempt();
  });
}

async function getJson(url: string, headers: Record<string, string> = { Authorization: authorization }): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "test/tools/local-host/cli.ts"), "--in-memory", "--port", "0"], {
    cwd: repoRoot,
    env: { ...process.env, LOCAL_SIMULATOR_PORT: "0", LOCAL_DEMO_MAILBOXES: "5", LOCAL_DEMO_MAIL_EVERY_MS: "1000", LOCAL_SCHEDULER_INTERVAL_SECONDS: "2", GRAPH_TENANT_ID: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  apiUrl = await waitFor("the local host to be ready", () => /local host ready: (http:\/\/\S+)\/api/.exec(output)?.[1], 45_000);
  simulatorUrl = await waitFor("the simulator url", () => /simulated Exchange Online at (https:\/\/\S+)/.exec(output)?.[1], 5_000);
  authorization = `Bearer ${await connectExchangeSimulator(simulatorUrl).issueApiToken(demoTokenInput(demoTenantId, { roles: [...allAppRoles], app: false }))}`;
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGKILL");
  }
});

describe("local host", () => {
  it("asks for a token on every route but health, and says at start how to get one", async () => {
    expect(output).toContain("API tokens: npm run -s token -- <role>...");
    const refused = await getJson(`${apiUrl}/api/mailboxes`, {});
    expect(refused.status).toBe(401);
    const crm = await connectExchangeSimulator(simulatorUrl).issueApiToken(demoTokenInput(demoTenantId, { roles: ["Records.ReadWrite"], app: true }));
    expect((await getJson(`${apiUrl}/api/profiles`, { Authorization: `Bearer ${crm}` })).status).toBe(403);
    expect((await getJson(`${apiUrl}/api/health`, {})).status).toBe(200);
  });

  it("answers health and lists the demo tenant's mailboxes", async () => {
    expect((await getJson(`${apiUrl}/api/health`)).status).toBe(200);
    const { body } = await getJson(`${apiUrl}/api/mailboxes?pageSize=100`);
    expect(body.items).toHaveLength(5);
    expect(body.items[0].workloads.incoming).toMatchObject({ syncMethod: "ServerSideSync", enabled: true });
  });

  it("mail delivered to a mailbox is readable through GET /api/emails within seconds", async () => {
    const sim = connectExchangeSimulator(simulatorUrl);
    const { body } = await getJson(`${apiUrl}/api/mailboxes?pageSize=100`);
    const target = body.items[0];
    // Whatever the demo's tracking options for this owner: every message of this mailbox is tracked.
    const tracking = await fetch(`${apiUrl}/api/mailboxes/${target.id}/tracking`, { method: "PUT", headers: { "Content-Type": "application/json", Authorization: authorization }, body: JSON.stringify({ trackOption: "all" }) });
    expect(tracking.status).toBe(200);
    const subject = `End-to-end check ${Date.now()}`;
    await sim.deliverMessage({ mailbox: target.emailAddress, subject, from: { address: "customer@fabrikam.example", name: "A Customer" }, to: [{ address: target.emailAddress }] });
    const email = await waitFor(
      "the delivered mail to be synced",
      async () => {
        const list = await getJson(`${apiUrl}/api/emails?mailboxId=${target.id}&pageSize=200`);
        return list.body.items.find((item: { subject: string }) => item.subject === subject);
      },
      // Generous: on a 2-core CI machine other suites' local hosts run beside this one.
      60_000,
    );
    const full = await getJson(`${apiUrl}/api/emails/${email.id}`);
    expect(full.body).toMatchObject({ subject, direction: "Incoming", from: { address: "customer@fabrikam.example" } });
    const mailbox = await getJson(`${apiUrl}/api/mailboxes/${target.id}`);
    expect(mailbox.body.workloads.incoming.status).toBe("Success");
  }, 75_000);

  it("runs push against the simulator: the demo's mailboxes subscribe, and GET /api/mailboxes/{id} shows them healthy", async () => {
    const sim = connectExchangeSimulator(simulatorUrl);
    const { body } = await getJson(`${apiUrl}/api/mailboxes?pageSize=100`);
    const target = body.items[0];
    const push = await waitFor(
      "the demo mailbox's subscriptions",
      async () => {
        const view = (await getJson(`${apiUrl}/api/mailboxes/${target.id}`)).body.push;
        return view?.workloads?.incoming?.state === "healthy" && view.workloads.act?.state === "healthy" ? view : undefined;
      },
      30_000,
    );
    expect(push.enabled).toBe(true);
    const atGraph = (await sim.listSubscriptions(target.emailAddress)) as Array<{ notificationUrl: string }>;
    expect(atGraph.map((s) => new URL(s.notificationUrl).pathname)).toEqual(["/api/push/notifications", "/api/push/notifications", "/api/push/notifications"]);
  }, 45_000);

  it("bad requests get a 4xx naming the field", async () => {
    const missing = await getJson(`${apiUrl}/api/emails`);
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe("mailboxId");
    const badPage = await getJson(`${apiUrl}/api/mailboxes?pageSize=5000`);
    expect(badPage.status).toBe(400);
    expect(badPage.body.error.field).toBe("pageSize");
    const badToken = await getJson(`${apiUrl}/api/mailboxes?continuationToken=bm90LWEtdG9rZW4`);
    expect(badToken.status).toBe(400);
    expect(badToken.body.error.field).toBe("continuationToken");
    expect((await getJson(`${apiUrl}/api/mailboxes/no-such-mailbox`)).status).toBe(404);
    expect((await getJson(`${apiUrl}/api/nothing-here`)).status).toBe(404);
  });

  it("the admin flow over HTTP: profile → mailbox → approve → Test & Enable → sync → permanent fault → fix → resume", async () => {
    const sim = connectExchangeSimulator(simulatorUrl);
    const api = async (method: string, route: string, body?: unknown) => {
      const response = await fetch(`${apiUrl}/api/${route}`, { method, headers: { "Content-Type": "application/json", Authorization: authorization }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
    };
    const subjects = async () => ((await api("GET", "emails?mailboxId=newhire&pageSize=100")).body.items as Array<{ subject: string }>).map((e) => e.subject).sort();
    const [{ tenantId }] = (await sim.listMailboxes()) as Array<{ tenantId: string }>;
    await sim.addMailbox({ tenantId, address: "newhire@contoso.example", displayName: "New Hire" });

    expect((await api("PUT", "profiles/e2e", { name: "End to end", polling: { incoming: { minSeconds: 5, defaultSeconds: 5, maxSeconds: 10 } } })).status).toBe(201);
    const mapped = await api("PUT", "mailboxes/newhire", { emailAddress: "newhire@contoso.example", profileId: "e2e", processEmailsFrom: "2000-01-01T00:00:00Z", syncMethods: { outgoing: "None", act: "None" } });
    expect(mapped.status).toBe(201);
    // The new hire tracks every message (the organization default tracks replies to CRM mail only).
    expect((await api("PUT", "mailboxes/newhire/tracking", { trackOption: "all" })).status).toBe(200);
    expect((await api("POST", "mailboxes/newhire/approve")).body.approved).toBe(true);
    const tested = await api("POST", "mailboxes/newhire/test-and-enable");
    expect(tested.body.workloads.incoming).toEqual({ status: "Success" });

    await sim.deliverMessage({ mailbox: "newhire@contoso.example", subject: "Before the fault", from: { address: "customer@fabrikam.example" } });
    await waitFor("mail before the fault", async () => ((await subjects()).includes("Before the fault") ? true : undefined), 60_000);

    await sim.injectFault({ mailbox: "newhire@contoso.example", status: 403, code: "ErrorAccessDenied", message: "Access to OData is disabled.", times: "forever" });
    await sim.deliverMessage({ mailbox: "newhire@contoso.example", subject: "During the outage", from: { address: "customer@fabrikam.example" } });
    await waitFor("the mailbox to be disabled", async () => ((await api("GET", "mailboxes/newhire")).body.workloads.incoming.enabled === false ? true : undefined), 60_000);
    const alerts = (await api("GET", "alerts?mailboxId=newhire&level=Error")).body.items as Array<{ code: string; fix: string }>;
    expect(alerts.map((a) => a.code)).toContain("AccessDenied");

    await sim.clearFaults();
    expect((await api("POST", "mailboxes/newhire/test-and-enable")).body.workloads.incoming).toEqual({ status: "Success" });
    await waitFor("sync to resume", async () => ((await subjects()).includes("During the outage") ? true : undefined), 60_000);
    expect(await subjects()).toEqual(["Before the fault", "During the outage"]);
  }, 200_000);

  it("an email sent and an appointment created through the records API reach Exchange", async () => {
    const sim = connectExchangeSimulator(simulatorUrl);
    const { body } = await getJson(`${apiUrl}/api/mailboxes?pageSize=100`);
    const owner = body.items.find((m: { profileId: string }) => m.profileId === "demo");
    const post = async (route: string, payload: unknown) => {
      const response = await fetch(`${apiUrl}/api/${route}`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: authorization }, body: JSON.stringify(payload) });
      return (await response.json()) as any;
    };
    const email = await post("emails", { senderMailboxId: owner.id, to: [{ address: "buyer@fabrikam.example" }], subject: "E2E quote", body: { contentType: "text", content: "Quote attached." } });
    await post(`emails/${email.id}/send`, {});
    await waitFor("the email to be sent", async () => ((await getJson(`${apiUrl}/api/emails/${email.id}`)).body.status === "Sent" ? true : undefined), 60_000);
    const sent = (await sim.sentLog(owner.emailAddress)) as Array<{ subject: string; to: string[] }>;
    expect(sent.filter((m) => m.subject.startsWith("E2E quote"))).toEqual([expect.objectContaining({ to: ["buyer@fabrikam.example"] })]);

    const startAt = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 2 * 86_400_000;
    const [start, end] = [startAt, startAt + 3_600_000].map((ms) => new Date(ms).toISOString().slice(0, 19));
    await post("appointments", { ownerId: owner.id, subject: "E2E meeting", start: { dateTime: start, timeZone: "UTC" }, end: { dateTime: end, timeZone: "UTC" }, isAllDay: false, organizer: { address: owner.emailAddress }, status: "scheduled" });
    await waitFor("the appointment to reach the calendar", async () => (((await sim.listEvents(owner.emailAddress)) as Array<{ subject: string }>).some((e) => e.subject === "E2E meeting") ? true : undefined), 60_000);
  }, 130_000);

  it("prints progress and stops cleanly on Ctrl-C", async () => {
    await waitFor("a progress line", () => (/mailboxes ok \d+ · failing \d+ · emails synced \d+ · cycles \d+ \(failed \d+, postponed \d+\)/.test(output) ? true : undefined), 15_000);
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    expect(code).toBe(0);
    expect(output).toMatch(/stopped/);
  }, 30_000);
});
