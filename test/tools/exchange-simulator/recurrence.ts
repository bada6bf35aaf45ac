/**
 * Graph's patternedRecurrence: validation of what clients send, the normalised form Graph returns
 * (every pattern/range property present, unused numbers 0, noEnd's endDate "0001-01-01"), and
 * expansion into occurrence dates. Dates are calendar dates in the series' time zone; the time of
 * day and duration come from the series master, so a 09:00 Berlin meeting stays at 09:00 local
 * across a DST change, as in Outlook.
 */
import { GraphError } from "./graph-error.js";

export const daysOfWeek = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;
export type DayOfWeek = (typeof daysOfWeek)[number];
const patternTypes = ["daily", "weekly", "absoluteMonthly", "relativeMonthly", "absoluteYearly", "relativeYearly"] as const;
const rangeTypes = ["endDate", "noEnd", "numbered"] as const;
const weekIndexes = ["first", "second", "third", "fourth", "last"] as const;

export interface PatternedRecurrence {
  pattern: {
    type: (typeof patternTypes)[number];
    interval: number;
    month: number;
    dayOfMonth: number;
    daysOfWeek: DayOfWeek[];
    firstDayOfWeek: DayOfWeek;
    index: (typeof weekIndexes)[number];
  };
  range: {
    type: (typeof rangeTypes)[number];
    startDate: string;
    endDate: string;
    recurrenceTimeZone: string;
    numberOfOccurrences: number;
  };
}

const invalid = (message: string) => new GraphError(400, "ErrorInvalidRequest", message);
const isDate = (value: unknown): value is string => typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value));
const oneOf = <T extends string>(values: readonly T[], value: unknown): T | undefined =>
  values.find((v) => typeof value === "string" && v.toLowerCase() === value.toLowerCase());

/** Validates a client's recurrence (enum values in any case) into the normalised form. */
export function parseRecurrence(json: unknown, startZone: string): PatternedRecurrence {
  const { pattern = {}, range = {} } = (json ?? {}) as { pattern?: Record<string, unknown>; range?: Record<string, unknown> };
  const type = oneOf(patternTypes, pattern.type);
  if (!type) throw invalid("The recurrence pattern type is missing or not valid.");
  const interval = pattern.interval === undefined ? 1 : Number(pattern.interval);
  if (!Number.isInteger(interval) || interval < 1 || interval > 99) throw invalid("The recurrence pattern interval must be between 1 and 99.");
  const days = ((pattern.daysOfWeek ?? []) as unknown[]).map((d) => oneOf(daysOfWeek, d));
  if (days.some((d) => d === undefined)) throw invalid("The recurrence pattern has an invalid day of the week.");
  const normalised: PatternedRecurrence["pattern"] = {
    type,
    interval,
    month: Number(pattern.month ?? 0),
    dayOfMonth: Number(pattern.dayOfMonth ?? 0),
    daysOfWeek: days as DayOfWeek[],
    firstDayOfWeek: oneOf(daysOfWeek, pattern.firstDayOfWeek) ?? "sunday",
    index: oneOf(weekIndexes, pattern.index) ?? "first",
  };
  const needsDays = type === "weekly" || type === "relativeMonthly" || type === "relativeYearly";
  if (needsDays && normalised.daysOfWeek.length === 0) throw invalid(`A ${type} recurrence pattern needs daysOfWeek.`);
  if ((type === "absoluteMonthly" || type === "absoluteYearly") && !(normalised.dayOfMonth >= 1 && normalised.dayOfMonth <= 31)) {
    throw invalid(`A ${type} recurrence pattern needs dayOfMonth between 1 and 31.`);
  }
  if ((type === "absoluteYearly" || type === "relativeYearly") && !(normalised.month >= 1 && normalised.month <= 12)) {
    throw invalid(`A ${type} recurrence pattern needs month between 1 and 12.`);
  }
  const rangeType = oneOf(rangeTypes, range.type);
  if (!rangeType) throw invalid("The recurrence range type is missing or not valid.");
  if (!isDate(range.startDate)) throw invalid("The recurrence range needs a startDate (yyyy-MM-dd).");
  if (rangeType === "endDate" && (!isDate(range.endDate) || range.endDate < range.startDate)) {
    throw invalid("The recurrence range needs an endDate (yyyy-MM-dd) on or after its startDate.");
  }
  const count = Number(range.numberOfOccurrences ?? 0);
  if (rangeType === "numbered" && !(Number.isInteger(count) && count >= 1 && count <= 999)) {
    throw invalid("A numbered recurrence range needs numberOfOccurrences between 1 and 999.");
  }
  return {
    pattern: normalised,
    range: {
      type: rangeType,
      startDate: range.startDate,
      endDate: rangeType === "endDate" ? (range.endDate as string) : "0001-01-01",
      // Empty until the event's start zone is known (calendar-store.ts fills it in).
      recurrenceTimeZone: typeof range.recurrenceTimeZone === "string" && range.recurrenceTimeZone ? range.recurrenceTimeZone : startZone,
      numberOfOccurrences: rangeType === "numbered" ? count : 0,
    },
  };
}

const dayMs = 86_400_000;
const toDay = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / dayMs);
const toDate = (day: number) => new Date(day * dayMs).toISOString().slice(0, 10);
const weekday = (day: number) => (day + 4) % 7; // epoch day 0 was a Thursday
const daysInMonth = (year: number, month0: number) => new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
const dayOf = (year: number, month0: number, date: number) => Math.floor(Date.UTC(year, month0, date) / dayMs);

/** The day matching `index` (first … last) among the days of a month that fall on one of `days`. */
function relativeDay(year: number, month0: number, days: DayOfWeek[], index: PatternedRecurrence["pattern"]["index"]): number {
  const wanted = new Set(days.map((d) => daysOfWeek.indexOf(d)));
  const matching: number[] = [];
  for (let date = 1; date <= daysInMonth(year, month0); date++) {
    const day = dayOf(year, month0, date);
    if (wanted.has(weekday(day))) matching.push(day);
  }
  return index === "last" ? matching.at(-1)! : matching[weekIndexes.indexOf(index)] ?? matching.at(-1)!;
}

/** Candidate days of the pattern in order, unbounded (the caller stops). */
function* candidates(recurrence: PatternedRecurrence): Generator<number> {
  const { pattern } = recurrence;
  const start = toDay(recurrence.range.startDate);
  const startDate = new Date(start * dayMs);
  const [year, month0] = [startDate.getUTCFullYear(), startDate.getUTCMonth()];
  for (let step = 0; step < 50_000; step++) {
    if (pattern.type === "daily") {
      yield start + step * pattern.interval;
    } else if (pattern.type === "weekly") {
      const firstDay = daysOfWeek.indexOf(pattern.firstDayOfWeek);
      const weekStart = start - ((weekday(start) - firstDay + 7) % 7) + step * 7 * pattern.interval;
      for (let offset = 0; offset < 7; offset++) {
        const day = weekStart + offset;
        if (pattern.daysOfWeek.includes(daysOfWeek[weekday(day)]!)) yield day;
      }
    } else if (pattern.type === "absoluteMonthly" || pattern.type === "relativeMonthly") {
      const m = month0 + step * pattern.interval;
      const [y, mo] = [year + Math.floor(m / 12), m % 12];
      yield pattern.type === "absoluteMonthly"
        ? dayOf(y, mo, Math.min(pattern.dayOfMonth, daysInMonth(y, mo)))
        : relativeDay(y, mo, pattern.daysOfWeek, pattern.index);
    } else {
      const y = year + step * pattern.interval;
      const mo = pattern.month - 1;
      yield pattern.type === "absoluteYearly"
        ? dayOf(y, mo, Math.min(pattern.dayOfMonth, daysInMonth(y, mo)))
        : relativeDay(y, mo, pattern.daysOfWeek, pattern.index);
    }
  }
}

/** Occurrence dates (yyyy-MM-dd) of the series up to and including `untilDate`, in order. */
export function occurrenceDates(recurrence: PatternedRecurrence, untilDate: string): string[] {
  const start = toDay(recurrence.range.startDate);
  const until = Math.min(
    toDay(untilDate),
    recurrence.range.type === "endDate" ? toDay(recurrence.range.endDate) : Number.POSITIVE_INFINITY,
  );
  const limit = recurrence.range.type === "numbered" ? recurrence.range.numberOfOccurrences : Number.POSITIVE_INFINITY;
  const dates: string[] = [];
  for (const day of candidates(recurrence)) {
    if (day < start) continue;
    if (day > until || dates.length >= limit) break;
    dates.push(toDate(day));
  }
  return dates;
}
