/**
 * Microsoft To Do through the real Graph client: lists, task CRUD, finding "the task I created for
 * CRM record X" through its linkedResource, the task delta with changes made in To Do (control
 * API), role checks and lost sync state.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deltaRound, fixtureGraph, rawGraph, startFixture, tokenForNewApp, type SimulatorFixture } from "./simulator-fixture.js";

let f: SimulatorFixture;
let count = 0;
beforeAll(async () => {
  f = await startFixture({ roles: ["Tasks.ReadWrite.All"] });
});
afterAll(() => f.sim.close());

function newMailbox(): string {
  return f.sim.addMailbox({ tenantId: f.tenantId, address: `todo${++count}@contoso.example`, displayName: `Todo ${count}` }).address;
}

async function defaultList(mailbox: string): Promise<string> {
  const lists = await fixtureGraph(f).api(`/users/${mailbox}/todo/lists`).get();
  return lists.value.find((l: any) => l.wellknownListName === "defaultList").id;
}

const link = (externalId: string) => ({ applicationName: "Contoso CRM", externalId, displayName: `Case ${externalId}`, webUrl: `https://crm.example/cases/${externalId}` });

describe("To Do tasks", () => {
  it("round-trip create, get, update and delete; completing stamps completedDateTime", async () => {
    const mailbox = newMailbox();
    const graph = fixtureGraph(f);
    const listId = await defaultList(mailbox);
    const tasks = `/users/${mailbox}/todo/lists/${encodeURIComponent(listId)}/tasks`;
    const created = await graph.api(tasks).post({
      title: "Call back",
      body: { contentType: "text", content: "About the quote" },
      importance: "high",
      dueDateTime: { dateTime: "2025-03-10T00:00:00", timeZone: "W. Europe Standard Time" },
      categories: ["CRM"],
      linkedResources: [link("case-1")],
    });
    expect(created).toMatchObject({
      title: "Call back",
      status: "notStarted",
      importance: "high",
      isReminderOn: false,
      dueDateTime: { dateTime: "2025-03-09T23:00:00.0000000", timeZone: "UTC" },
      linkedResources: [{ id: expect.any(String), ...link("case-1") }],
      "@odata.etag": expect.stringMatching(/^W\/"/),
    });
    expect(created.completedDateTime).toBeUndefined();
    const task = `${tasks}/${encodeURIComponent(created.id)}`;
    expect((await graph.api(task).get()).linkedResources).toBeUndefined();
    expect((await graph.api(task).expand("linkedResources").get()).linkedResources).toEqual(created.linkedResources);

    const done = await graph.api(task).patch({ status: "completed" });
    expect(done).toMatchObject({ status: "completed", completedDateTime: { timeZone: "UTC", dateTime: expect.stringMatching(/^\d{4}-/) } });
    const reopened = await graph.api(task).patch({ status: "inProgress" });
    expect(reopened.completedDateTime).toBeUndefined();

    // The documented update takes an HTML body only, and no linkedResources (they have their own endpoint).
    for (const body of [{ linkedResources: [link("case-2")] }, { body: { contentType: "text", content: "plain" } }]) {
      const refused = await rawGraph(f, task, { method: "PATCH", body });
      expect([refused.status, refused.body.error.code]).toEqual([400, "invalidRequest"]);
    }
    const html = await graph.api(task).patch({ body: { contentType: "html", content: "<p>About the quote</p>" } });
    expect(html.body).toEqual({ contentType: "html", content: "<p>About the quote</p>" });
    expect((await graph.api(task).expand("linkedResources").get()).linkedResources).toEqual(created.linkedResources);

    const two = await rawGraph(f, tasks, { method: "POST", body: { title: "x", linkedResources: [link("a"), link("b")] } });
    expect([two.status, two.body.error.code, two.body.error.message]).toEqual([400, "invalidRequest", "Only one item in linkedResources is allowed."]);

    await graph.api(task).delete();
    const gone = await rawGraph(f, task);
    expect([gone.status, gone.body.error.code]).toEqual([404, "ErrorItemNotFound"]);
  });

  it("are found through their linkedResource's externalId, in created lists too", async () => {
    const mailbox = newMailbox();
    const graph = fixtureGraph(f);
    const list = await graph.api(`/users/${mailbox}/todo/lists`).post({ displayName: "CRM follow-ups" });
    expect(list).toMatchObject({ displayName: "CRM follow-ups", wellknownListName: "none", isOwner: true, isShared: false });
    expect((await graph.api(`/users/${mailbox}/todo/lists`).get()).value.map((l: any) => l.displayName)).toEqual(["Tasks", "CRM follow-ups"]);
    const tasks = `/users/${mailbox}/todo/lists/${encodeURIComponent(list.id)}/tasks`;
    const mine = await graph.api(tasks).post({ title: "mine", linkedResources: [link("case-7")] });
    f.sim.createTask(mailbox, list.id, { title: "other", linkedResources: [link("case-8")] });
    f.sim.createTask(mailbox, list.id, { title: "typed in To Do" });
    const found = await graph.api(tasks).filter("linkedResources/any(r: r/externalId eq 'case-7')").get();
    expect(found.value.map((t: any) => t.id)).toEqual([mine.id]);
    const scoped = await graph.api(tasks).filter("linkedResources/any(r: r/externalId eq 'case-7' and r/applicationName eq 'Other app')").get();
    expect(scoped.value).toEqual([]);
    // The fallback that needs no filter support: expand and match.
    const expanded = await graph.api(tasks).expand("linkedResources").get();
    expect(expanded.value.filter((t: any) => t.linkedResources.some((r: any) => r.externalId === "case-8")).map((t: any) => t.title)).toEqual(["other"]);
    // A linked resource can be added later, and listed.
    const typed = expanded.value.find((t: any) => t.title === "typed in To Do");
    await graph.api(`${tasks}/${encodeURIComponent(typed.id)}/linkedResources`).post(link("case-9"));
    expect((await graph.api(`${tasks}/${encodeURIComponent(typed.id)}/linkedResources`).get()).value).toMatchObject([link("case-9")]);
    // A task id from another list is refused.
    const elsewhere = await rawGraph(f, `/users/${mailbox}/todo/lists/${encodeURIComponent(await defaultList(mailbox))}/tasks/${encodeURIComponent(mine.id)}`);
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([400, "invalidRequest"]);
  });
});

describe("task delta", () => {
  it("pages a list, then reports changes and deletions made in To Do", async () => {
    const mailbox = newMailbox();
    const listId = await defaultList(mailbox);
    const ids = ["a", "b", "c"].map((title) => String(f.sim.createTask(mailbox, null, { title }).id));
    const delta = `${f.sim.url}/v1.0/users/${mailbox}/todo/lists/${encodeURIComponent(listId)}/tasks/delta?$expand=linkedResources`;
    const first = await deltaRound(f, delta, { Prefer: "odata.maxpagesize=2" });
    expect(first.pages).toBe(2);
    expect(first.items.map((t) => t.id).sort()).toEqual([...ids].sort());
    expect(first.items[0]["@odata.type"]).toBeUndefined();
    expect(first.items[0].linkedResources).toEqual([]);

    f.sim.updateTask(mailbox, ids[0]!, { status: "completed" });
    f.sim.deleteTask(mailbox, ids[1]!);
    const added = String(f.sim.createTask(mailbox, listId, { title: "d", linkedResources: [link("case-1")] }).id);
    const second = await deltaRound(f, first.deltaLink);
    const byId = new Map(second.items.map((t) => [t.id, t]));
    expect([...byId.keys()].sort()).toEqual([ids[0], ids[1], added].sort());
    expect(byId.get(ids[0])).toMatchObject({ status: "completed", completedDateTime: expect.any(Object) });
    expect(byId.get(ids[1])).toEqual({ "@odata.type": "#microsoft.graph.todoTask", id: ids[1], "@removed": { reason: "deleted" } });
    expect(byId.get(added).linkedResources).toMatchObject([link("case-1")]);
    expect(f.sim.listTasks(mailbox).map((t) => t.title)).toEqual(["a", "c", "d"]);

    f.sim.evictDeltaTokens();
    const lost = await rawGraph(f, second.deltaLink);
    expect([lost.status, lost.body.error.code]).toEqual([410, "SyncStateNotFound"]);
  });
});

describe("task permissions", () => {
  it("need Tasks.Read.All to read and Tasks.ReadWrite.All to write", async () => {
    const mailbox = newMailbox();
    const listId = await defaultList(mailbox);
    const tasks = `/users/${mailbox}/todo/lists/${encodeURIComponent(listId)}/tasks`;
    const reader = await tokenForNewApp(f, ["Tasks.Read.All"]);
    const others = await tokenForNewApp(f, ["Mail.ReadWrite", "Calendars.ReadWrite", "Contacts.ReadWrite"]);
    expect((await rawGraph(f, tasks, { token: reader.token })).status).toBe(200);
    expect((await rawGraph(f, `${tasks}/delta`, { token: reader.token })).status).toBe(200);
    const write = await rawGraph(f, tasks, { method: "POST", body: { title: "x" }, token: reader.token });
    expect([write.status, write.body.error.code]).toEqual([403, "ErrorAccessDenied"]);
    expect((await rawGraph(f, `/users/${mailbox}/todo/lists`, { method: "POST", body: { displayName: "x" }, token: reader.token })).status).toBe(403);
    expect((await rawGraph(f, tasks, { token: others.token })).status).toBe(403);
  });
});
