/**
 * What a calendar view sees: single instances, and the occurrences and exceptions of each series
 * that overlap the window (series masters themselves are not part of a view, as in Graph).
 * Occurrences are expanded from the master on demand; their ids are derived from the master id and
 * the original start, so the same occurrence has the same id in every round, and each id handed
 * out is remembered so clients can GET, PATCH or DELETE it.
 */
import { createHash } from "node:crypto";
import type { EventFields, MailboxPim, StoredEvent } from "./pim-model.js";
import { occurrenceDates } from "./recurrence.js";
import { localDateAndTime, zonedToUtc } from "./time-zones.js";

export type EventKind = "singleInstance" | "seriesMaster" | "occurrence" | "exception";

export interface EventInstance {
  id: string;
  kind: EventKind;
  /** The stored event: the instance itself, or its series master. */
  event: StoredEvent;
  originalStart?: number;
  fields: EventFields;
  changeKey: string;
  lastModifiedAt: number;
  /** Changes whenever what a client would see of this instance changes (delta compares it). */
  version: string;
}

const eventFieldNames: ReadonlyArray<keyof EventFields> = [
  "subject", "body", "startMs", "endMs", "startZone", "endZone", "isAllDay", "location", "attendees", "showAs",
  "categories", "sensitivity", "importance", "isReminderOn", "reminderMinutesBeforeStart", "responseRequested", "isCancelled",
];

export function baseFields(event: StoredEvent): EventFields {
  return Object.fromEntries(eventFieldNames.map((name) => [name, event[name]])) as unknown as EventFields;
}

export function occurrenceId(master: StoredEvent, originalStart: number): string {
  const digest = createHash("sha256").update(`${master.id}:${originalStart}`).digest("base64url");
  return `AAMkAOcc${digest}${master.id.slice(5, 30)}AAA=`;
}

/** Outlook puts an occurrence's date into bytes 16–19 of the series' global object id. */
export function occurrenceICalUId(master: StoredEvent, originalStart: number): string {
  const date = new Date(originalStart);
  const hex = (value: number, digits: number) => value.toString(16).toUpperCase().padStart(digits, "0");
  const stamp = hex(date.getUTCFullYear(), 4) + hex(date.getUTCMonth() + 1, 2) + hex(date.getUTCDate(), 2);
  return master.iCalUId.slice(0, 32) + stamp + master.iCalUId.slice(40);
}

const overlaps = (fields: EventFields, from: number, to: number) =>
  fields.startMs < to && (fields.endMs > from || (fields.endMs === fields.startMs && fields.startMs >= from));

export function singleInstance(event: StoredEvent): EventInstance {
  return {
    id: event.id,
    kind: event.recurrence ? "seriesMaster" : "singleInstance",
    event,
    fields: baseFields(event),
    changeKey: event.changeKey,
    lastModifiedAt: event.lastModifiedAt,
    version: event.changeKey,
  };
}

/** One occurrence (or exception) of a series, registering its id. */
export function occurrenceAt(pim: MailboxPim, master: StoredEvent, originalStart: number): EventInstance {
  const id = occurrenceId(master, originalStart);
  pim.occurrences.set(id, { masterId: master.id, originalStart });
  const edit = master.exceptions.get(originalStart);
  const duration = master.endMs - master.startMs;
  const fields: EventFields = { ...baseFields(master), startMs: originalStart, endMs: originalStart + duration, ...edit?.fields };
  return {
    id,
    kind: edit ? "exception" : "occurrence",
    event: master,
    originalStart,
    fields,
    changeKey: edit?.changeKey ?? master.changeKey,
    lastModifiedAt: Math.max(master.lastModifiedAt, edit?.lastModifiedAt ?? 0),
    version: `${master.changeKey}/${edit?.changeKey ?? "-"}`,
  };
}

/** Original starts of a series' occurrences on dates up to `untilMs` (deleted ones excluded). */
function originalStarts(master: StoredEvent, untilMs: number): number[] {
  const recurrence = master.recurrence!;
  const zone = recurrence.range.recurrenceTimeZone;
  const { msOfDay } = localDateAndTime(master.startMs, master.startZone);
  const until = localDateAndTime(untilMs, zone).date;
  return occurrenceDates(recurrence, until)
    .map((date) => zonedToUtc(Date.parse(`${date}T00:00:00Z`) + msOfDay, zone))
    .filter((start) => !master.cancelled.has(start));
}

/** Occurrences and exceptions of a series overlapping [from, to). */
export function seriesInstances(pim: MailboxPim, master: StoredEvent, from: number, to: number): EventInstance[] {
  // Exceptions may have been moved from an original date outside the window into it.
  const starts = new Set([...originalStarts(master, to), ...master.exceptions.keys()]);
  return [...starts]
    .filter((start) => !master.cancelled.has(start))
    .map((start) => occurrenceAt(pim, master, start))
    .filter((instance) => overlaps(instance.fields, from, to))
    .sort((a, b) => a.fields.startMs - b.fields.startMs);
}

/** The calendar view of [from, to): single instances, occurrences and exceptions, by start. */
export function calendarView(pim: MailboxPim, from: number, to: number): EventInstance[] {
  const instances: EventInstance[] = [];
  for (const event of pim.events.values()) {
    if (event.recurrence) instances.push(...seriesInstances(pim, event, from, to));
    else if (overlaps(event, from, to)) instances.push(singleInstance(event));
  }
  return instances.sort((a, b) => a.fields.startMs - b.fields.startMs || a.id.localeCompare(b.id));
}

/** An event or occurrence by id, if it (still) exists. */
export function findInstance(pim: MailboxPim, id: string): EventInstance | undefined {
  const event = pim.events.get(id);
  if (event) return singleInstance(event);
  const occurrence = pim.occurrences.get(id);
  const master = occurrence && pim.events.get(occurrence.masterId);
  if (!occurrence || !master?.recurrence || master.cancelled.has(occurrence.originalStart)) return undefined;
  const stillInSeries =
    master.exceptions.has(occurrence.originalStart) || originalStarts(master, occurrence.originalStart).includes(occurrence.originalStart);
  return stillInSeries ? occurrenceAt(pim, master, occurrence.originalStart) : undefined;
}
