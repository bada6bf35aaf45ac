/**
 * Graph's dateTimeTimeZone ("wall clock" + zone, Windows or IANA name) to an instant, so the same
 * moment written in two zones compares equal. The ACT workload asks Graph for UTC
 * (`Prefer: outlook.timezone="UTC"`) and converts CRM-side times with this.
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
