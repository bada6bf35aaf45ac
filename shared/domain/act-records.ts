/**
 * Appointments, contacts and tasks as the CRM keeps them (the ACT workload syncs them with the
 * owner's Exchange calendar, contacts and Microsoft To Do). Field names follow Graph's where the two
 * overlap, so mapping stays obvious. Pure types and rules.
 */

export const actRecordTypes = ["appointment", "contact", "task"] as const;
export type ActRecordType = (typeof actRecordTypes)[number];

/** A time with its IANA or Windows time zone, as Graph's dateTimeTimeZone. */
export interface ZonedTime {
  dateTime: string;
  timeZone: string;
}

export interface Attendee {
  address: string;
  name?: string;
}

/** Graph's patternedRecurrence, kept as Graph spells it. */
export interface Recurrence {
  pattern: {
    type: "daily" | "weekly" | "absoluteMonthly" | "relativeMonthly" | "absoluteYearly" | "relativeYearly";
    interval: number;
    daysOfWeek?: string[];
    dayOfMonth?: number;
    month?: number;
    firstDayOfWeek?: string;
    index?: "first" | "second" | "third" | "fourth" | "last";
  };
  range: { type: "endDate" | "noEnd" | "numbered"; startDate: string; endDate?: string; numberOfOccurrences?: number; recurrenceTimeZone?: string };
}

export type AppointmentStatus = "scheduled" | "completed" | "canceled";

export interface AppointmentFields {
  subject: string;
  body?: { contentType: "text" | "html"; content: string };
  location?: string;
  start: ZonedTime;
  end: ZonedTime;
  isAllDay: boolean;
  organizer?: Attendee;
  requiredAttendees: Attendee[];
  optionalAttendees: Attendee[];
  recurrence?: Recurrence;
  status: AppointmentStatus;
  categories: string[];
}

export interface ContactFields {
  firstName?: string;
  lastName?: string;
  emails: Attendee[];
  businessPhone?: string;
  mobilePhone?: string;
  homePhone?: string;
  company?: string;
  jobTitle?: string;
  businessAddress?: PostalAddress;
  homeAddress?: PostalAddress;
  status: "active" | "inactive";
}

export interface PostalAddress {
  street?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  countryOrRegion?: string;
}

export type TaskStatus = "notStarted" | "inProgress" | "completed" | "waitingOnOthers" | "deferred";

export interface TaskFields {
  subject: string;
  body?: { contentType: "text" | "html"; content: string };
  due?: ZonedTime;
  status: TaskStatus;
  completedAt?: string;
  importance: "low" | "normal" | "high";
}

export interface ActFieldsByType {
  appointment: AppointmentFields;
  contact: ContactFields;
  task: TaskFields;
}

/** A CRM record of any type: the owner, the fields of its type, a version per change. */
export interface CrmRecord<T extends string = string, F = unknown> {
  type: T;
  id: string;
  /** The CRM user who owns the record: for ACT types, their mailbox is where it syncs. */
  ownerId: string;
  fields: F;
  createdAt: string;
  modifiedAt: string;
  /** Increases on every change (optimistic concurrency for the API and the sync). */
  version: number;
}

export type ActRecord<T extends ActRecordType = ActRecordType> = CrmRecord<T, ActFieldsByType[T]>;
