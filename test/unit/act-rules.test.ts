import { describe, expect, it } from "vitest";
import { mergeChanges } from "../../shared/domain/act-conflict.js";
import { actPollingBounds } from "../../shared/domain/schedule.js";
import { toInstant } from "../../shared/domain/zoned-time.js";
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
