/**
 * Each alert raised by the scenario that causes it, driven through the simulator's fault injection
 * and read back through GET /api/alerts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxTransientFailures } from "../../shared/domain/error-classification.js";
import { ownershipStampId } from "../../shared/graph/ownership-stamp.js";
import { actEngine } from "../../shared/sync/act/act-engine.js";
import { handleDeadLetter } from "../../shared/sync/dead-letter.js";
import { startApiServer } from "../support/api-server.js";
import { startSyncHarness, trackEverything, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: Awaited<ReturnType<typeof startApiServer>>;
let clock = Date.now();

beforeAll(async () => {
  // Mail is tracked whatever its sender, so the 150 MB rule applies to every message delivered here.
  h = await startSyncHarness({ env: { PROFILE_CREDENTIAL_WRONG: "not-the-secret", DEPLOYMENT_ID: "contoso-prod" }, tracking: trackEverything });
  h.runtime.now = () => clock;
  api = await startApiServer(h.runtime);
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

async function alerts(query: string): Promise<Array<{ code: string; level: string; title: string; cause: string; fix: string; mailboxId?: string; profileId?: string }>> {
  return (await api.call("GET", `alerts?${query}`)).body.items;
}

/** A mailbox mapped, approved and enabled through the API (incoming only unless told). */
async function enabledMailbox(name: string, options: { profileId?: string; methods?: Record<string, string> } = {}) {
  const address = `${name}@contoso.example`;
  const exo = h.sim.addMailbox({ tenantId: h.tenantId, address });
  await api.call("PUT", `mailboxes/${name}`, { emailAddress: address, profileId: options.profileId ?? "profile-1", processEmailsFrom: "2020-01-01T00:00:00Z", syncMethods: { outgoing: "None", act: "None", ...options.methods } });
  await api.call("POST", `mailboxes/${name}/approve`);
  await api.call("POST", `mailboxes/${name}/test-and-enable`);
  return { id: name, address, exchangeUserId: exo.id };
}

describe("alerts", () => {
  it("an unapproved mailbox does not sync and the alert says who must approve it", async () => {
    h.sim.addMailbox({ tenantId: h.tenantId, address: "newbie@contoso.example" });
    await api.call("PUT", "mailboxes/newbie", { emailAddress: "newbie@contoso.example", profileId: "profile-1" });
    await h.runtime.mailboxes.patch("newbie", { workload: { name: "incoming", state: { enabled: true, nextSlot: clock, dueAt: clock } } });
    const report = await h.runIncoming("newbie");
    expect(report).toMatchObject({ outcome: "skipped", reason: "notApproved", graphRequests: 0 });
    const [alert] = await alerts("mailboxId=newbie");
    expect(alert).toMatchObject({ code: "MailboxNotApproved", level: "Warning" });
    expect(alert!.fix).toMatch(/CRM admin approves/);
  });

  it("a mailbox hosted on premises fails Test & Enable: mailbox location could not be determined", async () => {
    h.sim.addMailbox({ tenantId: h.tenantId, address: "onprem@contoso.example", kind: "onPremises" });
    await api.call("PUT", "mailboxes/onprem", { emailAddress: "onprem@contoso.example", profileId: "profile-1", syncMethods: { outgoing: "None", act: "None" } });
    await api.call("POST", "mailboxes/onprem/approve");
    const result = await api.call("POST", "mailboxes/onprem/test-and-enable");
    expect(result.body.workloads.incoming).toMatchObject({ status: "Failure", errorCode: "MailboxNotEnabledForRESTAPI" });
    expect((await alerts("mailboxId=onprem")).map((a) => a.code)).toContain("MailboxLocationUnknown");
  });

  it("a mailbox outside the app's scope is disabled at its next cycle with the access-denied alert", async () => {
    const mb = await enabledMailbox("outside");
    h.sim.setMailboxScope(h.clientId, (h.sim.listMailboxes() as Array<{ id: string }>).map((m) => m.id).filter((id) => id !== mb.exchangeUserId));
    const report = await h.runIncoming(mb.id);
    h.sim.setMailboxScope(h.clientId, null);
    expect(report).toMatchObject({ outcome: "failed", errorCode: "ErrorAccessDenied", reason: "disabled" });
    const mailbox = (await api.call("GET", `mailboxes/${mb.id}`)).body;
    expect(mailbox.workloads.incoming).toMatchObject({ enabled: false, status: "Failure", nextRunAt: null });
    expect((await alerts(`mailboxId=${mb.id}&level=Error`))[0]).toMatchObject({ code: "AccessDenied" });
  });

  it("wrong credentials disable every mailbox of the profile with one profile alert", async () => {
    await api.call("PUT", "profiles/wrong-creds", { name: "Wrong credentials", credential: { kind: "clientSecret", tenantId: h.tenantId, clientId: h.clientId, secretSetting: "PROFILE_CREDENTIAL_WRONG" } });
    const a = await enabledMailbox("wc-a");
    const b = await enabledMailbox("wc-b");
    for (const mb of [a, b]) await api.call("PUT", `mailboxes/${mb.id}`, { emailAddress: mb.address, profileId: "wrong-creds" });
    const report = await h.runIncoming(a.id);
    expect(report).toMatchObject({ outcome: "failed", errorCode: "AADSTS7000215" });
    for (const id of [a.id, b.id]) expect((await api.call("GET", `mailboxes/${id}`)).body.workloads.incoming.enabled).toBe(false);
    const profileAlerts = await alerts("profileId=wrong-creds");
    expect(profileAlerts.filter((x) => x.code === "CredentialsInvalid")).toHaveLength(1);
  });

  it("network failures to Graph never disable: the connection alert comes at the 10th in a row, retries back off, and sync resumes by itself", async () => {
    const mb = await enabledMailbox("flaky");
    h.sim.injectFault({ mailbox: mb.address, kind: "reset", times: "forever" });
    const waits: number[] = [];
    for (let i = 1; i <= maxTransientFailures + 3; i++) {
      const report = await h.runIncoming(mb.id);
      expect(report).toMatchObject({ outcome: "failed", errorCode: "NetworkError" });
      expect(report.reason).not.toBe("disabled");
      const codes = (await alerts(`mailboxId=${mb.id}&level=Error`)).map((a) => a.code);
      expect(codes).toEqual(i < maxTransientFailures ? [] : ["SecureConnectionFailed"]);
      const state = (await api.call("GET", `mailboxes/${mb.id}`)).body.workloads.incoming;
      expect(state).toMatchObject({ enabled: true, transientFailures: i });
      waits.push((Date.parse(state.nextRunAt) - clock) / 60_000);
      clock = Date.parse(state.nextRunAt);
    }
    expect(waits).toEqual([5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 10, 20, 30]);
    h.sim.clearFaults();
    expect((await h.runIncoming(mb.id)).outcome).toBe("completed");
    expect((await api.call("GET", `mailboxes/${mb.id}`)).body.workloads.incoming).toMatchObject({ enabled: true, status: "Success", transientFailures: 0 });
    const [alert] = await alerts(`mailboxId=${mb.id}&level=Error`);
    expect(alert!.cause).toMatch(/Nothing was disabled/);
  });

  it("ten failures in a row that are the mailbox's own disable the workload with the repeated-failures alert", async () => {
    const mb = await enabledMailbox("broken");
    h.sim.injectFault({ mailbox: mb.address, status: 400, code: "ErrorInvalidIdMalformed", message: "Id is malformed.", times: "forever" });
    for (let i = 0; i < maxTransientFailures - 1; i++) {
      expect((await h.runIncoming(mb.id)).outcome).toBe("failed");
      clock += 5 * 60 * 1000;
    }
    expect((await api.call("GET", `mailboxes/${mb.id}`)).body.workloads.incoming).toMatchObject({ enabled: true, transientFailures: 9 });
    const last = await h.runIncoming(mb.id);
    h.sim.clearFaults();
    expect(last.reason).toBe("disabled");
    expect((await api.call("GET", `mailboxes/${mb.id}`)).body.workloads.incoming).toMatchObject({ enabled: false, status: "Failure" });
    expect((await alerts(`mailboxId=${mb.id}&level=Error`)).map((a) => a.code)).toEqual(["TransientFailuresExhausted"]);
  });

  it("Test & Enable while the login authority cannot be reached names the outage, not the profile's credentials", async () => {
    await api.call("PUT", "profiles/outage", { name: "Outage" });
    const mb = await enabledMailbox("during-outage");
    await api.call("PUT", `mailboxes/${mb.id}`, { emailAddress: mb.address, profileId: "outage" });
    h.sim.injectFault({ pathIncludes: "oauth2/v2.0/token", kind: "reset", times: "forever" });
    h.sim.expireAccessTokens();
    const result = await api.call("POST", `mailboxes/${mb.id}/test-and-enable`);
    h.sim.clearFaults();
    expect(result.body.workloads.incoming).toMatchObject({ status: "Failure", alert: "LoginAuthorityUnavailable" });
    const codes = (await alerts("profileId=outage&level=Error")).map((a) => a.code);
    expect(codes).toContain("LoginAuthorityUnavailable");
    expect(codes).not.toContain("CredentialsInvalid");
  });

  it("another deployment's ownership stamp fails Test & Enable for every workload unless the admin takes ownership", async () => {
    const mb = await enabledMailbox("shared-owner", { methods: { act: "ServerSideSync" } });
    await h.runtime.graph.patch(`/users/${mb.exchangeUserId}/mailFolders/inbox`, { singleValueExtendedProperties: [{ id: ownershipStampId, value: "fabrikam-prod" }] });
    const refused = await api.call("POST", `mailboxes/${mb.id}/test-and-enable`);
    for (const w of ["incoming", "act"]) {
      expect(refused.body.workloads[w]).toMatchObject({ status: "Failure", errorCode: "OwnedByAnotherOrganization" });
      expect(refused.body.mailbox.workloads[w]).toMatchObject({ enabled: false, status: "Failure" });
    }
    expect((await alerts(`mailboxId=${mb.id}`)).map((a) => a.code)).toContain("OwnedByAnotherOrganization");
    const taken = await api.call("POST", `mailboxes/${mb.id}/test-and-enable`, { takeOwnership: true });
    expect(taken.body.workloads).toMatchObject({ incoming: { status: "Success" }, act: { status: "Success" } });
    const inbox = await h.runtime.graph.get<{ singleValueExtendedProperties: Array<{ value: string }> }>(
      `/users/${mb.exchangeUserId}/mailFolders/inbox?$expand=singleValueExtendedProperties($filter=id eq '${ownershipStampId}')`,
    );
    expect(inbox.singleValueExtendedProperties[0]!.value).toBe("contoso-prod");
  });

  it("Test & Enable of a mailbox with no ACT stamps it too: the stamp is the whole mailbox's", async () => {
    const mb = await enabledMailbox("mail-only");
    const inbox = await h.runtime.graph.get<{ singleValueExtendedProperties?: Array<{ value: string }> }>(
      `/users/${mb.exchangeUserId}/mailFolders/inbox?$expand=singleValueExtendedProperties($filter=id eq '${ownershipStampId}')`,
    );
    expect(inbox.singleValueExtendedProperties?.[0]?.value).toBe("contoso-prod");
  });

  it("when another deployment takes the mailbox over, this deployment's next cycle of any workload stops every workload, with the alert", async () => {
    const mb = await enabledMailbox("taken-over", { methods: { act: "ServerSideSync" } });
    await h.runtime.graph.patch(`/users/${mb.exchangeUserId}/mailFolders/inbox`, { singleValueExtendedProperties: [{ id: ownershipStampId, value: "fabrikam-prod" }] });
    // Test & Enable has just read the stamp: a cycle within the check interval does not re-read it.
    expect(await h.runIncoming(mb.id)).toMatchObject({ outcome: "completed", graphRequests: 2 });
    clock += 5 * 60 * 1000;
    const stopped = await h.runIncoming(mb.id);
    expect(stopped).toMatchObject({ outcome: "failed", reason: "disabled", errorCode: "OwnedByAnotherOrganization" });
    const mailbox = (await api.call("GET", `mailboxes/${mb.id}`)).body;
    for (const w of ["incoming", "act"]) {
      expect(mailbox.workloads[w]).toMatchObject({ enabled: false, status: "Failure", nextRunAt: null, lastError: { code: "OwnedByAnotherOrganization" } });
    }
    expect((await h.runCycle(actEngine, mb.id)).reason).toBe("disabled");
    const [alert] = (await alerts(`mailboxId=${mb.id}`)).filter((a) => a.code === "OwnedByAnotherOrganization");
    expect(alert!.cause).toMatch(/incoming email, outgoing email, and appointments, contacts and tasks/);
  });

  it("mail over 150 MB raises the email-too-large warning once an hour", async () => {
    const mb = await enabledMailbox("bigmail");
    h.sim.deliverMessage({ mailbox: mb.address, subject: "Huge", from: { address: "x@fabrikam.example" }, sizeBytes: 200 * 1024 * 1024 });
    await h.runIncoming(mb.id);
    h.sim.deliverMessage({ mailbox: mb.address, subject: "Huge 2", from: { address: "x@fabrikam.example" }, sizeBytes: 200 * 1024 * 1024 });
    await h.runIncoming(mb.id);
    expect((await alerts(`mailboxId=${mb.id}`)).filter((a) => a.code === "EmailTooLarge")).toHaveLength(1);
  });

  it("more than half of a profile's mailboxes failing within an hour raises a profile alert", async () => {
    await api.call("PUT", "profiles/majority", { name: "Majority" });
    const mbs = [];
    for (const name of ["mj-a", "mj-b", "mj-c"]) {
      const mb = await enabledMailbox(name);
      await api.call("PUT", `mailboxes/${name}`, { emailAddress: mb.address, profileId: "majority" });
      mbs.push(mb);
    }
    for (const mb of mbs.slice(0, 2)) h.sim.injectFault({ mailbox: mb.address, status: 503, code: "ServiceUnavailable", times: "forever" });
    for (const mb of mbs) {
      await h.runIncoming(mb.id);
      clock += 61_000;
    }
    h.sim.clearFaults();
    const [alert] = await alerts("profileId=majority&level=Error");
    expect(alert).toMatchObject({ code: "ProfileMajorityFailing" });
    expect(alert!.cause).toMatch(/2 of 3 mailboxes/);
  });

  it("a dead-lettered run raises an alert and reschedules the mailbox", async () => {
    const mb = await enabledMailbox("poisoned");
    const outcome = await handleDeadLetter(h.runtime, { mailboxId: mb.id, workload: "incoming", slot: 1, reason: "scheduled" });
    expect(outcome).toBe("rescheduled");
    expect((await alerts(`mailboxId=${mb.id}`)).map((a) => a.code)).toContain("DeadLettered");
    const next = (await api.call("GET", `mailboxes/${mb.id}`)).body.workloads.incoming.nextRunAt;
    expect(Date.parse(next)).toBe(clock + 5 * 60 * 1000);
  });

  it("the profile owner is emailed through Graph from the alert-sender mailbox, once an hour per mailbox and code", async () => {
    h.sim.addMailbox({ tenantId: h.tenantId, address: "crm-alerts@contoso.example" });
    await api.call("PUT", "settings", { alertSenderMailbox: "crm-alerts@contoso.example" });
    await api.call("PUT", "profiles/owned", { name: "Owned", ownerEmail: "owner@fabrikam.example" });
    const mb = await enabledMailbox("noticed");
    await api.call("PUT", `mailboxes/${mb.id}`, { emailAddress: mb.address, profileId: "owned" });
    for (let i = 0; i < 2; i++) {
      h.sim.injectFault({ mailbox: mb.address, status: 403, code: "ErrorAccessDenied", times: 1 });
      await h.runtime.mailboxes.patch(mb.id, { workload: { name: "incoming", state: { enabled: true, nextSlot: clock, dueAt: clock } } });
      await h.runIncoming(mb.id);
      clock += 60_000;
    }
    await api.call("PUT", "settings", { alertSenderMailbox: null });
    const notices = (await h.sim.sentLog("crm-alerts@contoso.example")) as Array<{ subject: string; to: string[] }>;
    // The access-denied alert once (the second failure is within the hour); the one mailbox of the
    // profile failing also makes "more than half of the profile's mailboxes" true.
    const denied = notices.filter((n) => n.subject.includes("was denied"));
    expect(denied).toHaveLength(1);
    expect(denied[0]!.subject).toBe("[CRM sync Error] Access to noticed@contoso.example was denied");
    expect(denied[0]!.to).toEqual(["owner@fabrikam.example"]);
    expect(notices.map((n) => n.subject)).toContain("[CRM sync Error] More than half of the mailboxes of profile Owned failed in the last hour");
    const [alert] = (await api.call("GET", `alerts?mailboxId=${mb.id}&level=Error`)).body.items;
    expect(alert.notice).toBe("emailed");
  });

  it("Test & Enable checks the outgoing permission without sending anything", async () => {
    const mb = await enabledMailbox("sender", { methods: { outgoing: "ServerSideSync" } });
    const ok = await api.call("POST", `mailboxes/${mb.id}/test-and-enable`);
    expect(ok.body.workloads.outgoing).toEqual({ status: "Success" });
    h.sim.setAppRoles(h.clientId, ["Mail.ReadWrite", "Calendars.ReadWrite", "Contacts.ReadWrite", "Tasks.ReadWrite.All", "User.Read.All"]);
    h.sim.expireAccessTokens();
    const refused = await api.call("POST", `mailboxes/${mb.id}/test-and-enable`);
    h.sim.setAppRoles(h.clientId, ["Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite", "Contacts.ReadWrite", "Tasks.ReadWrite.All", "User.Read.All"]);
    h.sim.expireAccessTokens();
    expect(refused.body.workloads.outgoing).toMatchObject({ status: "Failure", errorCode: "ErrorAccessDenied", alert: "AccessDenied" });
    expect(refused.body.workloads.incoming).toEqual({ status: "Success" });
    expect(h.sim.sentLog(mb.address)).toEqual([]);
  });

  it("alert levels the organization does not record are dropped", async () => {
    await api.call("PUT", "settings", { alertLevels: ["Error", "Warning"] });
    await enabledMailbox("quiet-success");
    expect((await alerts("mailboxId=quiet-success")).map((a) => a.code)).not.toContain("TestAndEnableSucceeded");
    await api.call("PUT", "settings", { alertLevels: ["Error", "Warning", "Information"] });
  });
});
