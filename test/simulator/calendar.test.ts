/**
 * Events in the default calendar through the real Graph client: CRUD, the CRM stamp filter, the
 * calendarView delta with its window semantics (a weekly series expanded into occurrences, an
 * exception, an event moved out of the window), cancel, role checks and lost sync state.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { occurrenceDates, parseRecurrence } from "../tools/exchange-simulator/recurrence.js";
import { deltaRound, fixtureGraph, rawGraph, startFixture, tokenForNewApp, type SimulatorFixture } from "./simulator-fixture.js";

let f: SimulatorFixture;
let count = 0;
beforeAll(async () => {
  f = await startFixture({ roles: ["Calendars.ReadWrite", "Contacts.ReadWrite", "Tasks.ReadWrite.All"] });
});
afterAll(() => f.sim.close());

function newMailbox(): string {
  return f.sim.addMailbox({ tenantId: f.tenantId, address: `cal${++count}@contoso.example`, displayName: `Cal ${count}` }).address;
}

const stampId = "String {8f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b} Name CrmActivityId";
const stamp = (value: string) => [{ id: stampId, value }];
const at = (dateTime: string, timeZone = "UTC") => ({ dateTime, timeZone });
const march = "startDateTime=2025-03-01T00:00:00Z&endDateTime=2025-04-01T00:00:00Z";
const viewDelta = (mailbox: string, query = march) => `${f.sim.url}/v1.0/users/${mailbox}/calendarView/delta?${query}`;
const removed = (id: string) => ({ "@odata.type": "#microsoft.graph.event", id, "@removed": { reason: "deleted" } });
/** Mondays 09:00–09:30 Berlin time from 24 Feb 2025, eight times. */
const weekly = {
  subject: "Weekly sync",
  start: at("2025-02-24T09:00:00", "W. Europe Standard Time"),
  end: at("2025-02-24T09:30:00", "W. Europe Standard Time"),
  recurrence: {
    pattern: { type: "weekly", interval: 1, daysOfWeek: ["monday"] },
    range: { type: "numbered", startDate: "2025-02-24", numberOfOccurrences: 8 },
  },
};

describe("events", () => {
  it("round-trip create, get, update and delete through the Graph client", async () => {
    const mailbox = newMailbox();
    const graph = fixtureGraph(f);
    const created = await graph.api(`/users/${mailbox}/events`).post({
      subject: "Quote review",
      body: { contentType: "HTML", content: "<p>Bring the <b>quote</b></p>" },
      start: at("2025-03-04T10:00:00", "W. Europe Standard Time"),
      end: at("2025-03-04T11:00:00", "W. Europe Standard Time"),
      location: { displayName: "Room 1" },
      attendees: [{ type: "required", emailAddress: { address: "buyer@fabrikam.example", name: "Buyer" } }],
      categories: ["CRM"],
      showAs: "tentative",
      importance: "high",
      singleValueExtendedProperties: stamp("act-1"),
    });
    expect(created).toMatchObject({
      subject: "Quote review",
      bodyPreview: "Bring the quote",
      start: { dateTime: "2025-03-04T09:00:00.0000000", timeZone: "UTC" },
      end: { dateTime: "2025-03-04T10:00:00.0000000", timeZone: "UTC" },
      originalStartTimeZone: "W. Europe Standard Time",
      type: "singleInstance",
      seriesMasterId: null,
      isOrganizer: true,
      organizer: { emailAddress: { address: mailbox } },
      responseStatus: { response: "organizer" },
      attendees: [{ type: "required", status: { response: "none" }, emailAddress: { name: "Buyer", address: "buyer@fabrikam.example" } }],
      location: { displayName: "Room 1" },
      showAs: "tentative",
      importance: "high",
      iCalUId: expect.stringMatching(/^040000008200E00074C5B7101A82E008/),
      "@odata.etag": `W/"${created.changeKey}"`,
    });
    expect(created.singleValueExtendedProperties).toBeUndefined();

    const local = await graph
      .api(`/users/${mailbox}/calendar/events/${encodeURIComponent(created.id)}`)
      .header("Prefer", 'outlook.timezone="Pacific Standard Time"')
      .expand(`singleValueExtendedProperties($filter=id eq '${stampId}')`)
      .get();
    expect(local.start).toEqual({ dateTime: "2025-03-04T01:00:00.0000000", timeZone: "Pacific Standard Time" });
    expect(local.singleValueExtendedProperties).toEqual(stamp("act-1"));

    const patched = await graph.api(`/users/${mailbox}/events/${encodeURIComponent(created.id)}`).patch({ subject: "Quote review (moved)", start: at("2025-03-05T09:00:00Z"), end: at("2025-03-05T10:00:00Z") });
    expect(patched).toMatchObject({ id: created.id, subject: "Quote review (moved)", start: { dateTime: "2025-03-05T09:00:00.0000000" } });
    expect(patched.changeKey).not.toBe(created.changeKey);

    await graph.api(`/users/${mailbox}/events/${encodeURIComponent(created.id)}`).delete();
    const gone = await rawGraph(f, `/users/${mailbox}/events/${encodeURIComponent(created.id)}`);
    expect([gone.status, gone.body.error.code]).toEqual([404, "ErrorItemNotFound"]);
  });

  it("validate times, zones and recurrences as Graph does", async () => {
    const mailbox = newMailbox();
    const post = (body: object) => rawGraph(f, `/users/${mailbox}/events`, { method: "POST", body });
    const zone = await post({ subject: "x", start: at("2025-03-04T10:00:00", "Greenwich Mean Time"), end: at("2025-03-04T11:00:00") });
    expect([zone.status, zone.body.error.code, zone.body.error.message]).toEqual([
      400, "TimeZoneNotSupportedException", "A valid TimeZone value must be specified. The following TimeZone value is not supported: 'Greenwich Mean Time'.",
    ]);
    const backwards = await post({ subject: "x", start: at("2025-03-04T10:00:00"), end: at("2025-03-04T09:00:00") });
    expect([backwards.status, backwards.body.error.code]).toEqual([400, "ErrorCalendarEndDateIsEarlierThanStartDate"]);
    const noDays = await post({ ...weekly, recurrence: { ...weekly.recurrence, pattern: { type: "weekly", interval: 1 } } });
    expect([noDays.status, noDays.body.error.code]).toEqual([400, "ErrorInvalidRequest"]);
  });

  it("are found by the CRM stamp with the extended-property filter", async () => {
    const mailbox = newMailbox();
    const one = f.sim.createEvent(mailbox, { subject: "one", start: at("2025-03-03T10:00:00"), end: at("2025-03-03T11:00:00"), singleValueExtendedProperties: stamp("crm-1") });
    f.sim.createEvent(mailbox, { subject: "two", start: at("2025-03-03T12:00:00"), end: at("2025-03-03T13:00:00"), singleValueExtendedProperties: stamp("crm-2") });
    f.sim.createEvent(mailbox, { subject: "unstamped", start: at("2025-03-03T14:00:00"), end: at("2025-03-03T15:00:00") });
    const graph = fixtureGraph(f);
    const found = await graph
      .api(`/users/${mailbox}/events`)
      .filter(`singleValueExtendedProperties/any(ep: ep/id eq '${stampId}' and ep/value eq 'CRM-1')`)
      .get();
    expect(found.value.map((e: any) => e.id)).toEqual([one.id]);
    const firstPage = await graph.api(`/users/${mailbox}/events`).top(2).get();
    expect(firstPage.value.map((e: any) => e.subject)).toEqual(["one", "two"]);
    expect((await graph.api(firstPage["@odata.nextLink"]).get()).value.map((e: any) => e.subject)).toEqual(["unstamped"]);
    const bad = await rawGraph(f, `/users/${mailbox}/events?$filter=${encodeURIComponent("subject eq 'one'")}`);
    expect([bad.status, bad.body.error.code]).toEqual([400, "ErrorInvalidUrlQueryFilter"]);
  });

  it("cancel only as the organizer; an attendee's copy answers 400", async () => {
    const mailbox = newMailbox();
    const own = f.sim.createEvent(mailbox, { subject: "mine", start: at("2025-03-03T10:00:00"), end: at("2025-03-03T11:00:00") });
    const invited = f.sim.createEvent(mailbox, {
      subject: "theirs", start: at("2025-03-03T12:00:00"), end: at("2025-03-03T13:00:00"),
      organizer: { emailAddress: { address: "boss@fabrikam.example" } },
    });
    expect(invited).toMatchObject({ isOrganizer: false, responseStatus: { response: "notResponded" } });
    const cancelled = await rawGraph(f, `/users/${mailbox}/events/${encodeURIComponent(String(own.id))}/cancel`, { method: "POST", body: { comment: "Sorry" } });
    expect([cancelled.status, cancelled.body]).toEqual([202, undefined]);
    expect(f.sim.listEvents(mailbox).map((e) => e.subject)).toEqual(["theirs"]);
    const refused = await rawGraph(f, `/users/${mailbox}/events/${encodeURIComponent(String(invited.id))}/cancel`, { method: "POST", body: {} });
    expect([refused.status, refused.body.error.message]).toEqual([400, "Your request can't be completed. You need to be an organizer to cancel a meeting."]);
  });
});

describe("recurrence", () => {
  it("expands patterns into dates (weekly, monthly clamped to the month's end, relative, numbered)", () => {
    const dates = (pattern: object, range: object, until = "2025-12-31") => occurrenceDates(parseRecurrence({ pattern, range }, "UTC"), until);
    expect(dates({ type: "weekly", interval: 2, daysOfWeek: ["tuesday", "thursday"] }, { type: "endDate", startDate: "2025-03-04", endDate: "2025-03-31" }))
      .toEqual(["2025-03-04", "2025-03-06", "2025-03-18", "2025-03-20"]);
    expect(dates({ type: "absoluteMonthly", interval: 1, dayOfMonth: 31 }, { type: "numbered", startDate: "2025-01-31", numberOfOccurrences: 3 }))
      .toEqual(["2025-01-31", "2025-02-28", "2025-03-31"]);
    expect(dates({ type: "relativeMonthly", interval: 1, daysOfWeek: ["friday"], index: "last" }, { type: "numbered", startDate: "2025-01-01", numberOfOccurrences: 2 }))
      .toEqual(["2025-01-31", "2025-02-28"]);
    expect(dates({ type: "daily", interval: 3 }, { type: "noEnd", startDate: "2025-03-01" }, "2025-03-10")).toEqual(["2025-03-01", "2025-03-04", "2025-03-07", "2025-03-10"]);
  });
});

describe("calendarView delta", () => {
  it("returns single instances, occurrences and exceptions of the window, never the series master", async () => {
    const mailbox = newMailbox();
    const graph = fixtureGraph(f);
    const single = f.sim.createEvent(mailbox, { subject: "in March", start: at("2025-03-12T10:00:00Z"), end: at("2025-03-12T11:00:00Z") });
    f.sim.createEvent(mailbox, { subject: "in May", start: at("2025-05-12T10:00:00Z"), end: at("2025-05-12T11:00:00Z") });
    const master = await graph.api(`/users/${mailbox}/events`).post(weekly);
    expect(master).toMatchObject({ type: "seriesMaster", recurrence: { pattern: { type: "weekly", daysOfWeek: ["monday"], firstDayOfWeek: "sunday" }, range: { type: "numbered", numberOfOccurrences: 8, recurrenceTimeZone: "W. Europe Standard Time", endDate: "0001-01-01" } } });

    const instances = await graph.api(`/users/${mailbox}/events/${encodeURIComponent(master.id)}/instances?${march}`).get();
    expect(instances.value.map((o: any) => o.start.dateTime)).toEqual([
      "2025-03-03T08:00:00.0000000", "2025-03-10T08:00:00.0000000", "2025-03-17T08:00:00.0000000",
      // Berlin switches to summer time on 30 March: 09:00 local is 07:00 UTC from then on.
      "2025-03-24T08:00:00.0000000", "2025-03-31T07:00:00.0000000",
    ]);
    const second = instances.value[1];
    expect(second).toMatchObject({ type: "occurrence", seriesMasterId: master.id, originalStart: "2025-03-10T08:00:00Z", recurrence: null });
    const exception = await graph.api(`/users/${mailbox}/events/${encodeURIComponent(second.id)}`).patch({ subject: "Weekly sync (customer joins)" });
    expect(exception).toMatchObject({ id: second.id, type: "exception", subject: "Weekly sync (customer joins)", seriesMasterId: master.id });

    const round = await deltaRound(f, viewDelta(mailbox), { Prefer: "odata.maxpagesize=2" });
    expect(round.pages).toBe(3);
    const byId = new Map(round.items.map((item) => [item.id, item]));
    expect([...byId.keys()].sort()).toEqual([single.id, ...instances.value.map((o: any) => o.id)].sort());
    expect(byId.has(master.id)).toBe(false);
    expect(byId.get(second.id)).toMatchObject({ "@odata.type": "#microsoft.graph.event", type: "exception", subject: "Weekly sync (customer joins)" });
    expect(round.items.filter((i) => i.type === "occurrence")).toHaveLength(4);
    expect(round.deltaLink).toMatch(new RegExp(`^${f.sim.url}/v1\\.0/users/.+/calendarView/delta\\?\\$deltatoken=`));
  });

  it("reports later changes, deletions and events leaving the window as @removed", async () => {
    const mailbox = newMailbox();
    const graph = fixtureGraph(f);
    const stays = f.sim.createEvent(mailbox, { subject: "stays", start: at("2025-03-05T10:00:00Z"), end: at("2025-03-05T11:00:00Z") });
    const moves = f.sim.createEvent(mailbox, { subject: "moves", start: at("2025-03-06T10:00:00Z"), end: at("2025-03-06T11:00:00Z") });
    const deleted = f.sim.createEvent(mailbox, { subject: "deleted", start: at("2025-03-07T10:00:00Z"), end: at("2025-03-07T11:00:00Z") });
    const outside = f.sim.createEvent(mailbox, { subject: "June", start: at("2025-06-01T10:00:00Z"), end: at("2025-06-01T11:00:00Z") });
    const master = f.sim.createEvent(mailbox, weekly);
    const first = await deltaRound(f, viewDelta(mailbox));
    expect(first.items).toHaveLength(8);
    const quiet = await rawGraph(f, first.deltaLink);
    expect([quiet.body.value, quiet.body["@odata.nextLink"]]).toEqual([[], undefined]);

    const occurrences = first.items.filter((i) => i.seriesMasterId === master.id);
    const added = f.sim.createEvent(mailbox, { subject: "added in Outlook", start: at("2025-03-20T10:00:00Z"), end: at("2025-03-20T11:00:00Z") });
    f.sim.updateEvent(mailbox, String(stays.id), { subject: "stays (renamed in Outlook)" });
    await graph.api(`/users/${mailbox}/events/${encodeURIComponent(String(moves.id))}`).patch({ start: at("2025-04-15T10:00:00Z"), end: at("2025-04-15T11:00:00Z") });
    await graph.api(`/users/${mailbox}/events/${encodeURIComponent(String(deleted.id))}`).delete();
    await graph.api(`/users/${mailbox}/events/${encodeURIComponent(occurrences[0].id)}`).delete();
    f.sim.updateEvent(mailbox, String(outside.id), { subject: "June (changed)" });

    const changes = await deltaRound(f, quiet.body["@odata.deltaLink"]);
    const byId = new Map(changes.items.map((item) => [item.id, item]));
    expect([...byId.keys()].sort()).toEqual([added.id, stays.id, moves.id, deleted.id, occurrences[0].id, outside.id].sort());
    expect(byId.get(stays.id)).toMatchObject({ subject: "stays (renamed in Outlook)" });
    expect(byId.get(added.id)).toMatchObject({ "@odata.type": "#microsoft.graph.event", subject: "added in Outlook" });
    // Moved out of the window, deleted, a deleted occurrence, and (as Graph documents) a change outside the window.
    for (const id of [moves.id, deleted.id, occurrences[0].id, outside.id]) expect(byId.get(id)).toEqual(removed(String(id)));

    // Editing the series changes every occurrence still in the window.
    f.sim.updateEvent(mailbox, String(master.id), { subject: "Weekly sync v2" });
    const series = await deltaRound(f, changes.deltaLink);
    expect(series.items.map((i) => i.subject)).toEqual(Array(4).fill("Weekly sync v2"));
  });

  it("with partialDeltaUpdates, a later round sends a changed event with only its id and changed properties", async () => {
    const mailbox = newMailbox();
    const event = f.sim.createEvent(mailbox, { subject: "Plan", start: at("2025-03-05T10:00:00Z"), end: at("2025-03-05T11:00:00Z") });
    const first = await deltaRound(f, viewDelta(mailbox));
    expect(first.items[0]).toMatchObject({ id: event.id, start: expect.any(Object), end: expect.any(Object) });
    f.sim.partialDeltaUpdates(mailbox, true);
    f.sim.updateEvent(mailbox, String(event.id), { subject: "Plan (renamed)" });
    const [changed] = (await deltaRound(f, first.deltaLink)).items;
    expect(changed).toMatchObject({ "@odata.type": "#microsoft.graph.event", id: event.id, subject: "Plan (renamed)" });
    expect(changed).not.toHaveProperty("start");
    expect(changed).not.toHaveProperty("end");
    f.sim.partialDeltaUpdates(mailbox, false);
  });

  it("refuses a first request without a window or with $select, and answers 410 after eviction", async () => {
    const mailbox = newMailbox();
    const noWindow = await rawGraph(f, `/users/${mailbox}/calendarView/delta`);
    expect([noWindow.status, noWindow.body.error]).toEqual([400, expect.objectContaining({
      code: "ErrorInvalidParameter",
      message: "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
    })]);
    const selected = await rawGraph(f, viewDelta(mailbox, `${march}&$select=subject`));
    expect([selected.status, selected.body.error.code]).toEqual([400, "ErrorInvalidUrlQuery"]);

    f.sim.createEvent(mailbox, { subject: "a", start: at("2025-03-05T10:00:00Z"), end: at("2025-03-05T11:00:00Z") });
    f.sim.createEvent(mailbox, { subject: "b", start: at("2025-03-06T10:00:00Z"), end: at("2025-03-06T11:00:00Z") });
    const first = await rawGraph(f, viewDelta(mailbox), { headers: { Prefer: "odata.maxpagesize=1" } });
    const round = await deltaRound(f, viewDelta(mailbox));
    f.sim.evictDeltaTokens(mailbox);
    for (const link of [first.body["@odata.nextLink"], round.deltaLink]) {
      const lost = await rawGraph(f, link);
      expect([lost.status, lost.body.error.code]).toEqual([410, "SyncStateNotFound"]);
    }
    // repeatDeltaItems applies to the calendar view too.
    f.sim.repeatDeltaItems(mailbox, true);
    const repeated = await deltaRound(f, viewDelta(mailbox));
    f.sim.repeatDeltaItems(mailbox, false);
    expect(repeated.items).toHaveLength(4);
  });
});

describe("calendar permissions", () => {
  it("need Calendars.Read to read and Calendars.ReadWrite to write", async () => {
    const mailbox = newMailbox();
    const event = f.sim.createEvent(mailbox, { subject: "x", start: at("2025-03-05T10:00:00Z"), end: at("2025-03-05T11:00:00Z") });
    const reader = await tokenForNewApp(f, ["Calendars.Read"]);
    const mailOnly = await tokenForNewApp(f, ["Mail.ReadWrite", "Contacts.ReadWrite", "Tasks.ReadWrite.All"]);
    const body = { subject: "y", start: at("2025-03-05T10:00:00Z"), end: at("2025-03-05T11:00:00Z") };
    expect((await rawGraph(f, `/users/${mailbox}/events`, { token: reader.token })).status).toBe(200);
    expect((await rawGraph(f, viewDelta(mailbox), { token: reader.token })).status).toBe(200);
    for (const [init, token] of [
      [{ method: "POST", body }, reader.token],
      [{ method: "PATCH", body: { subject: "z" } }, reader.token],
      [{}, mailOnly.token],
    ] as const) {
      const path = init.method === "POST" ? `/users/${mailbox}/events` : `/users/${mailbox}/events/${encodeURIComponent(String(event.id))}`;
      const denied = await rawGraph(f, path, { ...init, token });
      expect([denied.status, denied.body.error.code, denied.body.error.message]).toEqual([403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."]);
    }
    expect((await rawGraph(f, viewDelta(mailbox), { token: mailOnly.token })).status).toBe(403);
  });
});
