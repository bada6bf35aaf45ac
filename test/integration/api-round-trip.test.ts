/** PUT as replace, and what GET answers sent back in a PUT (read, change, write), over real HTTP against Azurite. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiServer } from "../support/api-server.js";
import { startSyncHarness, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  h = await startSyncHarness();
  api = await startApiServer(h.runtime);
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

const defaults = { requireApprovedMailboxes: true, alertLevels: ["Error", "Warning", "Information"], alertSenderMailbox: null, trackingToken: { prefix: "CRM:", baseNumber: 0, userNumberDigits: 3, counterDigits: 3 }, defaultTrackOption: "responsesToCrmEmail", autoTrackSentFolderItems: false };

describe("PUT /api/settings replaces the settings", () => {
  it("a field the PUT leaves out takes its default, not the value stored before", async () => {
    const full = { requireApprovedMailboxes: false, alertLevels: ["Error"], alertSenderMailbox: "alerts@contoso.example", trackingToken: { prefix: "T#", counterDigits: 5 } };
    expect((await api.call("PUT", "settings", full)).body).toMatchObject(full);
    const replaced = await api.call("PUT", "settings", { requireApprovedMailboxes: false });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ ...defaults, requireApprovedMailboxes: false });
    expect((await api.call("GET", "settings")).body).toMatchObject({ ...defaults, requireApprovedMailboxes: false });
    expect((await api.call("PUT", "settings", {})).body).toMatchObject(defaults);
  });

  it("what GET answers can be sent back as it is; the same PUT twice leaves the same settings", async () => {
    await api.call("PUT", "settings", { alertLevels: ["Error", "Warning"], alertSenderMailbox: "alerts@contoso.example" });
    const read = (await api.call("GET", "settings")).body;
    expect(read).toMatchObject({ deploymentId: "default", updatedAt: expect.any(String) });
    const { updatedAt, ...settings } = read;
    for (let i = 0; i < 2; i++) {
      const written = await api.call("PUT", "settings", read);
      expect(written.status, JSON.stringify(written.body)).toBe(200);
      expect(written.body).toMatchObject(settings);
    }
    expect((await api.call("PUT", "settings", { ...read, alertLevel: ["Error"] })).body.error.field).toBe("alertLevel");
    await api.call("PUT", "settings", {});
  });
});

describe("PUT /api/profiles/{id} takes what GET answers", () => {
  it("GET, change a field, PUT: accepted, the timestamps and id ignored", async () => {
    expect((await api.call("PUT", "profiles/round-trip", { name: "Round trip", ownerEmail: "it@contoso.example" })).status).toBe(201);
    const read = (await api.call("GET", "profiles/round-trip")).body;
    const written = await api.call("PUT", "profiles/round-trip", { ...read, maxConcurrentConnections: 20, createdAt: "2000-01-01T00:00:00.000Z" });
    expect(written.status, JSON.stringify(written.body)).toBe(200);
    expect((await api.call("GET", "profiles/round-trip")).body).toMatchObject({ ...read, maxConcurrentConnections: 20, updatedAt: expect.any(String) });
    expect((await api.call("PUT", "profiles/round-trip", { ...read, colour: "blue" })).body.error.field).toBe("colour");
  });
});

describe("PUT /api/mailboxes/{id} takes what GET answers", () => {
  beforeAll(async () => {
    const created = await api.call("PUT", "mailboxes/round-trip", { emailAddress: "round.trip@contoso.example", profileId: "profile-1", ownerId: "user-7", processEmailsFrom: "2026-03-01T00:00:00Z", syncMethods: { outgoing: "None", act: "None" } });
    expect(created.status).toBe(201);
    await api.call("POST", "mailboxes/round-trip/approve");
  });

  it("GET, change processEmailsFrom, PUT: accepted, read-only fields ignored, the rest kept", async () => {
    const read = (await api.call("GET", "mailboxes/round-trip")).body;
    const written = await api.call("PUT", "mailboxes/round-trip", { ...read, processEmailsFrom: "2026-01-01T00:00:00Z", approved: false, createdAt: "2000-01-01T00:00:00.000Z" });
    expect(written.status, JSON.stringify(written.body)).toBe(200);
    expect(written.body).toMatchObject({ processEmailsFrom: "2026-01-01T00:00:00.000Z", approved: true, ownerId: "user-7", createdAt: read.createdAt });
    expect(Object.fromEntries(Object.entries(written.body.workloads).map(([w, s]: [string, any]) => [w, s.syncMethod]))).toEqual({ incoming: "ServerSideSync", outgoing: "None", act: "None" });
  });

  it("a workload's syncMethod changed in the GET answer is applied", async () => {
    const read = (await api.call("GET", "mailboxes/round-trip")).body;
    read.workloads.outgoing.syncMethod = "ServerSideSync";
    const written = await api.call("PUT", "mailboxes/round-trip", read);
    expect(written.status, JSON.stringify(written.body)).toBe(200);
    expect(written.body.workloads.outgoing.syncMethod).toBe("ServerSideSync");
  });

  it.each([
    [(read: any) => ({ ...read, colour: "blue" }), "colour"],
    [(read: any) => ({ ...read, workloads: { ...read.workloads, calendar: {} } }), "workloads.calendar"],
    [(read: any) => ({ ...read, workloads: { ...read.workloads, incoming: { ...read.workloads.incoming, syncMetod: "None" } } }), "workloads.incoming.syncMetod"],
    [(read: any) => ({ ...read, syncMethods: { incoming: "None" } }), "workloads.incoming.syncMethod"],
  ])("truly unknown keys and contradictions are still refused (%#)", async (change, field) => {
    const read = (await api.call("GET", "mailboxes/round-trip")).body;
    const response = await api.call("PUT", "mailboxes/round-trip", change(read));
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe(field);
    expect((await api.call("GET", "mailboxes/round-trip")).body).toEqual(read);
  });
});
