/**
 * What the product's Test & Enable reads: the per-workload probe endpoints with their permission
 * checks, the marker property on the Inbox, and the per-app concurrency statistics the
 * connection-limit tests rely on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureGraph, rawGraph, startFixture, tokenForNewApp, waitUntil, type SimulatorFixture } from "./simulator-fixture.js";

let f: SimulatorFixture;
let everything: string;
beforeAll(async () => {
  f = await startFixture();
  ({ token: everything } = await tokenForNewApp(f, ["Mail.ReadWrite", "Calendars.Read", "Contacts.Read", "Tasks.Read.All"]));
});
afterAll(() => f.sim.close());

const probes = {
  calendar: (u: string) => `/users/${u}/calendar`,
  contacts: (u: string) => `/users/${u}/contactFolders`,
  tasks: (u: string) => `/users/${u}/todo/lists`,
};

describe("probe endpoints", () => {
  it("answer with the default calendar, the contact folders and the default To Do list", async () => {
    const folder = f.sim.addContactFolder(f.alice.address, "Customers");
    const calendar = await rawGraph(f, probes.calendar(f.alice.address), { token: everything });
    expect(calendar.status).toBe(200);
    expect(calendar.body).toMatchObject({
      "@odata.context": expect.stringContaining("/calendar/$entity"),
      name: "Calendar",
      isDefaultCalendar: true,
      canEdit: true,
      owner: { name: "Alice Example", address: f.alice.address },
    });
    const contacts = await rawGraph(f, probes.contacts(f.alice.address), { token: everything });
    expect(contacts.body.value).toEqual([{ id: folder.id, displayName: "Customers", parentFolderId: expect.any(String) }]);
    expect((await rawGraph(f, probes.contacts(f.bob.address), { token: everything })).body.value).toEqual([]);
    const lists = await rawGraph(f, probes.tasks(f.alice.address), { token: everything });
    expect(lists.body.value).toEqual([
      { "@odata.etag": expect.any(String), displayName: "Tasks", isOwner: true, isShared: false, wellknownListName: "defaultList", id: expect.any(String) },
    ]);
    const selected = await rawGraph(f, `${probes.calendar(f.alice.address)}?$select=name`, { token: everything });
    expect(Object.keys(selected.body).sort()).toEqual(["@odata.context", "id", "name"]);
  });

  it("need the workload's Read or ReadWrite role", async () => {
    const mailOnly = await tokenForNewApp(f, ["Mail.ReadWrite", "Mail.Send"]);
    for (const probe of Object.values(probes)) {
      const denied = await rawGraph(f, probe(f.alice.address), { token: mailOnly.token });
      expect(denied.status).toBe(403);
      expect(denied.body.error).toMatchObject({ code: "ErrorAccessDenied", message: "Access is denied. Check credentials and try again." });
    }
    const writers = await tokenForNewApp(f, ["Calendars.ReadWrite", "Contacts.ReadWrite", "Tasks.ReadWrite.All"]);
    for (const probe of Object.values(probes)) expect((await rawGraph(f, probe(f.alice.address), { token: writers.token })).status).toBe(200);
    const calendarsOnly = await tokenForNewApp(f, ["Calendars.Read"]);
    expect((await rawGraph(f, probes.calendar(f.bob.address), { token: calendarsOnly.token })).status).toBe(200);
    expect((await rawGraph(f, probes.contacts(f.bob.address), { token: calendarsOnly.token })).status).toBe(403);
    expect((await rawGraph(f, probes.tasks(f.bob.address), { token: calendarsOnly.token })).status).toBe(403);
  });

  it("check user, mailbox scope and mailbox kind like the mail endpoints", async () => {
    const onPremises = f.sim.addMailbox({ tenantId: f.tenantId, address: "probe-onprem@contoso.example", kind: "onPremises" });
    const scoped = await tokenForNewApp(f, ["Calendars.Read", "Contacts.Read", "Tasks.Read.All"]);
    f.sim.setMailboxScope(scoped.clientId, [f.alice.address, onPremises.address]);
    for (const probe of Object.values(probes)) {
      expect((await rawGraph(f, probe(f.alice.address), { token: scoped.token })).status).toBe(200);
      const outside = await rawGraph(f, probe(f.bob.address), { token: scoped.token });
      expect(outside.status).toBe(403);
      expect(outside.body.error.message).toBe("Access to OData is disabled.");
      const unknown = await rawGraph(f, probe("ghost@contoso.example"), { token: scoped.token });
      expect([unknown.status, unknown.body.error.code]).toEqual([404, "ErrorInvalidUser"]);
      const remote = await rawGraph(f, probe(onPremises.address), { token: scoped.token });
      expect([remote.status, remote.body.error.code]).toEqual([404, "MailboxNotEnabledForRESTAPI"]);
    }
  });
});

describe("the marker property on the Inbox", () => {
  it("round-trips a named string property and reads back with the id as stored", async () => {
    const graph = fixtureGraph(f);
    const id = "String {0f6d2c1e-7a3b-4c5d-9e8f-a1b2c3d4e5f6} Name CrmSyncTenant";
    await graph.api(`/users/${f.bob.address}/mailFolders/inbox`).patch({ singleValueExtendedProperties: [{ id, value: "tenant-1" }] });
    const inbox = await graph
      .api(`/users/${f.bob.address}/mailFolders/inbox`)
      .expand(`singleValueExtendedProperties($filter=id eq '${id}')`)
      .get();
    expect(inbox.singleValueExtendedProperties).toEqual([{ id, value: "tenant-1" }]);
    // Exchange compares ids in normalised form: an upper-case GUID reads the same property.
    const shouted = await graph
      .api(`/users/${f.bob.address}/mailFolders/inbox`)
      .expand(`singleValueExtendedProperties($filter=id eq '${id.replace(/\{[^}]+\}/, (guid) => guid.toUpperCase())}')`)
      .get();
    expect(shouted.singleValueExtendedProperties).toEqual([{ id, value: "tenant-1" }]);
  });
});

describe("per-app statistics", () => {
  it("count in-flight Graph requests of each app across its mailboxes", async () => {
    const token = await f.token();
    const mailboxes = ["stats1@contoso.example", "stats2@contoso.example"].map((address) => f.sim.addMailbox({ tenantId: f.tenantId, address }).address);
    f.sim.resetStats();
    for (const mailbox of mailboxes) f.sim.setLatency({ minMs: 500, maxMs: 500, mailbox });
    const running = [0, 1, 1].map((i) => rawGraph(f, `/users/${mailboxes[i]}/mailFolders/inbox`, { token }));
    await waitUntil(() => f.sim.stats().inFlightByApp[f.clientId] === 3, "3 requests of the app are in flight");
    expect(f.sim.stats().inFlightByMailbox).toMatchObject({ [mailboxes[0]!]: 1, [mailboxes[1]!]: 2 });
    await Promise.all(running);
    for (const mailbox of mailboxes) f.sim.setLatency({ minMs: 0, maxMs: 0, mailbox });
    const stats = f.sim.stats();
    expect(stats.inFlightByApp[f.clientId]).toBe(0);
    expect(stats.maxConcurrentByApp[f.clientId]).toBe(3);
  });
});
