/**
 * Pure mapping between the CRM's appointments, contacts and tasks and Graph's event, contact and
 * todoTask. Each mapping writes only properties that exist on the Graph type (the contract test
 * checks them) and reads back the same fields, so a round trip is stable.
 */
import type { AppointmentFields, Attendee, ContactFields, PostalAddress, TaskFields } from "../../domain/act-records.js";
import { allDayDate, toInstant } from "../../domain/zoned-time.js";

/** Outlook category a user sets on an item to track it to the CRM. */
export const trackedCategory = "Tracked to CRM";

type GraphAddress = { emailAddress?: { address?: string; name?: string } };

const attendeeOut = (a: Attendee, type?: "required" | "optional") => ({ ...(type ? { type } : {}), emailAddress: { address: a.address, ...(a.name ? { name: a.name } : {}) } });
const attendeeIn = (g: GraphAddress | undefined): Attendee | undefined => {
  const address = g?.emailAddress?.address;
  if (!address) return undefined;
  const name = g?.emailAddress?.name;
  return name && name !== address ? { address, name } : { address };
};
const defined = <T>(value: T | undefined): value is T => value !== undefined;

export interface GraphEvent {
  id: string;
  subject?: string;
  body?: { contentType?: string; content?: string };
  start?: { dateTime: string; timeZone: string };
  end?: { dateTime: string; timeZone: string };
  originalStartTimeZone?: string | null;
  originalEndTimeZone?: string | null;
  isAllDay?: boolean;
  location?: { displayName?: string };
  organizer?: GraphAddress;
  attendees?: Array<GraphAddress & { type?: string }>;
  recurrence?: AppointmentFields["recurrence"] | null;
  showAs?: string;
  isCancelled?: boolean;
  categories?: string[];
  type?: string;
  seriesMasterId?: string | null;
  lastModifiedDateTime?: string;
  singleValueExtendedProperties?: Array<{ id: string; value: string }>;
  "@removed"?: { reason?: string };
}

export function eventFromAppointment(fields: AppointmentFields): Record<string, unknown> {
  return {
    subject: fields.subject,
    body: fields.body ?? { contentType: "text", content: "" },
    start: fields.start,
    end: fields.end,
    isAllDay: fields.isAllDay,
    location: { displayName: fields.location ?? "" },
    attendees: [...fields.requiredAttendees.map((a) => attendeeOut(a, "required")), ...fields.optionalAttendees.map((a) => attendeeOut(a, "optional"))],
    recurrence: fields.recurrence ?? null,
    // Cancelled or completed appointments stay in the calendar as free time.
    showAs: fields.status === "scheduled" ? "busy" : "free",
    // Items the CRM puts in Exchange are tracked, as server-side sync marks them.
    categories: [...new Set([...fields.categories, trackedCategory])],
  };
}

/**
 * Properties an event must carry to become a CRM appointment. Delta pages may hold partial items
 * (the docs' calendarView delta samples show events without start and end): those are read whole.
 */
export const appointmentRequired = ["start", "end"] as const;

/** The event of a delta page or GET, with the properties `appointmentFromEvent` needs. */
export type CompleteGraphEvent = GraphEvent & Required<Pick<GraphEvent, (typeof appointmentRequired)[number]>>;

export function appointmentFromEvent(event: CompleteGraphEvent): AppointmentFields {
  const attendees = event.attendees ?? [];
  const organizer = attendeeIn(event.organizer);
  const isAllDay = event.isAllDay === true;
  return {
    subject: event.subject ?? "",
    ...(event.body?.content ? { body: { contentType: event.body.contentType?.toLowerCase() === "html" ? "html" : "text", content: event.body.content } } : {}),
    ...(event.location?.displayName ? { location: event.location.displayName } : {}),
    // All-day events are dates in their own zone, never instants converted to UTC.
    start: isAllDay ? allDayDate(event.start, event.originalStartTimeZone) : event.start,
    end: isAllDay ? allDayDate(event.end, event.originalEndTimeZone ?? event.originalStartTimeZone) : event.end,
    isAllDay,
    ...(organizer ? { organizer } : {}),
    requiredAttendees: attendees.filter((a) => a.type !== "optional" && a.type !== "resource").map(attendeeIn).filter(defined),
    optionalAttendees: attendees.filter((a) => a.type === "optional").map(attendeeIn).filter(defined),
    ...(event.recurrence ? { recurrence: event.recurrence } : {}),
    status: event.isCancelled ? "canceled" : "scheduled",
    categories: (event.categories ?? []).filter((c) => c !== trackedCategory),
  };
}

export interface GraphContact {
  id: string;
  givenName?: string;
  surname?: string;
  emailAddresses?: Array<{ address?: string; name?: string }>;
  businessPhones?: string[];
  mobilePhone?: string | null;
  homePhones?: string[];
  companyName?: string | null;
  jobTitle?: string | null;
  businessAddress?: PostalAddress;
  homeAddress?: PostalAddress;
  categories?: string[];
  lastModifiedDateTime?: string;
  singleValueExtendedProperties?: Array<{ id: string; value: string }>;
  "@removed"?: { reason?: string };
}

const emptyAddress = (a: PostalAddress | undefined) => !a || Object.values(a).every((v) => !v);

export function contactFromRecord(fields: ContactFields): Record<string, unknown> {
  return {
    givenName: fields.firstName ?? "",
    surname: fields.lastName ?? "",
    emailAddresses: fields.emails.map((e) => ({ address: e.address, ...(e.name ? { name: e.name } : {}) })),
    businessPhones: fields.businessPhone ? [fields.businessPhone] : [],
    mobilePhone: fields.mobilePhone ?? null,
    homePhones: fields.homePhone ? [fields.homePhone] : [],
    companyName: fields.company ?? null,
    jobTitle: fields.jobTitle ?? null,
    businessAddress: fields.businessAddress ?? {},
    homeAddress: fields.homeAddress ?? {},
    categories: [trackedCategory],
  };
}

export function recordFromContact(contact: GraphContact): ContactFields {
  return {
    ...(contact.givenName ? { firstName: contact.givenName } : {}),
    ...(contact.surname ? { lastName: contact.surname } : {}),
    emails: (contact.emailAddresses ?? []).filter((e) => e.address).map((e) => (e.name && e.name !== e.address ? { address: e.address!, name: e.name } : { address: e.address! })),
    ...(contact.businessPhones?.[0] ? { businessPhone: contact.businessPhones[0] } : {}),
    ...(contact.mobilePhone ? { mobilePhone: contact.mobilePhone } : {}),
    ...(contact.homePhones?.[0] ? { homePhone: contact.homePhones[0] } : {}),
    ...(contact.companyName ? { company: contact.companyName } : {}),
    ...(contact.jobTitle ? { jobTitle: contact.jobTitle } : {}),
    ...(!emptyAddress(contact.businessAddress) ? { businessAddress: contact.businessAddress } : {}),
    ...(!emptyAddress(contact.homeAddress) ? { homeAddress: contact.homeAddress } : {}),
    status: "active",
  };
}

export interface GraphTask {
  id: string;
  title?: string;
  body?: { contentType?: string; content?: string };
  dueDateTime?: { dateTime: string; timeZone: string } | null;
  status?: string;
  completedDateTime?: { dateTime: string; timeZone: string } | null;
  importance?: string;
  categories?: string[];
  lastModifiedDateTime?: string;
  linkedResources?: Array<{ applicationName?: string; externalId?: string; displayName?: string }>;
  "@removed"?: { reason?: string };
}

/** Plain text as the HTML To Do shows the same way: escaped, line breaks kept. */
export function textToHtml(text: string): string {
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  return escaped.replace(/\r?\n/g, "<br>");
}

/** A task body as To Do takes it: HTML only on update (the docs' todoTask update), so always HTML. */
export function taskBodyHtml(body: TaskFields["body"]): { contentType: "html"; content: string } {
  if (!body) return { contentType: "html", content: "" };
  return { contentType: "html", content: body.contentType === "html" ? body.content : textToHtml(body.content) };
}

/**
 * A todoTask write. Create and update take the same properties; the CRM stamp (a linkedResource)
 * is added by the adapter on create only, as the documented update takes no linkedResources.
 */
export function taskFromRecord(fields: TaskFields): Record<string, unknown> {
  return {
    title: fields.subject,
    body: taskBodyHtml(fields.body),
    dueDateTime: fields.due ?? null,
    status: fields.status,
    completedDateTime: fields.status === "completed" && fields.completedAt ? { dateTime: fields.completedAt.replace(/Z$/, ""), timeZone: "UTC" } : null,
    importance: fields.importance,
    categories: [trackedCategory],
  };
}

export function recordFromTask(task: GraphTask): TaskFields {
  const status = (["notStarted", "inProgress", "completed", "waitingOnOthers", "deferred"] as const).find((s) => s === task.status) ?? "notStarted";
  // In the zone it names (Windows or IANA); an unknown zone leaves the completion time out rather than guess.
  const completed = task.completedDateTime ? toInstant({ dateTime: task.completedDateTime.dateTime, timeZone: task.completedDateTime.timeZone || "UTC" }) : undefined;
  return {
    subject: task.title ?? "",
    ...(task.body?.content ? { body: { contentType: task.body.contentType?.toLowerCase() === "html" ? "html" : "text", content: task.body.content } } : {}),
    ...(task.dueDateTime ? { due: task.dueDateTime } : {}),
    status,
    ...(status === "completed" && completed ? { completedAt: completed } : {}),
    importance: task.importance === "low" || task.importance === "high" ? task.importance : "normal",
  };
}

/** An item the user asked to track (category), or already linked, comes into the CRM. */
export function isTrackedItem(item: { categories?: string[] }): boolean {
  return (item.categories ?? []).includes(trackedCategory);
}
