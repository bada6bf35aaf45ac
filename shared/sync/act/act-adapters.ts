/**
 * Where appointments, contacts and tasks differ for the ACT engine: the Graph collection, the delta
 * to follow, how an item is stamped with its CRM record (and found again by that stamp), and the
 * mapping. Everything else — links, conflict rule, filters, scheduling — is shared (act-engine.ts).
 */
import type { ActFieldsByType, ActRecordType, AppointmentFields, ContactFields, TaskFields } from "../../domain/act-records.js";
import { allDayDate, toUtcZoned } from "../../domain/zoned-time.js";
import type { GraphConnection } from "../../graph/graph-connection.js";
import { crmRecordStampId } from "../../graph/ownership-stamp.js";
import {
  appointmentFromEvent,
  appointmentRequired,
  contactFromRecord,
  eventFromAppointment,
  isTrackedItem,
  recordFromContact,
  recordFromTask,
  taskBodyHtml,
  taskFromRecord,
  type CompleteGraphEvent,
  type GraphContact,
  type GraphTask,
} from "./act-mapping.js";

/** Days of calendar the ACT workload keeps in step: 30 back, a year ahead (a sliding window). */
export const calendarWindowPastDays = 30;
export const calendarWindowFutureDays = 365;
/** The calendar delta restarts when its window has slid this far, so the window keeps moving. */
export const calendarWindowRestartDays = 7;

export type GraphWrite = "create" | "update";

export interface ActItem {
  id: string;
  lastModifiedDateTime?: string;
  categories?: string[];
  "@removed"?: { reason?: string };
  [key: string]: unknown;
}

export interface ActAdapter<T extends ActRecordType> {
  type: T;
  /** Where items of this type live in the mailbox (collection path, relative to /users/{u}). */
  collection(graph: GraphConnection, user: string): Promise<string>;
  /** The first request of a delta round. */
  deltaStart(collection: string, user: string, now: number): string;
  /** The body of a create (POST) or an update (PATCH): each as Graph documents it for the type. */
  toGraph(fields: ActFieldsByType[T], recordId: string, write: GraphWrite): Record<string, unknown>;
  /** Properties `fromGraph` needs that a (partial) delta item lacks; such an item is read whole first. */
  missing(item: ActItem): string[];
  fromGraph(item: ActItem): ActFieldsByType[T];
  /** The CRM record id an item was stamped with when the CRM created it. */
  stampOf(item: ActItem): string | undefined;
  findByStamp(graph: GraphConnection, collection: string, recordId: string): Promise<string | undefined>;
  isTracked(item: ActItem): boolean;
  /** Canonical form for comparisons (times as UTC instants, all-day dates as dates, task bodies as HTML). */
  canonical(fields: ActFieldsByType[T]): ActFieldsByType[T];
}

const stampFilter = (recordId: string) => `singleValueExtendedProperties/any(ep: ep/id eq '${crmRecordStampId}' and ep/value eq '${recordId}')`;
const stampValue = (item: ActItem) =>
  (item.singleValueExtendedProperties as Array<{ id: string; value: string }> | undefined)?.find((p) => p.id.toLowerCase() === crmRecordStampId.toLowerCase())?.value;
const stampExpand = `$expand=singleValueExtendedProperties($filter=id eq '${crmRecordStampId}')`;

async function findByExtendedProperty(graph: GraphConnection, collection: string, recordId: string): Promise<string | undefined> {
  const found = await graph.get<{ value: Array<{ id: string }> }>(`${collection}?$filter=${encodeURIComponent(stampFilter(recordId))}&$select=id`);
  return found.value[0]?.id;
}

export const appointmentAdapter: ActAdapter<"appointment"> = {
  type: "appointment",
  collection: async (_graph, user) => `${user}/events`,
  deltaStart(_collection, user, now) {
    const day = 24 * 60 * 60 * 1000;
    const start = new Date(now - calendarWindowPastDays * day).toISOString();
    const end = new Date(now + calendarWindowFutureDays * day).toISOString();
    return `${user}/calendarView/delta?startDateTime=${start}&endDateTime=${end}`;
  },
  toGraph: (fields, recordId) => ({ ...eventFromAppointment(fields), singleValueExtendedProperties: [{ id: crmRecordStampId, value: recordId }] }),
  missing: (item) => appointmentRequired.filter((name) => !item[name]),
  fromGraph: (item) => appointmentFromEvent(item as unknown as CompleteGraphEvent),
  stampOf: stampValue,
  findByStamp: findByExtendedProperty,
  isTracked: isTrackedItem,
  canonical: (fields: AppointmentFields) => {
    const time = fields.isAllDay ? allDayDate : toUtcZoned;
    return { ...fields, start: time(fields.start), end: time(fields.end) };
  },
};

export const contactAdapter: ActAdapter<"contact"> = {
  type: "contact",
  collection: async (_graph, user) => `${user}/contacts`,
  deltaStart: (_collection, user) => `${user}/contactFolders/contacts/contacts/delta`,
  toGraph: (fields, recordId) => ({ ...contactFromRecord(fields), singleValueExtendedProperties: [{ id: crmRecordStampId, value: recordId }] }),
  missing: () => [],
  fromGraph: (item) => recordFromContact(item as unknown as GraphContact),
  stampOf: stampValue,
  findByStamp: findByExtendedProperty,
  isTracked: isTrackedItem,
  canonical: (fields: ContactFields) => fields,
};

/**
 * To Do tasks carry no extended properties in v1.0: a linked resource holds the CRM record id. It
 * is written with the create (as the docs' create sample does); the documented update takes no
 * linkedResources (they have their own endpoint), so an update sends the task's own properties.
 */
const linkedApplication = "CRM server-side sync";

export const taskAdapter: ActAdapter<"task"> = {
  type: "task",
  async collection(graph, user) {
    const lists = await graph.get<{ value: Array<{ id: string; wellknownListName?: string }> }>(`${user}/todo/lists`);
    const list = lists.value.find((l) => l.wellknownListName === "defaultList") ?? lists.value[0];
    if (!list) throw new Error("The mailbox has no To Do task list.");
    return `${user}/todo/lists/${encodeURIComponent(list.id)}/tasks`;
  },
  deltaStart: (collection) => `${collection}/delta`,
  toGraph: (fields, recordId, write) =>
    write === "create" ? { ...taskFromRecord(fields), linkedResources: [{ applicationName: linkedApplication, externalId: recordId, displayName: fields.subject }] } : taskFromRecord(fields),
  missing: () => [],
  fromGraph: (item) => recordFromTask(item as unknown as GraphTask),
  stampOf: (item) => (item.linkedResources as GraphTask["linkedResources"])?.find((r) => r.applicationName === linkedApplication)?.externalId,
  async findByStamp(graph, collection, recordId) {
    const filter = `linkedResources/any(r: r/externalId eq '${recordId}')`;
    const found = await graph.get<{ value: Array<{ id: string }> }>(`${collection}?$filter=${encodeURIComponent(filter)}&$select=id`);
    return found.value[0]?.id;
  },
  isTracked: isTrackedItem,
  // To Do keeps HTML bodies (what the engine writes): a text body compares as its HTML.
  canonical: ({ body, ...fields }: TaskFields) => ({ ...fields, ...(fields.due ? { due: toUtcZoned(fields.due) } : {}), ...(body?.content ? { body: taskBodyHtml(body) } : {}) }),
};

export const actAdapters = { appointment: appointmentAdapter, contact: contactAdapter, task: taskAdapter } as const;

/** $expand that returns the stamp with each item (events and contacts). */
export function withStamp(type: ActRecordType, path: string): string {
  if (type === "task") return `${path}${path.includes("?") ? "&" : "?"}$expand=linkedResources`;
  return `${path}${path.includes("?") ? "&" : "?"}${stampExpand}`;
}
