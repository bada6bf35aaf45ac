/**
 * Sync filters: which of a CRM user's appointments, contacts and tasks sync to their Exchange
 * mailbox, like Dynamics 365's default "My Appointments", "My Active Contacts" and "My Tasks".
 * One filter per user and record type; the owner is always "me" (the mailbox's owner), so a filter
 * only ever matches its own user's records. Pure rules.
 */
import type { ActRecord, ActRecordType, AppointmentFields, AppointmentStatus, Recurrence, ZonedTime } from "./act-records.js";
import { actRecordTypes } from "./act-records.js";
import { toInstant } from "./zoned-time.js";

export interface AppointmentCriteria {
  /** Statuses that sync. */
  statuses: AppointmentStatus[];
  /** The start must be at or after now minus this many days; null: no lower bound. */
  startFromDaysAgo: number | null;
  /** The start must be at or before now plus this many days; null: no upper bound. */
  startToDaysAhead: number | null;
}

export interface ContactCriteria {
  status: "active" | "any";
}

export interface TaskCriteria {
  status: "notCompleted" | "any";
}

export interface SyncFilterCriteriaByType {
  appointment: AppointmentCriteria;
  contact: ContactCriteria;
  task: TaskCriteria;
}

export interface SyncFilterOf<T extends ActRecordType> {
  ownerId: string;
  recordType: T;
  enabled: boolean;
  criteria: SyncFilterCriteriaByType[T];
}

/** A filter of any type; `recordType` narrows `criteria`. */
export type SyncFilter = { [T in ActRecordType]: SyncFilterOf<T> }[ActRecordType];

export const defaultCriteria: { readonly [T in ActRecordType]: SyncFilterCriteriaByType[T] } = {
  appointment: { statuses: ["scheduled", "completed", "canceled"], startFromDaysAgo: 30, startToDaysAhead: null },
  contact: { status: "active" },
  task: { status: "notCompleted" },
};

export function defaultFilter<T extends ActRecordType>(ownerId: string, recordType: T): SyncFilterOf<T> {
  // A copy: callers may change what they get without touching the defaults.
  return { ownerId, recordType, enabled: true, criteria: structuredClone(defaultCriteria[recordType]) };
}

/** The three default filters of a user, in `actRecordTypes` order. */
export function defaultFilters(ownerId: string): SyncFilter[] {
  return actRecordTypes.map((type) => defaultFilter(ownerId, type) as SyncFilter);
}

/** A type with no enabled filter does not sync to Exchange at all. */
export function isTypeSynced(filters: readonly SyncFilter[], type: ActRecordType): boolean {
  return filters.some((filter) => filter.recordType === type && filter.enabled);
}

const dayMs = 86_400_000;

/** Whether the filter selects the record at `now` (epoch ms). A disabled filter selects nothing. */
export function matchesFilter(record: ActRecord, filter: SyncFilter, now: number): boolean {
  if (!filter.enabled || record.type !== filter.recordType || record.ownerId !== filter.ownerId) return false;
  switch (filter.recordType) {
    case "appointment":
      return appointmentMatches(record.fields as AppointmentFields, filter.criteria, now);
    case "contact":
      return filter.criteria.status === "any" || (record as ActRecord<"contact">).fields.status === "active";
    case "task":
      return filter.criteria.status === "any" || (record as ActRecord<"task">).fields.status !== "completed";
  }
}

/** Whether the record syncs: an enabled filter of its owner and type selects it. */
export function recordSyncs(record: ActRecord, filters: readonly SyncFilter[], now: number): boolean {
  return filters.some((filter) => matchesFilter(record, filter, now));
}

function appointmentMatches(fields: AppointmentFields, criteria: AppointmentCriteria, now: number): boolean {
  if (!criteria.statuses.includes(fields.status)) return false;
  const from = criteria.startFromDaysAgo === null ? -Infinity : now - criteria.startFromDaysAgo * dayMs;
  const to = criteria.startToDaysAhead === null ? Infinity : now + criteria.startToDaysAhead * dayMs;
  const first = instantOf(fields.start);
  if (!(first <= to)) return false;
  // A series counts while any of it can fall in the window: a weekly meeting that began a year ago
  // still belongs in the calendar. Without expanding occurrences, a numbered series counts as open.
  const last = fields.recurrence ? seriesEnd(fields.recurrence, fields.start.timeZone) : first;
  return last >= from;
}

function seriesEnd(recurrence: Recurrence, startZone: string): number {
  const { range } = recurrence;
  if (range.type !== "endDate" || !range.endDate) return Infinity;
  return instantOf({ dateTime: `${range.endDate}T23:59:59.999`, timeZone: range.recurrenceTimeZone || startZone });
}

/** Epoch ms of a zoned time; a zone Exchange uses that we do not map is read as UTC (hours off, not days). */
function instantOf(time: ZonedTime): number {
  return Date.parse(toInstant(time) ?? toInstant({ ...time, timeZone: "UTC" }) ?? "");
}
