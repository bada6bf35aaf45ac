/**
 * Graph's dateTimeTimeZone ("wall clock" + zone, Windows or IANA name) to an instant, so the same
 * moment written in two zones compares equal. The ACT workload asks Graph for UTC
 * (`Prefer: outlook.timezone="UTC"`) and converts CRM-side times with this. All-day events are the
 * exception: they are dates, kept as midnight in the event's own zone (`allDayDate`).
 */
import type { ZonedTime } from "./act-records.js";

/** Windows zone names Exchange uses, mapped to IANA (the common ones; IANA names pass through). */
const windowsToIana: Record<string, string> = {
  utc: "UTC",
  "gmt standard time": "Europe/London",
  "w. europe standard time": "Europe/Berlin",
  "central europe standard time": "Europe/Budapest",
  "central european standard time": "Europe/Warsaw",
  "romance standard time": "Europe/Paris",
  "e. europe standard time": "Europe/Chisinau",
  "fle standard time": "Europe/Kiev",
  "gtb standard time": "Europe/Bucharest",
  "russian standard time": "Europe/Moscow",
  "eastern standard time": "America/New_York",
  "central standard time": "America/Chicago",
  "mountain standard time": "America/Denver",
  "pacific standard time": "America/Los_Angeles",
  "india standard time": "Asia/Kolkata",
  "china standard time": "Asia/Shanghai",
  "tokyo standard time": "Asia/Tokyo",
  "aus eastern standard time": "Australia/Sydney",
};

export function ianaZone(timeZone: string): string | undefined {
  const name = windowsToIana[timeZone.trim().toLowerCase()] ?? timeZone.trim();
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return name;
  } catch {
    return undefined;
  }
}

/** Offset of `zone` from UTC at the given instant, in minutes. */
function offsetMinutes(zone: string, instant: number): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

/** The instant (ISO, UTC) a zoned wall-clock time denotes; undefined for an unknown zone. */
export function toInstant(time: ZonedTime): string | undefined {
  const zone = ianaZone(time.timeZone);
  if (!zone) return undefined;
  const wall = Date.parse(`${time.dateTime.replace(/Z$/, "").slice(0, 23)}Z`);
  if (Number.isNaN(wall)) return undefined;
  // Two passes settle the offset across a daylight-saving change.
  let instant = wall - offsetMinutes(zone, wall) * 60_000;
  instant = wall - offsetMinutes(zone, instant) * 60_000;
  return new Date(instant).toISOString();
}

/** The same moment as Graph's UTC dateTimeTimeZone. */
export function toUtcZoned(time: ZonedTime): ZonedTime {
  const instant = toInstant(time);
  return instant ? { dateTime: instant.replace(/Z$/, ""), timeZone: "UTC" } : time;
}

/** The wall clock (YYYY-MM-DDTHH:mm:ss) an instant shows in a zone; undefined for an unknown zone. */
export function wallClockIn(instant: string, timeZone: string): string | undefined {
  const zone = ianaZone(timeZone);
  const at = Date.parse(instant);
  if (!zone || Number.isNaN(at)) return undefined;
  return new Date(at + offsetMinutes(zone, at) * 60_000).toISOString().slice(0, 19);
}

const isMidnight = (dateTime: string) => /T00:00(:00(\.0+)?)?$/.test(dateTime);

/**
 * One end of an all-day event as a date: midnight in the event's own zone, named as IANA so both
 * sides compare equal. Graph answers all-day events midnight to midnight whatever zone is asked
 * for (their dates are the event's own); an answer converted to the asked zone like other events
 * (23:00 UTC the evening before, for Berlin) is read back in the event's own zone
 * (originalStartTimeZone). A zone we cannot map leaves the wall clock's date as it is.
 */
export function allDayDate(time: ZonedTime, ownZone?: string | null): ZonedTime {
  const zone = (ownZone && ianaZone(ownZone)) || ianaZone(time.timeZone) || time.timeZone;
  let wall = time.dateTime.replace(/Z$/, "");
  if (!isMidnight(wall)) {
    const instant = toInstant(time);
    wall = (instant && wallClockIn(instant, zone)) ?? wall;
  }
  return { dateTime: `${wall.slice(0, 10)}T00:00:00`, timeZone: zone };
}
