/**
 * Test & Enable of the ACT workload reads every collection an ACT cycle syncs: an app without the
 * contacts or To Do permission fails the probe, instead of a Success followed by failing cycles.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actEngine } from "../../shared/sync/act/act-engine.js";
import { startApiServer } from "../support/api-server.js";
import { startSyncHarness, type SyncHarness } from "../support/sync-harness.js";

const allRoles = ["Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite", "Contacts.ReadWrite", "Tasks.ReadWrite.All", "User.Read.All"];
let h: SyncHarness;
let api: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  h = await startSyncHarness();
  api = await startApiServer(h.runtime);
  h.sim.addMailbox({ tenantId: h.tenantId, address: "planner@contoso.example" });
  await api.call("PUT", "mailboxes/planner", { emailAddress: "planner@contoso.example", profileId: "profile-1", ownerId: "user-planner", syncMethods: { incoming: "None", outgoing: "None", act: "ServerSideSync" } });
  await api.call("POST", "mailboxes/planner/approve");
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

describe("Test & Enable of appointments, contacts and tasks", () => {
  it.each([
    ["Contacts.ReadWrite", "contacts"],
    ["Tasks.ReadWrite.All", "To Do tasks"],
  ])("without %s (%s) it fails, and the cycle would have failed too", async (missing) => {
    h.sim.setAppRoles(h.clientId, allRoles.filter((role) => role !== missing));
    h.sim.expireAccessTokens();
    try {
      const refused = await api.call("POST", "mailboxes/planner/test-and-enable");
      expect(refused.body.workloads.act).toMatchObject({ status: "Failure", errorCode: "ErrorAccessDenied", alert: "AccessDenied" });
      expect((await api.call("GET", "mailboxes/planner")).body.workloads.act.enabled).toBe(false);
    } finally {
      h.sim.setAppRoles(h.clientId, allRoles);
      h.sim.expireAccessTokens();
    }
  });

  it("with every permission it succeeds and the next cycle completes", async () => {
    const tested = await api.call("POST", "mailboxes/planner/test-and-enable");
    expect(tested.body.workloads.act).toEqual({ status: "Success" });
    expect(await h.runCycle(actEngine, "planner")).toMatchObject({ outcome: "completed" });
  });
});
