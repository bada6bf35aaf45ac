/**
 * Email Router migration over real HTTP against Azurite and the Exchange Online simulator: the
 * upload's limits, the plan, exclusions, apply after a crash, and the waves on a controllable clock.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSettings } from "../../shared/config/settings.js";
import { allAppRoles } from "../../shared/auth/app-roles.js";
import { localOperator } from "../../shared/auth/caller.js";
import { startMigration } from "../../shared/migration/apply.js";
import { runDueWaves } from "../../shared/migration/wave-runner.js";
import { createRuntime, type Runtime } from "../../shared/runtime.js";
import { startApiServer } from "../support/api-server.js";
import { startSyncHarness, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let runtime: Runtime;
let api: Awaited<ReturnType<typeof startApiServer>>;
let clock = Date.parse("2026-03-02T09:00:00Z");

const fixture = (router: string, file = "Microsoft.Crm.Tools.EmailAgent.xml") => readFileSync(new URL(`../fixtures/email-router/${router}/${file}`, import.meta.url));

beforeAll(async () => {
  h = await startSyncHarness();
  // The same storage and simulator, on a clock the test moves.
  runtime = createRuntime(loadSettings(h.env, { serviceBus: false }), { queue: h.bus, env: h.env, now: () => clock });
  api = await startApiServer(runtime);
  for (const local of ["ann", "ben", "support", "dana"]) h.sim.addMailbox({ tenantId: h.tenantId, address: `${local}@contoso.example`, displayName: local });
  // sales@ has no Exchange Online mailbox: its Test & Enable fails.
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

async function upload(parts: [string, string, Buffer | string][], contentType?: string) {
  const form = new FormData();
  for (const [router, file, bytes] of parts) form.append(router, new Blob([bytes]), file);
  const response = await fetch(`${api.url}/api/migrations`, contentType ? { method: "POST", body: "x", headers: { "Content-Type": contentType, Authorization: api.authorization } } : { method: "POST", body: form, headers: { Authorization: api.authorization } });
  return { status: response.status, body: (await response.json()) as any };
}

const config = "Microsoft.Crm.Tools.EmailAgent.xml";
const listed = async () => (await api.call("GET", "migrations?pageSize=1000")).body.items.length;

describe("upload limits: refused with a 400 that says why, nothing stored", () => {
  it.each([
    ["a fifth router", ["r1", "r2", "r3", "r4", "r5"].map((r) => [r, config, fixture("hq")] as [string, string, Buffer]), /At most 4 routers per migration: 'r5' is a fifth/],
    ["33 MB combined", [["hq", config, fixture("hq")], ["big", config, Buffer.alloc(33 * 1024 * 1024, 0x20)]] as [string, string, Buffer][], /over 32 MB \(33554432 bytes\) combined/],
    ["the router's encryption key", [["hq", config, fixture("hq")], ["hq", "EncryptionKey.xml", "<key/>"]] as [string, string, string | Buffer][], /EncryptionKey\.xml of router 'hq' is refused/],
    ["a file of another name", [["hq", "notes.txt", "hello"]] as [string, string, string][], /'notes\.txt' of router 'hq' is not a file this migration reads/],
    ["a router without its configuration", [["hq", "Microsoft.Crm.Tools.EmailAgent.SystemState.xml", fixture("hq", "Microsoft.Crm.Tools.EmailAgent.SystemState.xml")]] as [string, string, Buffer][], /Router 'hq' has no Microsoft\.Crm\.Tools\.EmailAgent\.xml/],
    ["a file that is not what it claims (wrong root)", [["hq", config, fixture("hq")], ["branch", config, "<?xml version=\"1.0\"?>\n<SystemState/>"]] as [string, string, string | Buffer][], /Router 'branch', Microsoft\.Crm\.Tools\.EmailAgent\.xml: line 2: <SystemState> is the root element/],
    ["an external entity", [["hq", config, '<?xml version="1.0"?>\n<!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<Configuration>&x;</Configuration>']] as [string, string, string][], /line 2: a DOCTYPE/],
  ])("%s", async (_, parts, message) => {
    const before = await listed();
    const response = await upload(parts);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(message);
    expect(await listed()).toBe(before);
  });

  it("a body that is not multipart/form-data is a 415", async () => {
    expect((await upload([], "application/json")).status).toBe(415);
  });
});

describe("a migration of two routers", () => {
  let id: string;
  let plan: any;

  it("the upload answers the plan: merged profiles, mailboxes with their profile and existing rows, and what is not migrated", async () => {
    await api.call("PUT", "profiles/existing", { name: "Existing" });
    expect((await api.call("PUT", "mailboxes/crm-user-ann", { emailAddress: "ann@contoso.example", profileId: "existing", ownerId: "510f0718-6cf6-5996-8dab-3627d87f907b" })).status).toBe(201);
    const created = await upload([
      ["hq", config, fixture("hq")],
      ["hq", "Microsoft.Crm.Tools.EmailAgent.SystemState.xml", fixture("hq", "Microsoft.Crm.Tools.EmailAgent.SystemState.xml")],
      ["branch", config, fixture("branch")],
    ]);
    expect(created.status).toBe(201);
    ({ id, plan } = created.body);
    expect(created.body).toMatchObject({ status: "Planned", routers: [{ name: "hq", files: [config, "Microsoft.Crm.Tools.EmailAgent.SystemState.xml"], providers: 8 }, { name: "branch", providers: 7 }] });
    expect(plan.profiles.every((p: any) => p.credential.kind === "deploymentApp" && p.processEmailsFrom === "2026-03-01T09:00:00.000Z")).toBe(true);
    const byAddress = Object.fromEntries(plan.mailboxes.map((m: any) => [m.emailAddress, m]));
    expect(Object.keys(byAddress).sort()).toEqual(["ann@contoso.example", "ben@contoso.example", "dana@contoso.example", "sales@contoso.example", "support@contoso.example"]);
    expect(byAddress["ann@contoso.example"]).toMatchObject({ id: "crm-user-ann", existingMailboxId: "crm-user-ann" });
    expect(byAddress["support@contoso.example"]).toMatchObject({ kind: "queue", existingMailboxId: null, incoming: true, outgoing: true });
    expect(plan.notMigrated.map((n: any) => n.kind)).toEqual(expect.arrayContaining(["credentials", "profile", "mailbox"]));
    expect((await api.call("GET", `migrations/${id}`)).body.plan).toEqual(plan);
    const first = await api.call("GET", "migrations?pageSize=1");
    expect(first.body.items).toHaveLength(1);
    expect(first.body.continuationToken === null || typeof first.body.continuationToken === "string").toBe(true);
  });

  it("PATCH excludes a mailbox and sets the waves; an id not in the plan is a 400 naming the field and changes nothing", async () => {
    const ben = plan.mailboxes.find((m: any) => m.emailAddress === "ben@contoso.example");
    const refused = await api.call("PATCH", `migrations/${id}`, { excludedMailboxes: ["nobody"] });
    expect(refused).toMatchObject({ status: 400, body: { error: { field: "excludedMailboxes" } } });
    expect((await api.call("PATCH", `migrations/${id}`, { waves: { size: 201 } })).body.error.field).toBe("waves.size");
    // Two changes at once (a console ticking two boxes): both are applied, neither is a conflict.
    const together = await Promise.all([
      api.call("PATCH", `migrations/${id}`, { excludedMailboxes: [ben.id] }),
      api.call("PATCH", `migrations/${id}`, { approveMailboxes: true }),
      api.call("PATCH", `migrations/${id}`, { waves: { size: 3, intervalMinutes: 90 } }),
    ]);
    expect(together.map((r) => r.status)).toEqual([200, 200, 200]);
    const both = (await api.call("GET", `migrations/${id}`)).body;
    expect(both.plan.mailboxes.find((m: any) => m.id === ben.id).excluded).toBe(true);
    expect(both.settings).toEqual({ waves: { size: 3, intervalMinutes: 90, enabled: true }, approveMailboxes: true });
    const changed = await api.call("PATCH", `migrations/${id}`, { excludedMailboxes: [ben.id], waves: { size: 2, intervalMinutes: 60 }, approveMailboxes: true });
    expect(changed.status).toBe(200);
    expect(changed.body.plan.mailboxes.find((m: any) => m.id === ben.id).excluded).toBe(true);
    expect(changed.body.settings).toEqual({ waves: { size: 2, intervalMinutes: 60, enabled: true }, approveMailboxes: true });
  });

  it("start after a crash half-way finishes what was left and creates nothing twice; start again changes nothing", async () => {
    let steps = 0;
    // The process that crashed was started by an operator who may approve (the approval check is the route's, tested below).
    await expect(startMigration(runtime, id, localOperator(allAppRoles), { afterStep: () => { if (++steps === 3) throw new Error("simulated crash"); } })).rejects.toThrow("simulated crash");
    const halfway = (await api.call("GET", `migrations/${id}`)).body;
    expect(halfway.status).toBe("Applying");
    const started = await api.call("POST", `migrations/${id}/start`);
    expect(started.status).toBe(200);
    expect(started.body.status).toBe("Enabling");
    expect(started.body.progress.apply).toMatchObject({ profilesCreated: 3, mailboxesCreated: 3, mailboxesApproved: 3, conflicts: [] });
    const mailboxes = (await api.call("GET", "mailboxes?pageSize=1000")).body.items;
    const migrated = mailboxes.filter((m: any) => m.id.startsWith("er-"));
    expect(migrated.map((m: any) => m.emailAddress).sort()).toEqual(["dana@contoso.example", "sales@contoso.example", "support@contoso.example"]);
    expect(migrated.every((m: any) => m.approved && m.workloads.act.syncMethod === "None")).toBe(true);
    expect(migrated.find((m: any) => m.emailAddress === "dana@contoso.example").workloads).toMatchObject({ incoming: { syncMethod: "None" }, outgoing: { syncMethod: "ServerSideSync" } });
    expect((await api.call("GET", "mailboxes/crm-user-ann")).body.profileId).toBe("existing");
    const again = await api.call("POST", `migrations/${id}/start`);
    expect(again.body.progress.apply).toEqual(started.body.progress.apply);
    expect((await api.call("GET", "mailboxes?pageSize=1000")).body.items).toHaveLength(mailboxes.length);
    expect((await api.call("PATCH", `migrations/${id}`, { approveMailboxes: false })).status).toBe(409);
  });

  it("waves: queues first, at most the wave size, an interval apart, progress per wave, an alert for failures", async () => {
    const startedAt = clock;
    expect(await runDueWaves(runtime)).toBe(1);
    let read = (await api.call("GET", `migrations/${id}`)).body;
    const [first, second] = read.progress.waves;
    expect(first).toMatchObject({ wave: 1, status: "Done", mailboxes: 2, passed: 1 });
    expect(first.failed).toEqual([{ mailboxId: expect.stringMatching(/^er-/), cause: expect.stringMatching(/^incoming: /) }]);
    expect(second).toMatchObject({ wave: 2, status: "Pending", mailboxes: 1, dueAt: new Date(startedAt + 60 * 60_000).toISOString() });
    const sales = read.plan.mailboxes.find((m: any) => m.emailAddress === "sales@contoso.example");
    expect(first.failed[0].mailboxId).toBe(sales.id);
    const alerts = (await api.call("GET", `alerts?profileId=${sales.profileId}`)).body.items;
    expect(alerts.map((a: any) => a.code)).toContain("MigrationWaveFailures");

    clock = startedAt + 59 * 60_000;
    expect(await runDueWaves(runtime)).toBe(0);
    clock = startedAt + 60 * 60_000;
    expect(await runDueWaves(runtime)).toBe(1);
    read = (await api.call("GET", `migrations/${id}`)).body;
    expect(read.status).toBe("Completed");
    expect(read.progress.waves[1]).toMatchObject({ status: "Done", passed: 1, failed: [] });
    const dana = (await api.call("GET", `mailboxes/${read.plan.mailboxes.find((m: any) => m.emailAddress === "dana@contoso.example").id}`)).body;
    expect(dana.workloads.outgoing).toMatchObject({ enabled: true, status: "Success" });
    clock = startedAt + 10 * 60 * 60_000;
    expect(await runDueWaves(runtime)).toBe(0);
  });
});
