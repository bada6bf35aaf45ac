/** Sync filter rules: which of a user's appointments, contacts and tasks sync to their mailbox. */
import { describe, expect, it } from "vitest";
import type { ActRecord, AppointmentFields, ContactFields, Recurrence, TaskFields } from "../../shared/domain/act-records.js";
import { defaultFilter, defaultFilters, isTypeSynced, matchesFilter, recordSyncs, type SyncFilter } from "../../shared/domain/sync-filters.js";

const now = Date.parse("2026-06-15T12:00:00.000Z");
const day = 86_400_000;
const owner = "user-1";

function record<T extends ActRecord["type"]>(type: T, fields: ActRecord<T>["fields"], ownerId = owner): ActRecord {
  return { type, id: `${type}-1`, ownerId, fields, createdAt: "2026-01-01T00:00:00.000Z", modifiedAt: "2026-01-01T00:00:00.000Z", version: 1 } as ActRecord;
}

/** Wall clock in UTC `days` from now (Graph's 7-digit fraction, no offset). */
function utcWall(days: number): string {
  return new Date(now + days * day).toISOString().replace("Z", "0000");
}

function appointment(overrides: Partial<AppointmentFields> = {}): ActRecord {
  return record("appointment", {
    subject: "Review", start: { dateTime: utcWall(1), timeZone: "UTC" }, end: { dateTime: utcWall(1.05), timeZone: "UTC" },
    isAllDay: false, requiredAttendees: [], optionalAttendees: [], status: "scheduled", categories: [], ...overrides,
  });
}
const contact = (overrides: Partial<ContactFields> = {}) => record("contact", { firstName: "Pat", emails: [], status: "active", ...overrides });
const task = (overrides: Partial<TaskFields> = {}) => record("task", { subject: "Call back", status: "notStarted", importance: "normal", ...overrides });

const weekly = (range: Partial<Recurrence["range"]>): Recurrence => ({ pattern: { type: "weekly", interval: 1, daysOfWeek: ["monday"] }, range: { type: "noEnd", startDate: "2025-01-06", ...range } });
const at = (days: number, timeZone = "UTC") => ({ dateTime: utcWall(days), timeZone });

describe("defaults (Dynamics 365's My Appointments / My Active Contacts / My Tasks)", () => {
  it("are three enabled filters for the owner, in record type order", () => {
    expect(defaultFilters(owner)).toEqual([
      { ownerId: owner, recordType: "appointment", enabled: true, criteria: { statuses: ["scheduled", "completed", "canceled"], startFromDaysAgo: 30, startToDaysAhead: null } },
      { ownerId: owner, recordType: "contact", enabled: true, criteria: { status: "active" } },
      { ownerId: owner, recordType: "task", enabled: true, criteria: { status: "notCompleted" } },
    ]);
  });
  it("are copies: changing one leaves the next defaults alone", () => {
    const filter = defaultFilter(owner, "appointment");
    filter.criteria.statuses.pop();
    expect(defaultFilter(owner, "appointment").criteria.statuses).toEqual(["scheduled", "completed", "canceled"]);
  });
});

describe("matchesFilter with the default filters", () => {
  const [appointments, contacts, tasks] = defaultFilters(owner) as [SyncFilter, SyncFilter, SyncFilter];
  it.each<[string, boolean, ActRecord, SyncFilter]>([
    ["a scheduled appointment tomorrow", true, appointment(), appointments],
    ["a completed appointment last week", true, appointment({ status: "completed", start: at(-7), end: at(-6.9) }), appointments],
    ["a canceled appointment (it goes to Exchange as free time)", true, appointment({ status: "canceled" }), appointments],
    ["an appointment 31 days ago", false, appointment({ start: at(-31), end: at(-30.9) }), appointments],
    ["an appointment 29 days ago", true, appointment({ start: at(-29), end: at(-28.9) }), appointments],
    ["an appointment two years ahead (no upper bound)", true, appointment({ start: at(730), end: at(730.1) }), appointments],
    ["a weekly series begun last year with no end", true, appointment({ start: at(-400), end: at(-399.9), recurrence: weekly({}) }), appointments],
    ["a weekly series that ended 40 days ago", false, appointment({ start: at(-400), end: at(-399.9), recurrence: weekly({ type: "endDate", endDate: utcWall(-40).slice(0, 10) }) }), appointments],
    ["a weekly series ending in 10 days", true, appointment({ start: at(-400), end: at(-399.9), recurrence: weekly({ type: "endDate", endDate: utcWall(10).slice(0, 10) }) }), appointments],
    ["a numbered series begun long ago (counts as open)", true, appointment({ start: at(-400), end: at(-399.9), recurrence: weekly({ type: "numbered", numberOfOccurrences: 3 }) }), appointments],
    ["another user's appointment (owner is always me)", false, record("appointment", (appointment().fields as AppointmentFields), "user-2"), appointments],
    ["a contact under the appointment filter", false, contact(), appointments],
    ["an active contact", true, contact(), contacts],
    ["an inactive contact", false, contact({ status: "inactive" }), contacts],
    ["a task not started", true, task(), tasks],
    ["a task waiting on others", true, task({ status: "waitingOnOthers" }), tasks],
    ["a completed task", false, task({ status: "completed", completedAt: "2026-06-01T00:00:00.000Z" }), tasks],
  ])("%s → %s", (_name, expected, subject, filter) => {
    expect(matchesFilter(subject, filter, now)).toBe(expected);
  });
});

describe("matchesFilter with changed criteria", () => {
  const appointments = (criteria: Partial<Extract<SyncFilter, { recordType: "appointment" }>["criteria"]>): SyncFilter => ({ ...defaultFilter(owner, "appointment"), criteria: { ...defaultFilter(owner, "appointment").criteria, ...criteria } });
  it.each<[string, boolean, ActRecord, SyncFilter]>([
    ["canceled included", true, appointment({ status: "canceled" }), appointments({ statuses: ["canceled"] })],
    ["no lower bound: a year-old appointment", true, appointment({ start: at(-365), end: at(-364.9) }), appointments({ startFromDaysAgo: null })],
    ["upper bound 7 days: in 8 days", false, appointment({ start: at(8), end: at(8.1) }), appointments({ startToDaysAhead: 7 })],
    ["upper bound 7 days: in 6 days", true, appointment({ start: at(6), end: at(6.1) }), appointments({ startToDaysAhead: 7 })],
    ["upper bound 7 days: a series starting in 8 days", false, appointment({ start: at(8), end: at(8.1), recurrence: weekly({}) }), appointments({ startToDaysAhead: 7 })],
    ["any contact: inactive", true, contact({ status: "inactive" }), { ...defaultFilter(owner, "contact"), criteria: { status: "any" } }],
    ["any task: completed", true, task({ status: "completed" }), { ...defaultFilter(owner, "task"), criteria: { status: "any" } }],
    ["disabled filter selects nothing", false, task(), { ...defaultFilter(owner, "task"), enabled: false }],
  ])("%s → %s", (_name, expected, subject, filter) => {
    expect(matchesFilter(subject, filter, now)).toBe(expected);
  });
});

describe("the window edge reads the start in its own time zone", () => {
  // The window opens 30 days ago at 12:00 UTC (a date in May: daylight saving time in the zones below).
  // 14:00 wall clock that day is inside in UTC and zones behind it, exactly on the edge at UTC+2,
  // and before the window at UTC+3 and beyond.
  const wall = new Date(now - 30 * day).toISOString().slice(0, 10) + "T14:00:00.0000000";
  const later = wall.replace("T14", "T15");
  it.each([
    ["UTC", true],
    ["Pacific Standard Time", true],
    ["America/New_York", true],
    ["W. Europe Standard Time", true],
    ["FLE Standard Time", false],
    ["Asia/Tokyo", false],
  ])("14:00 thirty days ago in %s → %s", (timeZone, expected) => {
    const subject = appointment({ start: { dateTime: wall, timeZone }, end: { dateTime: later, timeZone } });
    expect(matchesFilter(subject, defaultFilter(owner, "appointment"), now)).toBe(expected);
  });
  it("an unknown zone (copied from Exchange) reads as UTC rather than dropping the record", () => {
    const subject = appointment({ start: { dateTime: wall, timeZone: "Nowhere Standard Time" }, end: { dateTime: later, timeZone: "Nowhere Standard Time" } });
    expect(matchesFilter(subject, defaultFilter(owner, "appointment"), now)).toBe(true);
  });
});

describe("isTypeSynced and recordSyncs", () => {
  const withTasksOff = defaultFilters(owner).map((f) => (f.recordType === "task" ? { ...f, enabled: false } : f));
  it.each<[string, SyncFilter[], ActRecord["type"], boolean]>([
    ["defaults sync appointments", defaultFilters(owner), "appointment", true],
    ["defaults sync tasks", defaultFilters(owner), "task", true],
    ["a disabled task filter: tasks do not sync", withTasksOff, "task", false],
    ["a disabled task filter leaves contacts alone", withTasksOff, "contact", true],
    ["no filters at all: nothing syncs", [], "contact", false],
  ])("%s", (_name, filters, type, expected) => {
    expect(isTypeSynced(filters, type)).toBe(expected);
  });
  it("a record syncs when an enabled filter of its owner and type selects it", () => {
    expect(recordSyncs(task(), defaultFilters(owner), now)).toBe(true);
    expect(recordSyncs(task(), withTasksOff, now)).toBe(false);
    expect(recordSyncs(task(), defaultFilters("user-2"), now)).toBe(false);
    expect(recordSyncs(task({ status: "completed" }), defaultFilters(owner), now)).toBe(false);
  });
});
