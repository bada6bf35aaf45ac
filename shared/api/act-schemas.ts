/**
 * Request bodies of the appointments, contacts and tasks API and of the sync filters, validated
 * with zod so a 400 names the failing field. The rules are the ones Exchange would apply later:
 * refusing here keeps a bad record from failing the owner's ACT cycle every few minutes.
 */
import { z } from "zod";
import type { ActFieldsByType, ActRecordType } from "../domain/act-records.js";
import { ianaZone, toInstant } from "../domain/zoned-time.js";
import { idParam } from "./admin-schemas.js";
import { text } from "./text-fields.js";

const wallClockPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,7})?)?$/;

/** Whether a Graph dateTime (wall clock, no offset) names a real time: 2026-02-30 does not. */
function isWallClock(value: string): boolean {
  const m = wallClockPattern.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: the latter reads years 0-99 as 1900-1999 (Graph writes 0001-01-01).
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour <= 23 && minute <= 59 && second <= 59;
}

const instant = (time: { dateTime: string; timeZone: string }) => Date.parse(toInstant(time) ?? "");

const timeZone = text()
  .max(100)
  // The zones the ACT engine can convert (every IANA name, the common Windows names).
  .refine((name) => ianaZone(name) !== undefined, "must be an IANA time zone (Europe/Berlin) or a Windows time zone name (W. Europe Standard Time)");
const zonedTime = z
  .object({
    dateTime: text().refine(isWallClock, "must be a real wall-clock time like 2026-03-02T09:30:00, without an offset (the zone goes in timeZone)"),
    timeZone,
  })
  .strict();
const dateOnly = text().refine((value) => /^\d{4}-\d{2}-\d{2}$/.test(value) && isWallClock(`${value}T00:00`), "must be a real date like 2026-03-02");
const isoInstant = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());
export const address = z.object({ address: z.email().max(320), name: text().max(256).optional() }).strict();
const itemBody = z.object({ contentType: z.enum(["text", "html"]), content: text().max(4 * 1024 * 1024) }).strict();
const subject = text().trim().min(1, "must not be empty").max(255);
export const shortText = (max: number) => text().trim().min(1).max(max);
const dayOfWeek = z.enum(["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]);
export const common = { ownerId: idParam, version: z.number().int().min(1).optional() };

/**
 * Graph's patternedRecurrence. Graph itself answers 0 for the numbers a pattern does not use and
 * `[]` for unused days, so those are accepted: a recurrence read from Graph can be sent as it is.
 */
const recurrence = z
  .object({
    pattern: z
      .object({
        type: z.enum(["daily", "weekly", "absoluteMonthly", "relativeMonthly", "absoluteYearly", "relativeYearly"]),
        interval: z.number().int().min(1).max(999),
        daysOfWeek: z.array(dayOfWeek).max(7).optional(),
        dayOfMonth: z.number().int().min(0).max(31).optional(),
        month: z.number().int().min(0).max(12).optional(),
        firstDayOfWeek: dayOfWeek.optional(),
        index: z.enum(["first", "second", "third", "fourth", "last"]).optional(),
      })
      .strict()
      .superRefine((pattern, ctx) => {
        const needs = (field: "daysOfWeek" | "dayOfMonth" | "month", present: boolean, what: string) => {
          if (!present) ctx.addIssue({ code: "custom", path: [field], message: `is required for a ${pattern.type} pattern (${what})` });
        };
        if (["weekly", "relativeMonthly", "relativeYearly"].includes(pattern.type)) needs("daysOfWeek", (pattern.daysOfWeek?.length ?? 0) > 0, "at least one day");
        if (["absoluteMonthly", "absoluteYearly"].includes(pattern.type)) needs("dayOfMonth", (pattern.dayOfMonth ?? 0) >= 1, "1-31");
        if (["absoluteYearly", "relativeYearly"].includes(pattern.type)) needs("month", (pattern.month ?? 0) >= 1, "1-12");
      }),
    range: z
      .object({
        type: z.enum(["endDate", "noEnd", "numbered"]),
        startDate: dateOnly,
        endDate: dateOnly.optional(),
        numberOfOccurrences: z.number().int().min(0).max(999).optional(),
        recurrenceTimeZone: timeZone.optional(),
      })
      .strict()
      .superRefine((range, ctx) => {
        if (range.type === "endDate" && !(range.endDate && range.endDate >= range.startDate)) {
          ctx.addIssue({ code: "custom", path: ["endDate"], message: "is required for an endDate range and must not be before startDate" });
        }
        if (range.type === "numbered" && !((range.numberOfOccurrences ?? 0) >= 1)) {
          ctx.addIssue({ code: "custom", path: ["numberOfOccurrences"], message: "is required for a numbered range (1-999)" });
        }
      }),
  })
  .strict();

const isMidnight = (dateTime: string) => /T00:00(:00(\.0+)?)?$/.test(dateTime);

/** The organizer is optional on purpose: without one the engine raises an alert rather than the API refusing. */
export const appointmentBody = z
  .object({
    ...common,
    subject,
    body: itemBody.optional(),
    location: text().max(255).optional(),
    start: zonedTime,
    end: zonedTime,
    isAllDay: z.boolean().default(false),
    organizer: address.optional(),
    requiredAttendees: z.array(address).max(500).default([]),
    optionalAttendees: z.array(address).max(500).default([]),
    recurrence: recurrence.optional(),
    status: z.enum(["scheduled", "completed", "canceled"]).default("scheduled"),
    categories: z.array(shortText(255)).max(50).default([]),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (!(instant(a.end) > instant(a.start))) ctx.addIssue({ code: "custom", path: ["end"], message: "must be after start" });
    // Exchange's rule for all-day events: both ends at midnight, in one zone.
    if (a.isAllDay && !isMidnight(a.start.dateTime)) ctx.addIssue({ code: "custom", path: ["start", "dateTime"], message: "must be midnight for an all-day appointment" });
    if (a.isAllDay && !isMidnight(a.end.dateTime)) ctx.addIssue({ code: "custom", path: ["end", "dateTime"], message: "must be midnight for an all-day appointment" });
    if (a.isAllDay && ianaZone(a.start.timeZone) !== ianaZone(a.end.timeZone)) ctx.addIssue({ code: "custom", path: ["end", "timeZone"], message: "must be the start's time zone for an all-day appointment" });
  });

export const postalAddress = z
  .object({ street: text().max(400).optional(), city: shortText(128).optional(), state: shortText(128).optional(), postalCode: shortText(40).optional(), countryOrRegion: shortText(128).optional() })
  .strict();
export const phone = text().trim().max(64).regex(/\d/, "must be a phone number");

export const contactBody = z
  .object({
    ...common,
    firstName: shortText(100).optional(),
    lastName: shortText(100).optional(),
    // Exchange contacts hold at most three email addresses.
    emails: z.array(address).max(3, "holds at most 3 addresses (an Exchange contact's limit)").default([]),
    businessPhone: phone.optional(),
    mobilePhone: phone.optional(),
    homePhone: phone.optional(),
    company: shortText(256).optional(),
    jobTitle: shortText(128).optional(),
    businessAddress: postalAddress.optional(),
    homeAddress: postalAddress.optional(),
    status: z.enum(["active", "inactive"]).default("active"),
  })
  .strict()
  .refine((c) => c.firstName !== undefined || c.lastName !== undefined || c.emails.length > 0, { path: ["firstName"], message: "needs a firstName, a lastName or at least one email address" });

export const taskBody = z
  .object({
    ...common,
    subject,
    body: itemBody.optional(),
    due: zonedTime.optional(),
    status: z.enum(["notStarted", "inProgress", "completed", "waitingOnOthers", "deferred"]).default("notStarted"),
    completedAt: isoInstant.optional(),
    importance: z.enum(["low", "normal", "high"]).default("normal"),
  })
  .strict()
  .refine((t) => t.completedAt === undefined || t.status === "completed", { path: ["completedAt"], message: "is only allowed when status is completed" });

type BodyOf<T extends ActRecordType> = ActFieldsByType[T] & { ownerId: string; version?: number };

/** Typed so the compiler checks each schema against the record shape in act-records.ts. */
export const recordBodies: { [T in ActRecordType]: z.ZodType<BodyOf<T>> } = {
  appointment: appointmentBody,
  contact: contactBody,
  task: taskBody,
};

const appointmentCriteria = z
  .object({
    statuses: z
      .array(z.enum(["scheduled", "completed", "canceled"]))
      .min(1, "needs at least one status (disable the filter to sync none)")
      .refine((list) => new Set(list).size === list.length, "must not repeat a status")
      .optional(),
    startFromDaysAgo: z.number().int().min(0).max(3650).nullable().optional(),
    startToDaysAhead: z.number().int().min(0).max(3650).nullable().optional(),
  })
  .strict();

/** Criteria a PUT may give; what it leaves out is the default. */
export const criteriaBodies = {
  appointment: appointmentCriteria,
  contact: z.object({ status: z.enum(["active", "any"]).optional() }).strict(),
  task: z.object({ status: z.enum(["notCompleted", "any"]).optional() }).strict(),
} as const;
