/** The admin API over real HTTP against Azurite and the simulator. */
import { queueNames } from "../../shared/config/names.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiServer } from "../support/api-server.js";
import { allEmails, startSyncHarness, trackEverything, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  // The mailbox lifecycle, not tracking: every message is tracked here.
  h = await startSyncHarness({ tracking: trackEverything });
  api = await startApiServer(h.runtime);
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

const profile = { name: "Contoso", maxConcurrentConnections: 5, ownerEmail: "it@contoso.example", polling: { incoming: { minSeconds: 60, defaultSeconds: 120, maxSeconds: 600 } } };

async function snapshot() {
  const [profiles, mailboxes, alerts] = await Promise.all([api.call("GET", "profiles"), api.call("GET", "mailboxes?pageSize=1000"), api.call("GET", "alerts?pageSize=1000")]);
  return JSON.stringify([profiles.body, mailboxes.body, alerts.body]);
}

describe("profiles", () => {
  it("PUT creates (201) then replaces (200); GET reads it back with defaults filled in", async () => {
    expect((await api.call("PUT", "profiles/contoso", profile)).status).toBe(201);
    const replaced = await api.call("PUT", "profiles/contoso", { ...profile, maxConcurrentConnections: 7 });
    expect(replaced.status).toBe(200);
    const read = await api.call("GET", "profiles/contoso");
    expect(read.body).toMatchObject({ id: "contoso", maxConcurrentConnections: 7, saveSentToSentItems: true, credential: { kind: "deploymentApp" } });
    expect(read.body.polling.incoming).toEqual({ minSeconds: 60, defaultSeconds: 120, maxSeconds: 600 });
    expect(read.body.polling.act).toEqual({ minSeconds: 300, defaultSeconds: 480, maxSeconds: 720 });
    expect((await api.call("GET", "profiles")).body.items.map((p: { id: string }) => p.id)).toContain("contoso");
  });

  it.each([
    [{ ...profile, maxConcurrentConnections: 301 }, "maxConcurrentConnections"],
    [{ ...profile, name: "" }, "name"],
    [{ ...profile, polling: { incoming: { minSeconds: 600, defaultSeconds: 120, maxSeconds: 60 } } }, "polling.incoming"],
    [{ ...profile, credential: { kind: "clientSecret", tenantId: "contoso.example", clientId: "5b1e7c0d-3a94-4f7b-8d21-6c9e0f4a2b37", secretSetting: "PROFILE_CREDENTIAL_MISSING" } }, "credential.secretSetting"],
    [{ ...profile, unexpected: true }, "unexpected"],
    [{ ...profile, ownerEmail: "not an address" }, "ownerEmail"],
  ])("a bad profile body is a 400 naming the field and changes nothing (%#)", async (body, field) => {
    const before = await snapshot();
    const response = await api.call("PUT", "profiles/other", body);
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe(field);
    expect(await snapshot()).toBe(before);
  });

  it("DELETE refuses while mailboxes use the profile, and works once none do", async () => {
    await api.call("PUT", "profiles/temp", profile);
    await api.call("PUT", "mailboxes/temp-mbx", { emailAddress: "temp@contoso.example", profileId: "temp" });
    const refused = await api.call("DELETE", "profiles/temp");
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/temp-mbx/);
    await api.call("PUT", "mailboxes/temp-mbx", { emailAddress: "temp@contoso.example", profileId: "contoso" });
    expect((await api.call("DELETE", "profiles/temp")).status).toBe(204);
    expect((await api.call("GET", "profiles/temp")).status).toBe(404);
  });
});

describe("mailboxes", () => {
  it("a new mailbox is not approved and nothing is enabled until Test & Enable", async () => {
    const created = await api.call("PUT", "mailboxes/crm-user-1", { emailAddress: "Ann@Contoso.example", profileId: "contoso", ownerId: "user-1" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ emailAddress: "ann@contoso.example", approved: false, ownerType: "user" });
    expect(created.body.workloads.incoming).toMatchObject({ syncMethod: "ServerSideSync", enabled: false, status: "NotRun", nextRunAt: null });
  });

  it("mapping an address already mapped is a 409 without force; with force the earlier mailbox is disabled", async () => {
    const conflict = await api.call("PUT", "mailboxes/crm-user-2", { emailAddress: "ann@contoso.example", profileId: "contoso" });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.field).toBe("emailAddress");
    expect((await api.call("GET", "mailboxes/crm-user-2")).status).toBe(404);
    const forced = await api.call("PUT", "mailboxes/crm-user-2", { emailAddress: "ann@contoso.example", profileId: "contoso", force: true });
    expect(forced.status).toBe(201);
    const earlier = await api.call("GET", "mailboxes/crm-user-1");
    expect(Object.values(earlier.body.workloads).every((w: any) => w.enabled === false)).toBe(true);
  });

  it.each([
    [{ emailAddress: "x", profileId: "contoso" }, "emailAddress"],
    [{ emailAddress: "q@contoso.example", profileId: "missing" }, "profileId"],
    [{ emailAddress: "q@contoso.example", profileId: "contoso", ownerType: "queue", syncMethods: { act: "ServerSideSync" } }, "syncMethods.act"],
    [{ emailAddress: "q@contoso.example", profileId: "contoso", syncMethods: { incoming: "Sometimes" } }, "syncMethods.incoming"],
    [{ emailAddress: "q@contoso.example", profileId: "contoso", processEmailsFrom: "yesterday" }, "processEmailsFrom"],
  ])("a bad mailbox body is a 400 naming the field and changes nothing (%#)", async (body, field) => {
    const before = await snapshot();
    const response = await api.call("PUT", "mailboxes/bad-one", body);
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe(field);
    expect(await snapshot()).toBe(before);
  });

  it("bad JSON, unknown ids and more than 200 mailboxes per Test & Enable are refused", async () => {
    expect((await api.call("PUT", "mailboxes/x1", "{not json")).body.error.field).toBe("(body)");
    expect((await api.call("POST", "mailboxes/nobody/approve")).status).toBe(404);
    const many = await api.call("POST", "mailboxes/test-and-enable", { mailboxIds: Array.from({ length: 201 }, (_, i) => `m${i}`) });
    expect(many.status).toBe(400);
    expect(many.body.error.field).toBe("mailboxIds");
    expect(many.body.error.message).toMatch(/at most 200/);
  });

  it("approve → Test & Enable → the mailbox syncs; lists filter by status and workload", async () => {
    const exo = h.sim.addMailbox({ tenantId: h.tenantId, address: "flow@contoso.example" });
    await api.call("PUT", "mailboxes/flow", { emailAddress: "flow@contoso.example", profileId: "contoso", processEmailsFrom: "2020-01-01T00:00:00Z", syncMethods: { outgoing: "None", act: "None" } });
    const early = await api.call("POST", "mailboxes/flow/test-and-enable");
    expect(early.body.workloads.incoming).toMatchObject({ status: "Failure", errorCode: "MailboxNotApproved" });
    expect((await api.call("POST", "mailboxes/flow/approve")).body.approved).toBe(true);
    const tested = await api.call("POST", "mailboxes/flow/test-and-enable", {});
    expect(tested.status).toBe(200);
    expect(tested.body.workloads.incoming).toEqual({ status: "Success" });
    expect(tested.body.exchangeUserId).toBe(exo.id);
    expect(tested.body.mailbox.workloads.incoming).toMatchObject({ enabled: true, status: "Success" });
    // Its first cycle is queued at once, for the slot it was given (not at the scheduler's next tick).
    const slot = (await h.mailbox("flow")).workloads.incoming.nextSlot;
    expect(h.bus.peek(queueNames.incoming).filter((m) => m.sessionId === "flow").map((m) => m.body)).toEqual([expect.objectContaining({ mailboxId: "flow", workload: "incoming", slot, reason: "scheduled" })]);
    h.sim.deliverMessage({ mailbox: "flow@contoso.example", subject: "Hello flow", from: { address: "c@fabrikam.example" } });
    await h.runIncoming("flow");
    expect((await api.call("GET", "emails?mailboxId=flow")).body.items.map((e: { subject: string }) => e.subject)).toEqual(["Hello flow"]);
    const failing = await api.call("GET", "mailboxes?status=Failure&workload=incoming&pageSize=1000");
    expect(failing.body.items.map((m: { id: string }) => m.id)).not.toContain("flow");
    const succeeding = await api.call("GET", "mailboxes?status=Success&workload=incoming&pageSize=1000");
    expect(succeeding.body.items.map((m: { id: string }) => m.id)).toContain("flow");
    expect((await api.call("GET", "alerts?mailboxId=flow")).body.items.map((a: { code: string }) => a.code)).toContain("TestAndEnableSucceeded");
  });

  it("setting Process Emails From back reprocesses mail without duplicates", async () => {
    for (let i = 0; i < 3; i++) h.sim.deliverMessage({ mailbox: "flow@contoso.example", subject: `Old ${i}`, from: { address: "c@fabrikam.example" }, receivedDateTime: `2026-01-0${i + 1}T00:00:00Z` });
    await api.call("PUT", "mailboxes/flow", { emailAddress: "flow@contoso.example", profileId: "contoso", processEmailsFrom: "2026-06-01T00:00:00Z" });
    await h.runIncoming("flow");
    const before = await allEmails(h.runtime, "flow");
    await api.call("PUT", "mailboxes/flow", { emailAddress: "flow@contoso.example", profileId: "contoso", processEmailsFrom: "2025-12-01T00:00:00Z" });
    await h.runIncoming("flow");
    const after = await allEmails(h.runtime, "flow");
    expect(after.map((e) => e.subject).sort()).toEqual([...before.map((e) => e.subject), "Old 0", "Old 1", "Old 2"].sort());
    expect(new Set(after.map((e) => e.id)).size).toBe(after.length);
  });

  it("disable turns the workloads off and takes them off the schedule", async () => {
    const disabled = await api.call("POST", "mailboxes/flow/disable", { workloads: ["incoming"] });
    expect(disabled.body.workloads.incoming).toMatchObject({ enabled: false, nextRunAt: null });
    expect((await h.runIncoming("flow")).reason).toBe("disabled");
  });

  it("settings: approval can be turned off; bad values are refused", async () => {
    expect((await api.call("GET", "settings")).body).toMatchObject({ requireApprovedMailboxes: true, deploymentId: "default" });
    expect((await api.call("PUT", "settings", { alertLevels: ["Fatal"] })).body.error.field).toBe("alertLevels.0");
    const updated = await api.call("PUT", "settings", { requireApprovedMailboxes: false });
    expect(updated.body.requireApprovedMailboxes).toBe(false);
    await api.call("PUT", "settings", { requireApprovedMailboxes: true });
  });
});
