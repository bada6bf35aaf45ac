/**
 * One Exchange mailbox ↔ one mailbox record ↔ one CRM owner, over real HTTP against Azurite and the
 * simulator: forced takeovers, the local host's seeding, owners, and concurrent mappings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mailboxIdFor, seedLocalMailboxes } from "../tools/local-host/demo-tenant.js";
import { startApiServer } from "../support/api-server.js";
import { allEmails, startSyncHarness, trackEverything, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  // Sync machinery, not tracking: every message is tracked here.
  h = await startSyncHarness({ tracking: trackEverything });
  api = await startApiServer(h.runtime);
  await api.call("PUT", "profiles/contoso", { name: "Contoso", maxConcurrentConnections: 5 });
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

const mailboxBody = (address: string, extra: Record<string, unknown> = {}) => ({ emailAddress: address, profileId: "contoso", processEmailsFrom: "2020-01-01T00:00:00Z", syncMethods: { outgoing: "None", act: "None" }, ...extra });

async function mappedAndEnabled(id: string, address: string, extra: Record<string, unknown> = {}) {
  const put = await api.call("PUT", `mailboxes/${id}`, mailboxBody(address, extra));
  expect([200, 201]).toContain(put.status);
  await api.call("POST", `mailboxes/${id}/approve`);
  return api.call("POST", `mailboxes/${id}/test-and-enable`);
}

async function enabledRowsFor(address: string): Promise<string[]> {
  const all = (await api.call("GET", "mailboxes?pageSize=1000")).body.items as Array<{ id: string; emailAddress: string; workloads: Record<string, { enabled: boolean }> }>;
  return all.filter((m) => m.emailAddress === address && Object.values(m.workloads).some((w) => w.enabled)).map((m) => m.id);
}

async function alertsOf(mailboxId: string): Promise<Array<{ code: string; cause: string }>> {
  return (await api.call("GET", `alerts?mailboxId=${mailboxId}`)).body.items;
}

describe("a forced takeover of an address", () => {
  it("leaves one enabled record: Test & Enable of the displaced one fails and names who holds the address", async () => {
    h.sim.addMailbox({ tenantId: h.tenantId, address: "shared@contoso.example" });
    expect((await mappedAndEnabled("first", "shared@contoso.example", { ownerId: "user-first" })).body.workloads.incoming).toEqual({ status: "Success" });
    const taken = await mappedAndEnabled("second", "shared@contoso.example", { ownerId: "user-second", force: true });
    expect(taken.body.workloads.incoming).toEqual({ status: "Success" });
    expect((await alertsOf("first")).map((a) => a.code)).toContain("MailboxMappedElsewhere");

    const retried = await api.call("POST", "mailboxes/first/test-and-enable");
    expect(retried.status).toBe(200);
    expect(retried.body.workloads.incoming).toMatchObject({ status: "Failure", errorCode: "MailboxMappedElsewhere" });
    expect(retried.body.workloads.incoming.reason).toMatch(/mailbox 'second' \(user 'user-second'\)/);
    expect(retried.body.mailbox.workloads.incoming.enabled).toBe(false);
    const [alert] = (await alertsOf("first")).filter((a) => a.code === "MailboxMappedElsewhere");
    expect(alert!.cause).toMatch(/mailbox 'second' \(user 'user-second'\)/);
    expect(await enabledRowsFor("shared@contoso.example")).toEqual(["second"]);
  });

  it("a displaced record enabled anyway (a takeover whose disable was lost) stops at its next cycle and syncs nothing", async () => {
    const now = h.runtime.now();
    await h.runtime.mailboxes.patch("first", { workload: { name: "incoming", state: { enabled: true, nextSlot: now, dueAt: now } } });
    h.sim.deliverMessage({ mailbox: "shared@contoso.example", subject: "For the holder only", from: { address: "c@fabrikam.example" } });
    const report = await h.runIncoming("first");
    expect(report).toMatchObject({ outcome: "failed", reason: "disabled", errorCode: "MailboxMappedElsewhere", graphRequests: 0 });
    expect(await allEmails(h.runtime, "first")).toEqual([]);
    expect(await enabledRowsFor("shared@contoso.example")).toEqual(["second"]);
    expect((await h.runIncoming("second")).outcome).toBe("completed");
    expect((await allEmails(h.runtime, "second")).map((e) => e.subject)).toContain("For the holder only");
  });

  it("the displaced record gets the address back only with force, which displaces the other", async () => {
    const refused = await api.call("PUT", "mailboxes/first", mailboxBody("shared@contoso.example", { ownerId: "user-first" }));
    expect(refused.status).toBe(409);
    expect(refused.body.error.field).toBe("emailAddress");
    const back = await mappedAndEnabled("first", "shared@contoso.example", { ownerId: "user-first", force: true });
    expect(back.body.workloads.incoming).toEqual({ status: "Success" });
    expect(await enabledRowsFor("shared@contoso.example")).toEqual(["first"]);
  });
});

describe("the local host's seeded mailboxes", () => {
  it("are in the index: mapping a seeded address elsewhere needs force, and force disables the seeded record", async () => {
    const exo = h.sim.addMailbox({ tenantId: h.tenantId, address: "seeded@contoso.example" });
    await seedLocalMailboxes(h.runtime, [{ address: "seeded@contoso.example", exchangeUserId: exo.id }], "demo");
    const seededId = mailboxIdFor("seeded@contoso.example");
    const conflict = await api.call("PUT", "mailboxes/by-hand", mailboxBody("seeded@contoso.example"));
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.field).toBe("emailAddress");
    expect(conflict.body.error.message).toContain(seededId);
    expect((await api.call("GET", "mailboxes/by-hand")).status).toBe(404);

    expect((await api.call("PUT", "mailboxes/by-hand", mailboxBody("seeded@contoso.example", { force: true }))).status).toBe(201);
    // A restart seeds again: the address stays where the admin put it.
    await seedLocalMailboxes(h.runtime, [{ address: "seeded@contoso.example", exchangeUserId: exo.id }], "demo");
    const seeded = (await api.call("GET", `mailboxes/${seededId}`)).body;
    expect(Object.values(seeded.workloads).every((w: any) => w.enabled === false)).toBe(true);
  });

  it("do not map an address an admin mapped first", async () => {
    expect((await api.call("PUT", "mailboxes/mapped-first", mailboxBody("early@contoso.example"))).status).toBe(201);
    await seedLocalMailboxes(h.runtime, [{ address: "early@contoso.example" }], "local");
    expect((await api.call("GET", `mailboxes/${mailboxIdFor("early@contoso.example")}`)).status).toBe(404);
  });
});

describe("one CRM owner, one mailbox", () => {
  it("a second mailbox for the same owner is a 409 naming ownerId and the mailbox that has it, with or without force", async () => {
    expect((await api.call("PUT", "mailboxes/owner-a", mailboxBody("owner-a@contoso.example", { ownerId: "user-42" }))).status).toBe(201);
    for (const force of [false, true]) {
      const refused = await api.call("PUT", "mailboxes/owner-b", mailboxBody("owner-b@contoso.example", { ownerId: "user-42", force }));
      expect(refused.status).toBe(409);
      expect(refused.body.error.field).toBe("ownerId");
      expect(refused.body.error.message).toMatch(/'owner-a'/);
      expect((await api.call("GET", "mailboxes/owner-b")).status).toBe(404);
    }
    // Nothing was kept of the refused mapping: its address is free.
    expect((await api.call("PUT", "mailboxes/owner-c", mailboxBody("owner-b@contoso.example", { ownerId: "user-43" }))).status).toBe(201);
  });

  it("a user and a queue with the same id are different owners; an owner moves once its mailbox lets it go", async () => {
    expect((await api.call("PUT", "mailboxes/queue-42", mailboxBody("queue-42@contoso.example", { ownerType: "queue", ownerId: "user-42" }))).status).toBe(201);
    expect((await api.call("PUT", "mailboxes/owner-a", mailboxBody("owner-a@contoso.example", { ownerId: "user-44" }))).status).toBe(200);
    expect((await api.call("PUT", "mailboxes/owner-b", mailboxBody("owner-b2@contoso.example", { ownerId: "user-42" }))).status).toBe(201);
  });
});

describe("concurrent mappings", () => {
  it("of one address: exactly one wins", async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => api.call("PUT", `mailboxes/race-address-${i}`, mailboxBody("race@contoso.example"))));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
  });

  it("of one owner: exactly one wins, and the losers' addresses stay free", async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => api.call("PUT", `mailboxes/race-owner-${i}`, mailboxBody(`race-owner-${i}@contoso.example`, { ownerId: "user-race" }))));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const loser = answers.findIndex((a) => a.status === 409);
    expect((await api.call("PUT", "mailboxes/after-race", mailboxBody(`race-owner-${loser}@contoso.example`, { ownerId: "user-after" }))).status).toBe(201);
  });
});
