/**
 * Graph's dateTimeTimeZone values: a wall-clock "dateTime" plus a zone name, which Graph accepts as
 * a Windows zone name ("W. Europe Standard Time") or an IANA name ("Europe/Berlin"). The simulator
 * stores instants (epoch ms) and renders them in UTC, or in the zone a client asks for with
 * `Prefer: outlook.timezone`. Windows names are mapped to IANA through the table below (the zones a
 * CRM's users are likely to have; Graph knows ~140); anything unknown is refused the way Graph
 * refuses it (TimeZoneNotSupportedException), so a bad zone shows up in tests, not in production.
 */
import { GraphError } from "./graph-error.js";

const windowsZones: Record<string, string> = {
  "utc": "UTC",
  "gmt standard time": "Europe/London",
  "greenwich standard time": "Atlantic/Reykjavik",
  "w. europe standard time": "Europe/Berlin",
  "central europe standard time": "Europe/Budapest",
  "central european standard time": "Europe/Warsaw",
  "romance standard time": "Europe/Paris",
  "e. europe standard time": "Europe/Chisinau",
  "fle standard time": "Europe/Kiev",
  "gtb standard time": "Europe/Bucharest",
  "russian standard time": "Europe/Moscow",
  "turkey standard time": "Europe/Istanbul",
  "eastern standard time": "America/New_York",
  "central standard time": "America/Chicago",
  "mountain standard time": "America/Denver",
  "pacific standard time": "America/Los_Angeles",
  "india standard time": "Asia/Kolkata",
  "china standard time": "Asia/Shanghai",
  "tokyo standard time": "Asia/Tokyo",
  "singapore standard time": "Asia/Singapore",
  "aus eastern standard time": "Australia/Sydney",
};

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The IANA zone behind a Graph zone name, or a 400 TimeZoneNotSupportedException. */
export function resolveZone(name: string): string {
  const mapped = windowsZones[name.trim().toLowerCase()];
  const iana = mapped ?? name.trim();
  if (!formatters.has(iana)) {
    try {
      formatters.set(iana, new Intl.DateTimeFormat("en-US", {
        timeZone: iana, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit",
      }));
    } catch {
      throw new GraphError(
        400,
        "TimeZoneNotSupportedException",
        `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${name}'.`,
      );
    }
  }
  return iana;
}

/** Wall clock of an instant in a zone, as epoch ms of the same wall clock in UTC. */
function wallClock(utcMs: number, iana: string): number {
  const parts = formatters.get(iana)!.formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
}

/** Converts a wall-clock time (given as if it were UTC) in a zone to the instant. */
export function zonedToUtc(wallMs: number, zoneName: string): number {
  const iana = resolveZone(zoneName);
  const seconds = Math.floor(wallMs / 1000) * 1000;
  // Two passes settle the offset, including across a DST change.
  let guess = seconds - (wallClock(seconds, iana) - seconds);
  guess = seconds - (wallClock(guess, iana) - guess);
  return guess + (wallMs - seconds);
}

const dateTimePattern = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Reads a dateTimeTimeZone. **Decision:** a dateTime carrying its own offset ("…Z", "…+02:00") is
 * taken as that instant; without one it is wall-clock time in `timeZone` (Graph's documented form).
 */
export function parseDateTimeTimeZone(value: unknown, property: string): { utcMs: number; timeZone: string } {
  const record = value as { dateTime?: unknown; timeZone?: unknown } | null;
  const match = typeof record?.dateTime === "string" ? dateTimePattern.exec(record.dateTime.trim()) : null;
  if (!match) {
    throw new GraphError(400, "ErrorInvalidRequest", `The ${property} property must be a dateTimeTimeZone with an ISO 8601 dateTime.`);
  }
  const timeZone = typeof record!.timeZone === "string" && record!.timeZone.trim() !== "" ? record!.timeZone : "UTC";
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "0", offset] = match;
  const wall = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s, Math.floor(Number(`0.${fraction}`) * 1000));
  resolveZone(timeZone);
  if (offset) {
    const sign = offset === "Z" ? 0 : offset.startsWith("-") ? -1 : 1;
    const minutes = offset === "Z" ? 0 : Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6));
    return { utcMs: wall - sign * minutes * 60_000, timeZone };
  }
  return { utcMs: zonedToUtc(wall, timeZone), timeZone };
}

/** Graph's rendering: wall clock with seven fraction digits, e.g. "2024-03-04T09:00:00.0000000". */
export function formatDateTimeTimeZone(utcMs: number, zoneName = "UTC"): { dateTime: string; timeZone: string } {
  const iana = resolveZone(zoneName);
  const wall = iana === "UTC" ? utcMs : wallClock(utcMs, iana) + (utcMs % 1000);
  return { dateTime: new Date(wall).toISOString().replace(/\.(\d{3})Z$/, ".$10000"), timeZone: zoneName };
}

/** The calendar date (YYYY-MM-DD) and the milliseconds since midnight of an instant in a zone. */
export function localDateAndTime(utcMs: number, zoneName: string): { date: string; msOfDay: number } {
  const iana = resolveZone(zoneName);
  const wall = iana === "UTC" ? utcMs : wallClock(utcMs, iana) + (utcMs % 1000);
  const midnight = Math.floor(wall / 86_400_000) * 86_400_000;
  return { date: new Date(midnight).toISOString().slice(0, 10), msOfDay: wall - midnight };
}

/** Query parameters such as calendarView's startDateTime: their own offset, else UTC (Graph documents this). */
export function parseInstant(raw: string): number | undefined {
  // An unencoded "+" in an offset arrives as a space.
  const text = raw.trim().replace(/ (\d{2}:\d{2})$/, "+$1");
  if (!dateTimePattern.test(text)) return undefined;
  return parseDateTimeTimeZone({ dateTime: text, timeZone: "UTC" }, "startDateTime").utcMs;
}
