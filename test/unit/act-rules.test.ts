import { describe, expect, it } from "vitest";
import { mergeChanges } from "../../shared/domain/act-conflict.js";
import { afterExchangeDeletion, staysOutOfExchange } from "../../shared/domain/act-deletion.js";
import type { ActRecord } from "../../shared/domain/act-records.js";
import { actPollingBounds } from "../../shared/domain/schedule.js";
import { allDayDate, toInstant } from "../../shared/domain/zoned-time.js";
import { appointmentAdapter, taskAdapter } from "../../shared/sync/act/act-adapters.js";
import { appointmentFromEvent, eventFromAppointment, recordFromContact, contactFromRecord, recordFromTask, taskFromRecord, trackedCategory } from "../../shared/sync/act/act-mapping.js";

describe("the conflict rule", () => {
  const base = { subject: "A", location: "Room 1", notes: "x" };
  it.each([
    ["only the CRM changed a field → the CRM's value", { ...base, location: "Room 2" }, base, "2026-01-01T10:00:05Z", "2026-01-01T10:00:00Z", { location: "Room 2" }, []],
    ["only Exchange changed a field → Exchange's value", base, { ...base, subject: "B" }, "2026-01-01T10:00:05Z", "2026-01-01T10:00:00Z", { subject: "B" }, []],
    ["different fields on each side → both kept", { ...base, location: "Room 2" }, { ...base, subject: "B" }, "2026-01-01T10:00:05Z", "2026-01-01T10:00:00Z", { subject: "B", location: "Room 2" }, []],
    ["the same field on both, Exchange later → Exchange", { ...base, subject: "C" }, { ...base, subject: "B" }, "2026-01-01T10:00:00Z", "2026-01-01T10:00:09Z", { subject: "B" }, ["subject"]],
    ["the same field on both, CRM later → CRM", { ...base, subject: "C" }, { ...base, subject: "B" }, "2026-01-01T10:00:09Z", "2026-01-01T10:00:00Z", { subject: "C" }, ["subject"]],
    ["the same field on both in the same second → Exchange (ties)", { ...base, subject: "C" }, { ...base, subject: "B" }, "2026-01-01T10:00:00.900Z", "2026-01-01T10:00:00Z", { subject: "B" }, ["subject"]],
    ["both changed a field to the same value → no conflict", { ...base, subject: "B" }, { ...base, subject: "B" }, "2026-01-01T10:00:00Z", "2026-01-01T10:00:09Z", { subject: "B" }, []],
  ])("%s", (_name, crm, exchange, crmAt, exchangeAt, expected, conflicts) => {
    const result = mergeChanges(base, crm, exchange, crmAt, exchangeAt);
    expect(result.merged).toMatchObject(expected);
    expect(result.conflicts).toEqual(conflicts);
  });
  it("says which side needs the merged record", () => {
    const result = mergeChanges(base, { ...base, location: "Room 2" }, { ...base, subject: "B" }, "2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z");
    expect(result).toMatchObject({ crmNeedsUpdate: true, exchangeNeedsUpdate: true });
    expect(mergeChanges(base, base, { ...base, subject: "B" }, "2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z")).toMatchObject({ crmNeedsUpdate: true, exchangeNeedsUpdate: false });
  });
});

describe("ACT mapping", () => {
  const appointment = {
    subject: "Review",
    body: { contentType: "html" as const, content: "<p>Agenda</p>" },
    location: "Room 4",
    start: { dateTime: "2026-12-01T09:00:00", timeZone: "UTC" },
    end: { dateTime: "2026-12-01T10:00:00", timeZone: "UTC" },
    isAllDay: false,
    requiredAttendees: [{ address: "pat@fabrikam.example", name: "Pat" }],
    optionalAttendees: [{ address: "lee@fabrikam.example" }],
    status: "scheduled" as const,
    categories: ["Sales"],
  };
  it("an appointment round-trips through a Graph event; the CRM's items are tracked in Exchange", () => {
    const event = eventFromAppointment(appointment);
    expect(event.categories).toEqual(["Sales", trackedCategory]);
    expect(appointmentFromEvent({ id: "e1", ...(event as object) } as never)).toEqual(appointment);
  });
  it("cancelled and completed appointments are free time in Exchange", () => {
    expect(eventFromAppointment({ ...appointment, status: "canceled" }).showAs).toBe("free");
    expect(eventFromAppointment({ ...appointment, status: "completed" }).showAs).toBe("free");
  });
  it("contacts and tasks round-trip", () => {
    const contact = { firstName: "Dana", lastName: "Reyes", emails: [{ address: "dana@fabrikam.example" }], businessPhone: "+1 555 0100", company: "Fabrikam", jobTitle: "Buyer", businessAddress: { city: "Oslo" }, status: "active" as const };
    expect(recordFromContact({ id: "c1", ...(contactFromRecord(contact) as object) } as never)).toEqual(contact);
    const task = { subject: "Send contract", status: "completed" as const, completedAt: "2026-12-01T08:00:00.000Z", importance: "high" as const, due: { dateTime: "2026-12-02T00:00:00", timeZone: "UTC" } };
    expect(recordFromTask({ id: "t1", ...(taskFromRecord(task) as object) } as never)).toEqual(task);
  });
  it("zoned times compare as instants, across Windows and IANA names and daylight saving", () => {
    expect(toInstant({ dateTime: "2026-07-01T09:00:00", timeZone: "W. Europe Standard Time" })).toBe("2026-07-01T07:00:00.000Z");
    expect(toInstant({ dateTime: "2026-01-15T09:00:00.0000000", timeZone: "Europe/Berlin" })).toBe("2026-01-15T08:00:00.000Z");
    expect(toInstant({ dateTime: "2026-03-29T03:30:00", timeZone: "Europe/Berlin" })).toBe("2026-03-29T01:30:00.000Z");
    expect(toInstant({ dateTime: "2026-01-15T09:00:00", timeZone: "Mars/Olympus" })).toBeUndefined();
  });
  it("ACT runs 5–15 minutes apart when incoming is on too", () => {
    expect(actPollingBounds({ minSeconds: 300, defaultSeconds: 480, maxSeconds: 720 }, true).maxSeconds).toBe(900);
  });
});

describe("all-day events are dates in their own zone", () => {
  const utc = (dateTime: string) => ({ dateTime, timeZone: "UTC" });
  it.each([
    ["converted to UTC, east of UTC (Berlin midnight = 23:00 UTC the evening before)", utc("2026-03-01T23:00:00.0000000"), "W. Europe Standard Time", { dateTime: "2026-03-02T00:00:00", timeZone: "Europe/Berlin" }],
    ["converted to UTC, west of UTC (New York midnight = 05:00 UTC)", utc("2026-03-02T05:00:00.0000000"), "Eastern Standard Time", { dateTime: "2026-03-02T00:00:00", timeZone: "America/New_York" }],
    ["converted to UTC across a daylight-saving change (Berlin summer time)", utc("2026-07-01T22:00:00.0000000"), "Europe/Berlin", { dateTime: "2026-07-02T00:00:00", timeZone: "Europe/Berlin" }],
    ["midnight to midnight whatever zone was asked (as Graph answers them)", utc("2019-10-19T00:00:00.0000000"), "Eastern Standard Time", { dateTime: "2019-10-19T00:00:00", timeZone: "America/New_York" }],
    ["an own zone we cannot map keeps the date it was given", utc("2026-03-02T00:00:00.0000000"), "tzone://Microsoft/Custom", { dateTime: "2026-03-02T00:00:00", timeZone: "UTC" }],
    ["a CRM date with a Windows zone name", { dateTime: "2026-03-02T00:00", timeZone: "W. Europe Standard Time" }, undefined, { dateTime: "2026-03-02T00:00:00", timeZone: "Europe/Berlin" }],
  ])("%s", (_name, time, ownZone, expected) => {
    expect(allDayDate(time, ownZone)).toEqual(expected);
  });

  it("an all-day event read back in UTC becomes a CRM appointment at midnight, equal to the CRM's own record", () => {
    const event = {
      id: "e1",
      subject: "Offsite",
      isAllDay: true,
      start: { dateTime: "2026-03-01T23:00:00.0000000", timeZone: "UTC" },
      end: { dateTime: "2026-03-02T23:00:00.0000000", timeZone: "UTC" },
      originalStartTimeZone: "W. Europe Standard Time",
      originalEndTimeZone: "W. Europe Standard Time",
    };
    const fields = appointmentFromEvent(event);
    expect([fields.start, fields.end]).toEqual([
      { dateTime: "2026-03-02T00:00:00", timeZone: "Europe/Berlin" },
      { dateTime: "2026-03-03T00:00:00", timeZone: "Europe/Berlin" },
    ]);
    const crm = { ...fields, start: { dateTime: "2026-03-02T00:00", timeZone: "W. Europe Standard Time" }, end: { dateTime: "2026-03-03T00:00", timeZone: "W. Europe Standard Time" } };
    expect(appointmentAdapter.canonical(crm)).toEqual(appointmentAdapter.canonical(fields));
  });
});

describe("partial delta items", () => {
  it.each([
    ["the docs' calendarView delta sample (no id, no times)", { originalStartTimeZone: "originalStartTimeZone-value", iCalUId: "iCalUId-value", isReminderOn: true }, ["start", "end"]],
    ["an update with only the changed subject", { id: "e1", subject: "Moved" }, ["start", "end"]],
    ["a whole event", { id: "e1", start: { dateTime: "2026-03-02T09:00:00", timeZone: "UTC" }, end: { dateTime: "2026-03-02T10:00:00", timeZone: "UTC" } }, []],
  ])("%s → read whole when it lacks %j", (_name, item, missing) => {
    expect(appointmentAdapter.missing(item as never)).toEqual(missing);
  });
});

describe("To Do tasks as Graph documents them", () => {
  it.each([
    ["UTC", { dateTime: "2026-12-01T08:00:00.0000000", timeZone: "UTC" }, "2026-12-01T08:00:00.000Z"],
    ["a Windows zone", { dateTime: "2026-12-01T08:00:00.0000000", timeZone: "Pacific Standard Time" }, "2026-12-01T16:00:00.000Z"],
    ["an IANA zone in summer time", { dateTime: "2026-07-01T08:00:00.0000000", timeZone: "Europe/Berlin" }, "2026-07-01T06:00:00.000Z"],
    ["an unknown zone (left out rather than guessed)", { dateTime: "2026-12-01T08:00:00.0000000", timeZone: "Mars/Olympus" }, undefined],
  ])("completedDateTime in %s is read in that zone", (_name, completedDateTime, completedAt) => {
    expect(recordFromTask({ id: "t1", title: "Done", status: "completed", completedDateTime }).completedAt).toBe(completedAt);
  });

  it("a text body goes to To Do as HTML and compares equal to what To Do then holds", () => {
    const fields = { subject: "Call", body: { contentType: "text" as const, content: "Ask <Pat> about Q3 & Q4\nbefore Friday" }, status: "notStarted" as const, importance: "normal" as const };
    const written = taskFromRecord(fields);
    expect(written.body).toEqual({ contentType: "html", content: "Ask &lt;Pat&gt; about Q3 &amp; Q4<br>before Friday" });
    const readBack = recordFromTask({ id: "t1", ...(written as object) } as never);
    expect(taskAdapter.canonical(readBack)).toEqual(taskAdapter.canonical(fields));
  });
});

describe("an item deleted in Exchange (server-side sync's documented rule)", () => {
  const now = Date.parse("2026-06-01T12:00:00Z");
  const me = { ownerId: "user-1", mailboxAddress: "Planner@contoso.example", now, syncedVersion: 3 };
  const at = (iso: string) => ({ dateTime: iso, timeZone: "UTC" });
  const appointment = {
    subject: "Review",
    start: at("2026-06-02T09:00:00"),
    end: at("2026-06-02T10:00:00"),
    isAllDay: false,
    organizer: { address: "planner@contoso.example" },
    requiredAttendees: [],
    optionalAttendees: [],
    status: "scheduled",
    categories: [],
  };
  const weekly = { pattern: { type: "weekly", interval: 1, daysOfWeek: ["monday"] }, range: { type: "noEnd", startDate: "2026-01-05" } };
  const record = (type: string, fields: object, extra: object = {}) => ({ type, id: "r1", ownerId: "user-1", version: 3, createdAt: "", modifiedAt: "", fields, ...extra }) as unknown as ActRecord;
  it.each([
    ["an open future appointment the user organises → deleted in the CRM", record("appointment", appointment), "deleteRecord"],
    ["… one already started → kept", record("appointment", { ...appointment, start: at("2026-06-01T11:00:00") }), "keepRecord"],
    ["… a series that started in the past → deleted", record("appointment", { ...appointment, start: at("2026-01-05T09:00:00"), recurrence: weekly }), "deleteRecord"],
    ["… completed → kept", record("appointment", { ...appointment, status: "completed" }), "keepRecord"],
    ["… canceled series → kept", record("appointment", { ...appointment, status: "canceled", recurrence: weekly }), "keepRecord"],
    ["… organised by someone else → kept", record("appointment", { ...appointment, organizer: { address: "pat@fabrikam.example" } }), "keepRecord"],
    ["… changed in the CRM since the last sync → kept", record("appointment", appointment, { version: 4 }), "keepRecord"],
    ["… owned by another user by now → kept", record("appointment", appointment, { ownerId: "user-2" }), "keepRecord"],
    ["an open task → deleted", record("task", { subject: "Call", status: "inProgress", importance: "normal" }), "deleteRecord"],
    ["a completed task → kept", record("task", { subject: "Call", status: "completed", importance: "normal" }), "keepRecord"],
    ["an open task changed in the CRM since → kept", record("task", { subject: "Call", status: "notStarted", importance: "normal" }, { version: 5 }), "keepRecord"],
    ["a contact → always kept", record("contact", { lastName: "Reyes", emails: [], status: "active" }), "keepRecord"],
  ])("%s", (_name, deleted, outcome) => {
    expect(afterExchangeDeletion(deleted, me)).toBe(outcome);
  });

  it.each([
    ["no deletion mark → pushed as usual", 3, undefined, false],
    ["deleted in Exchange at this version → held back", 3, 3, true],
    ["changed in the CRM after the deletion → pushed (created again)", 4, 3, false],
  ])("%s", (_name, version, deletedAt, held) => {
    expect(staysOutOfExchange({ version }, deletedAt)).toBe(held);
  });
});
