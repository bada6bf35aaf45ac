/** Appointments, contacts, tasks and sync filters over real HTTP against Azurite; the repository's moves. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tableNames } from "../../shared/config/names.js";
import type { ActRecord, ActRecordType } from "../../shared/domain/act-records.js";
import { ConcurrencyConflict } from "../../shared/storage/mailbox-repository.js";
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

const collections: Record<ActRecordType, string> = { appointment: "appointments", contact: "contacts", task: "tasks" };

const send = (...args: Parameters<Awaited<ReturnType<typeof startApiServer>>["send"]>) => api.send(...args);

const appointmentBody = (ownerId: string) => ({
  ownerId,
  subject: "Quarterly review",
  body: { contentType: "html", content: "<p>Agenda</p>" },
  location: "Room 4",
  start: { dateTime: "2026-07-01T09:00:00.0000000", timeZone: "W. Europe Standard Time" },
  end: { dateTime: "2026-07-01T10:00:00.0000000", timeZone: "W. Europe Standard Time" },
  organizer: { address: "megan@contoso.example", name: "Megan" },
  requiredAttendees: [{ address: "pat@fabrikam.example", name: "Pat" }],
  // As Graph answers it: unused numbers are 0, a noEnd range has endDate 0001-01-01.
  recurrence: {
    pattern: { type: "weekly", interval: 1, daysOfWeek: ["wednesday"], dayOfMonth: 0, month: 0, firstDayOfWeek: "sunday", index: "first" },
    range: { type: "noEnd", startDate: "2026-07-01", endDate: "0001-01-01", numberOfOccurrences: 0, recurrenceTimeZone: "W. Europe Standard Time" },
  },
  categories: ["Customer"],
});
const contactBody = (ownerId: string) => ({ ownerId, firstName: "Pat", lastName: "Kim", emails: [{ address: "pat@fabrikam.example" }], businessPhone: "+1 425 555 0100", company: "Fabrikam", businessAddress: { city: "Redmond", countryOrRegion: "US" } });
const taskBody = (ownerId: string) => ({ ownerId, subject: "Send the quote", due: { dateTime: "2026-07-03T17:00:00", timeZone: "Europe/Berlin" }, importance: "high" });
const bodies: Record<ActRecordType, (ownerId: string) => Record<string, unknown>> = { appointment: appointmentBody, contact: contactBody, task: taskBody };

const changes: Record<ActRecordType, Record<string, unknown>> = {
  appointment: { subject: "Quarterly review (moved)", status: "completed", optionalAttendees: [{ address: "lee@fabrikam.example" }] },
  contact: { jobTitle: "Buyer", status: "inactive", emails: [{ address: "pat@fabrikam.example" }, { address: "pat.kim@fabrikam.example" }] },
  task: { status: "inProgress", body: { contentType: "text", content: "Ask about volume discounts" } },
};

describe.each(Object.keys(collections) as ActRecordType[])("%s CRUD", (type) => {
  const route = collections[type];
  it("POST creates (201, version 1, ETag); GET reads it back; a GET result PUT back with changes is version 2; DELETE removes it", async () => {
    const created = await send("POST", route, bodies[type]("crud-owner"));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type, ownerId: "crud-owner", version: 1 });
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.etag).toBe('"1"');
    const read = await send("GET", `${route}/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    const replaced = await send("PUT", `${route}/${created.body.id}`, { ...read.body, ...changes[type] });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ ...changes[type], id: created.body.id, version: 2, createdAt: created.body.createdAt });
    expect(replaced.etag).toBe('"2"');
    expect((await send("GET", `${route}/${created.body.id}`)).body).toEqual(replaced.body);

    expect((await send("DELETE", `${route}/${created.body.id}`)).status).toBe(204);
    expect((await send("GET", `${route}/${created.body.id}`)).status).toBe(404);
    expect((await send("DELETE", `${route}/${created.body.id}`)).status).toBe(404);
  });

  it("unknown ids are 404 for GET, PUT and DELETE", async () => {
    for (const method of ["GET", "PUT", "DELETE"]) {
      const response = await send(method, `${route}/no-such-record`, method === "PUT" ? bodies[type]("crud-owner") : undefined);
      expect(response.status, method).toBe(404);
      expect(response.body.error.code).toBe("NotFound");
    }
  });
});

describe("defaults and the stored shape", () => {
  it("a PUT replaces: fields left out take their defaults; organizer is optional", async () => {
    const created = await send("POST", "appointments", appointmentBody("shape-owner"));
    const { organizer: _organizer, recurrence: _recurrence, categories: _categories, ...rest } = appointmentBody("shape-owner");
    const replaced = await send("PUT", `appointments/${created.body.id}`, rest);
    expect(replaced.status).toBe(200);
    expect(replaced.body.organizer).toBeUndefined();
    expect(replaced.body.recurrence).toBeUndefined();
    expect(replaced.body).toMatchObject({ categories: [], isAllDay: false, status: "scheduled", optionalAttendees: [] });
  });

  it("a task completed without completedAt gets the time it was completed", async () => {
    const created = await send("POST", "tasks", { ...taskBody("shape-owner"), status: "completed" });
    expect(created.status).toBe(201);
    expect(created.body.completedAt).toBe(new Date(Date.parse(created.body.createdAt)).toISOString());
  });

  it("large text is kept whole: a 200,000-character body and 300 attendees", async () => {
    const content = "<p>" + "minutes ".repeat(25_000) + "</p>";
    const attendees = Array.from({ length: 300 }, (_, i) => ({ address: `attendee${i}@fabrikam.example`, name: `Attendee ${i} `.padEnd(200, "x") }));
    const created = await send("POST", "appointments", { ...appointmentBody("large-owner"), body: { contentType: "html", content }, requiredAttendees: attendees });
    expect(created.status).toBe(201);
    const read = await send("GET", `appointments/${created.body.id}`);
    expect(read.body.body.content).toBe(content);
    expect(read.body.requiredAttendees).toEqual(attendees);
    const listed = await h.runtime.actRecords.listForOwner("appointment", "large-owner");
    expect(listed.map((r) => (r.fields as { body?: { content: string } }).body?.content.length)).toEqual([content.length]);
  });
});

describe("lists by owner", () => {
  it("pages through one owner's records only, in id order, and refuses a missing owner or a foreign token", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await send("POST", "tasks", { ...taskBody("pager"), subject: `Task ${i}` })).body.id);
    await send("POST", "tasks", taskBody("someone-else"));
    await send("POST", "contacts", contactBody("pager"));
    const pages: string[][] = [];
    let token: string | null = null;
    do {
      const page: { status: number; body: { items: Array<{ id: string; ownerId: string }>; continuationToken: string | null } } = await send("GET", `tasks?ownerId=pager&pageSize=2${token ? `&continuationToken=${encodeURIComponent(token)}` : ""}`);
      expect(page.status).toBe(200);
      expect(page.body.items.every((item) => item.ownerId === "pager")).toBe(true);
      pages.push(page.body.items.map((item) => item.id));
      token = page.body.continuationToken;
    } while (token);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual([...ids].sort());
    expect((await h.runtime.actRecords.listForOwner("task", "pager")).map((r) => r.id)).toEqual([...ids].sort());

    const missing = await send("GET", "tasks");
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe("ownerId");
    const foreign = await send("GET", "tasks?ownerId=pager&continuationToken=bm90LWEtdG9rZW4");
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.field).toBe("continuationToken");
    expect((await send("GET", "appointments?ownerId=nobody-at-all")).body).toEqual({ items: [], continuationToken: null });
  });
});

describe("validation", () => {
  const owner = "val-owner";
  let existing: Record<ActRecordType, { id: string; version: number }>;

  beforeAll(async () => {
    const made = await Promise.all((Object.keys(collections) as ActRecordType[]).map(async (type) => [type, (await send("POST", collections[type], bodies[type](owner))).body] as const));
    existing = Object.fromEntries(made) as typeof existing;
  });

  async function snapshot() {
    const lists = await Promise.all(Object.values(collections).map((route) => send("GET", `${route}?ownerId=${owner}&pageSize=1000`)));
    return JSON.stringify(lists.map((l) => l.body));
  }

  const appt = appointmentBody(owner);
  const at = (dateTime: string, timeZone = "UTC") => ({ dateTime, timeZone });
  const recurrence = appt.recurrence;
  it.each<[ActRecordType, Record<string, unknown>, string]>([
    ["appointment", { ...appt, subject: "  " }, "subject"],
    ["appointment", { ...appt, subject: undefined }, "subject"],
    ["appointment", { ...appt, ownerId: undefined }, "ownerId"],
    ["appointment", { ...appt, ownerId: "has spaces" }, "ownerId"],
    ["appointment", { ...appt, end: appt.start }, "end"],
    // Later on the wall clock, earlier in time: 11:00 in Berlin is 09:00 UTC in July.
    ["appointment", { ...appt, start: at("2026-07-01T10:00:00"), end: at("2026-07-01T11:00:00", "Europe/Berlin") }, "end"],
    ["appointment", { ...appt, start: at("2026-07-01T09:00:00", "Mars/Olympus Mons") }, "start.timeZone"],
    ["appointment", { ...appt, start: at("2026-02-30T09:00:00") }, "start.dateTime"],
    ["appointment", { ...appt, start: at("2026-07-01T09:00:00Z") }, "start.dateTime"],
    ["appointment", { ...appt, isAllDay: true }, "start.dateTime"],
    ["appointment", { ...appt, requiredAttendees: [{ address: "not-an-address" }] }, "requiredAttendees.0.address"],
    ["appointment", { ...appt, organizer: { address: "nobody" } }, "organizer.address"],
    ["appointment", { ...appt, status: "tentative" }, "status"],
    ["appointment", { ...appt, recurrence: { ...recurrence, pattern: { type: "weekly", interval: 1 } } }, "recurrence.pattern.daysOfWeek"],
    ["appointment", { ...appt, recurrence: { ...recurrence, pattern: { type: "daily", interval: 0 } } }, "recurrence.pattern.interval"],
    ["appointment", { ...appt, recurrence: { ...recurrence, pattern: { type: "absoluteYearly", interval: 1, dayOfMonth: 3 } } }, "recurrence.pattern.month"],
    ["appointment", { ...appt, recurrence: { ...recurrence, pattern: { type: "hourly", interval: 1 } } }, "recurrence.pattern.type"],
    ["appointment", { ...appt, recurrence: { ...recurrence, range: { type: "noEnd" } } }, "recurrence.range.startDate"],
    ["appointment", { ...appt, recurrence: { ...recurrence, range: { type: "endDate", startDate: "2026-07-01" } } }, "recurrence.range.endDate"],
    ["appointment", { ...appt, recurrence: { ...recurrence, range: { type: "numbered", startDate: "2026-07-01" } } }, "recurrence.range.numberOfOccurrences"],
    ["appointment", { ...appt, color: "blue" }, "color"],
    ["contact", { ownerId: owner, company: "Fabrikam" }, "firstName"],
    ["contact", { ...contactBody(owner), emails: [{ address: "x" }] }, "emails.0.address"],
    ["contact", { ...contactBody(owner), emails: ["a", "b", "c", "d"].map((l) => ({ address: `${l}@fabrikam.example` })) }, "emails"],
    ["contact", { ...contactBody(owner), status: "archived" }, "status"],
    ["contact", { ...contactBody(owner), businessPhone: "n/a" }, "businessPhone"],
    ["contact", { ...contactBody(owner), homeAddress: { planet: "Earth" } }, "homeAddress.planet"],
    ["task", { ...taskBody(owner), subject: "" }, "subject"],
    ["task", { ...taskBody(owner), status: "done" }, "status"],
    ["task", { ...taskBody(owner), status: "inProgress", completedAt: "2026-07-01T10:00:00Z" }, "completedAt"],
    ["task", { ...taskBody(owner), status: "completed", completedAt: "yesterday" }, "completedAt"],
    ["task", { ...taskBody(owner), due: at("2026-07-03T17:00:00", "Somewhere") }, "due.timeZone"],
    ["task", { ...taskBody(owner), importance: "urgent" }, "importance"],
  ])("%s: a bad body is a 400 naming the field, for POST and PUT, and changes nothing (%#)", async (type, body, field) => {
    const before = await snapshot();
    const created = await send("POST", collections[type], body);
    expect(created.status).toBe(400);
    expect(created.body.error.field).toBe(field);
    const replaced = await send("PUT", `${collections[type]}/${existing[type].id}`, body);
    expect(replaced.status).toBe(400);
    expect(replaced.body.error.field).toBe(field);
    expect(await snapshot()).toBe(before);
  });

  it("bad JSON and a bad If-Match are 400s too", async () => {
    const before = await snapshot();
    const notJson = await fetch(`${api.url}/api/tasks`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: api.authorization }, body: "{oops" });
    expect(notJson.status).toBe(400);
    const badHeader = await send("PUT", `tasks/${existing.task.id}`, taskBody(owner), { "If-Match": "yesterday" });
    expect(badHeader.status).toBe(400);
    expect(badHeader.body.error.field).toBe("If-Match");
    const disagree = await send("PUT", `tasks/${existing.task.id}`, { ...taskBody(owner), version: 1 }, { "If-Match": '"7"' });
    expect(disagree.status).toBe(400);
    expect(disagree.body.error.field).toBe("version");
    expect(await snapshot()).toBe(before);
  });
});

describe("optimistic concurrency", () => {
  it("a stale version in the body or in If-Match is a 409 and changes nothing; the current one succeeds", async () => {
    const created = await send("POST", "contacts", contactBody("occ-owner"));
    const id = created.body.id;
    expect((await send("PUT", `contacts/${id}`, { ...contactBody("occ-owner"), jobTitle: "Buyer", version: 1 })).status).toBe(200);
    const staleBody = await send("PUT", `contacts/${id}`, { ...contactBody("occ-owner"), jobTitle: "CEO", version: 1 });
    expect(staleBody.status).toBe(409);
    expect(staleBody.body.error.message).toMatch(/version 2, not 1/);
    const staleHeader = await send("PUT", `contacts/${id}`, { ...contactBody("occ-owner"), jobTitle: "CEO" }, { "If-Match": '"1"' });
    expect(staleHeader.status).toBe(409);
    expect((await send("DELETE", `contacts/${id}`, undefined, { "If-Match": 'W/"1"' })).status).toBe(409);
    expect((await send("GET", `contacts/${id}`)).body).toMatchObject({ jobTitle: "Buyer", version: 2 });

    const current = await send("PUT", `contacts/${id}`, { ...contactBody("occ-owner"), jobTitle: "CEO" }, { "If-Match": '"2"' });
    expect(current.body).toMatchObject({ jobTitle: "CEO", version: 3 });
    expect((await send("DELETE", `contacts/${id}`, undefined, { "If-Match": '"3"' })).status).toBe(204);
  });

  it("the repository: create is 409-safe, update bumps version and modifiedAt, a stale etag is a ConcurrencyConflict", async () => {
    const record: ActRecord<"task"> = {
      type: "task", id: "task-FromExchange_01", ownerId: "engine-owner", version: 1, createdAt: "2026-01-01T00:00:00.000Z", modifiedAt: "2026-01-01T00:00:00.000Z",
      fields: { subject: "From Exchange", status: "notStarted", importance: "normal" },
    };
    expect(await h.runtime.actRecords.create(record)).toBe(true);
    expect(await h.runtime.actRecords.create({ ...record, fields: { ...record.fields, subject: "Again" } })).toBe(false);
    const first = (await h.runtime.actRecords.get("task", record.id))!;
    expect(first.record).toEqual(record);
    const updated = await h.runtime.actRecords.update({ ...first.record, createdAt: "2030-01-01T00:00:00.000Z", fields: { ...record.fields, status: "inProgress" } }, first.etag);
    expect(updated.record).toMatchObject({ version: 2, createdAt: record.createdAt, fields: { status: "inProgress" } });
    expect(Date.parse(updated.record.modifiedAt)).toBeGreaterThan(Date.parse(record.modifiedAt));
    await expect(h.runtime.actRecords.update({ ...first.record }, first.etag)).rejects.toBeInstanceOf(ConcurrencyConflict);
    expect((await h.runtime.actRecords.update({ ...first.record })).record.version).toBe(3);
    expect((await send("GET", `tasks/${record.id}`)).body).toMatchObject({ id: record.id, subject: "From Exchange", version: 3 });
    expect(await h.runtime.actRecords.remove("task", record.id)).toBe(true);
    expect(await h.runtime.actRecords.remove("task", record.id)).toBe(false);
  });
});

describe("changing the owner", () => {
  const ids = async (type: ActRecordType, ownerId: string) => (await h.runtime.actRecords.listForOwner(type, ownerId)).map((r) => r.id);
  const table = () => h.runtime.storage.table(tableNames.actRecords);
  /** Every record row of the id, whatever its partition (index rows excluded). */
  async function recordRows(id: string) {
    const rows = [];
    for await (const row of table().listEntities<Record<string, unknown>>({ queryOptions: { filter: `RowKey eq '${id}'` } })) rows.push(row);
    return rows;
  }

  it("moves the record to the new owner's list, the same again changes nothing more, and it can move back", async () => {
    const created = (await send("POST", "appointments", appointmentBody("owner-a"))).body;
    const moved = await send("PUT", `appointments/${created.id}`, { ...appointmentBody("owner-b"), version: 1 });
    expect(moved.body).toMatchObject({ ownerId: "owner-b", version: 2 });
    expect(await ids("appointment", "owner-a")).not.toContain(created.id);
    expect(await ids("appointment", "owner-b")).toContain(created.id);
    expect((await send("GET", "appointments?ownerId=owner-b")).body.items.map((r: { id: string }) => r.id)).toContain(created.id);

    const again = await send("PUT", `appointments/${created.id}`, appointmentBody("owner-b"));
    expect(again.body).toMatchObject({ ownerId: "owner-b", version: 3 });
    expect(await ids("appointment", "owner-b")).toEqual(expect.arrayContaining([created.id]));
    await send("PUT", `appointments/${created.id}`, appointmentBody("owner-a"));
    expect(await ids("appointment", "owner-a")).toContain(created.id);
    expect(await ids("appointment", "owner-b")).not.toContain(created.id);
    expect((await recordRows(created.id)).map((row) => [row.ownerId, row.movingTo ?? "", row.movedFrom ?? ""])).toEqual([["owner-a", "", ""]]);
  });

  it("a stale move is a 409 and moves nothing", async () => {
    const created = (await send("POST", "tasks", taskBody("owner-a"))).body;
    await send("PUT", `tasks/${created.id}`, { ...taskBody("owner-a"), subject: "Changed" });
    const stale = await send("PUT", `tasks/${created.id}`, { ...taskBody("owner-b"), version: 1 });
    expect(stale.status).toBe(409);
    expect(await ids("task", "owner-a")).toContain(created.id);
    expect(await ids("task", "owner-b")).not.toContain(created.id);
  });

  it("a move that stopped after marking the old row is ignored: the record stays and can be written", async () => {
    const created = (await send("POST", "contacts", contactBody("owner-a"))).body;
    await table().updateEntity({ partitionKey: "contact|owner-a", rowKey: created.id, movingTo: "owner-c" }, "Merge");
    expect((await send("GET", `contacts/${created.id}`)).body.ownerId).toBe("owner-a");
    expect(await ids("contact", "owner-a")).toContain(created.id);
    expect(await ids("contact", "owner-c")).not.toContain(created.id);
    const written = await send("PUT", `contacts/${created.id}`, { ...contactBody("owner-a"), jobTitle: "Buyer", version: 1 });
    expect(written.body).toMatchObject({ ownerId: "owner-a", jobTitle: "Buyer", version: 2 });
    expect((await recordRows(created.id)).map((row) => [row.ownerId, row.movingTo ?? ""])).toEqual([["owner-a", ""]]);
  });

  it("a move that stopped after writing the new row is finished by the next reader", async () => {
    const created = (await send("POST", "contacts", contactBody("owner-a"))).body;
    const { etag: _etag, timestamp: _timestamp, ...old } = await table().getEntity<Record<string, unknown>>("contact|owner-a", created.id);
    await table().updateEntity({ partitionKey: "contact|owner-a", rowKey: created.id, movingTo: "owner-d" }, "Merge");
    await table().createEntity({ ...old, partitionKey: "contact|owner-d", rowKey: created.id, ownerId: "owner-d", version: 2, movedFrom: "owner-a" });
    expect(await ids("contact", "owner-a")).not.toContain(created.id);
    expect(await ids("contact", "owner-d")).toContain(created.id);
    expect((await send("GET", `contacts/${created.id}`)).body).toMatchObject({ ownerId: "owner-d", version: 2 });
    expect((await recordRows(created.id)).map((row) => [row.ownerId, row.movedFrom ?? ""])).toEqual([["owner-d", ""]]);
  });

  it("a move undone by a later write to the old row leaves the record with its old owner", async () => {
    const created = (await send("POST", "contacts", contactBody("owner-a"))).body;
    const { etag: _etag, timestamp: _timestamp, ...old } = await table().getEntity<Record<string, unknown>>("contact|owner-a", created.id);
    // The new row and the index were written, but the old row was rewritten (unmarked) after the claim.
    await table().createEntity({ ...old, partitionKey: "contact|owner-e", rowKey: created.id, ownerId: "owner-e", version: 2, movedFrom: "owner-a" });
    await table().updateEntity({ partitionKey: `id|contact|${created.id}`, rowKey: "owner", ownerId: "owner-e" }, "Replace");
    expect((await send("GET", `contacts/${created.id}`)).body).toMatchObject({ ownerId: "owner-a", version: 1 });
    expect(await ids("contact", "owner-e")).not.toContain(created.id);
    expect((await recordRows(created.id)).map((row) => row.ownerId)).toEqual(["owner-a"]);
  });
});

describe("sync filters", () => {
  it("GET answers the three defaults for a user with none stored", async () => {
    const response = await send("GET", "sync-filters/filter-user");
    expect(response.status).toBe(200);
    expect(response.body.items).toEqual([
      { ownerId: "filter-user", recordType: "appointment", enabled: true, criteria: { statuses: ["scheduled", "completed", "canceled"], startFromDaysAgo: 30, startToDaysAhead: null } },
      { ownerId: "filter-user", recordType: "contact", enabled: true, criteria: { status: "active" } },
      { ownerId: "filter-user", recordType: "task", enabled: true, criteria: { status: "notCompleted" } },
    ]);
  });

  it("PUT replaces one filter (criteria left out are defaults); GET and the repository read it back", async () => {
    const put = await send("PUT", "sync-filters/filter-user/appointment", { enabled: true, criteria: { statuses: ["scheduled"], startToDaysAhead: 14 } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ ownerId: "filter-user", recordType: "appointment", enabled: true, criteria: { statuses: ["scheduled"], startFromDaysAgo: 30, startToDaysAhead: 14 } });
    expect((await send("PUT", "sync-filters/filter-user/task", { enabled: false })).body).toMatchObject({ enabled: false, criteria: { status: "notCompleted" } });
    const read = await send("GET", "sync-filters/filter-user");
    expect(read.body.items.map((f: { recordType: string; enabled: boolean }) => [f.recordType, f.enabled])).toEqual([["appointment", true], ["contact", true], ["task", false]]);
    expect(read.body.items[0].criteria).toEqual({ statuses: ["scheduled"], startFromDaysAgo: 30, startToDaysAhead: 14 });
    expect(await h.runtime.syncFilters.forOwner("filter-user")).toEqual(read.body.items);
    // Replace means replace: a later PUT without criteria goes back to the defaults.
    await send("PUT", "sync-filters/filter-user/appointment", { enabled: true });
    expect((await send("GET", "sync-filters/filter-user")).body.items[0].criteria).toEqual({ statuses: ["scheduled", "completed", "canceled"], startFromDaysAgo: 30, startToDaysAhead: null });
  });

  it.each<[string, unknown, string]>([
    ["appointment", { criteria: {} }, "enabled"],
    ["appointment", { enabled: "yes" }, "enabled"],
    ["appointment", { enabled: true, criteria: { statuses: [] } }, "criteria.statuses"],
    ["appointment", { enabled: true, criteria: { statuses: ["scheduled", "scheduled"] } }, "criteria.statuses"],
    ["appointment", { enabled: true, criteria: { statuses: ["tentative"] } }, "criteria.statuses.0"],
    ["appointment", { enabled: true, criteria: { startFromDaysAgo: -1 } }, "criteria.startFromDaysAgo"],
    ["appointment", { enabled: true, criteria: { startToDaysAhead: 2.5 } }, "criteria.startToDaysAhead"],
    ["contact", { enabled: true, criteria: { status: "inactive" } }, "criteria.status"],
    ["contact", { enabled: true, criteria: { statuses: ["active"] } }, "criteria.statuses"],
    ["task", { enabled: true, criteria: { status: "open" } }, "criteria.status"],
    ["task", { enabled: true, owner: "someone" }, "owner"],
    ["email", { enabled: true }, "recordType"],
  ])("PUT %s with a bad body is a 400 naming the field and changes nothing (%#)", async (recordType, body, field) => {
    const before = JSON.stringify((await send("GET", "sync-filters/filter-user")).body);
    const response = await send("PUT", `sync-filters/filter-user/${recordType}`, body);
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe(field);
    expect(JSON.stringify((await send("GET", "sync-filters/filter-user")).body)).toBe(before);
  });
});
