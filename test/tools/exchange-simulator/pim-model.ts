/**
 * The data model of a mailbox's calendar, contacts and To Do tasks (the "ACT" workload). Times are
 * instants (epoch ms) with the zone names clients gave, so they render in UTC or a preferred zone.
 * Every change bumps the mailbox's PIM sequence; a series' occurrences are not stored but expanded
 * from the master (see calendar-view.ts), with the per-occurrence edits kept on the master.
 */
import { randomBytes } from "node:crypto";
import type { EmailAddressInput } from "./mailbox-model.js";
import { base64url } from "./mailbox-model.js";
import type { PatternedRecurrence } from "./recurrence.js";

export type Importance = "low" | "normal" | "high";
export type ResponseType = "none" | "organizer" | "tentativelyAccepted" | "accepted" | "declined" | "notResponded";

export interface Attendee {
  type: "required" | "optional" | "resource";
  status: { response: ResponseType; time: number | null };
  emailAddress: EmailAddressInput;
}

/** What an event, and an exception to a series, can carry. */
export interface EventFields {
  subject: string;
  body: { contentType: "text" | "html"; content: string };
  startMs: number;
  endMs: number;
  startZone: string;
  endZone: string;
  isAllDay: boolean;
  location: { displayName: string } | null;
  attendees: Attendee[];
  showAs: "unknown" | "free" | "tentative" | "busy" | "oof" | "workingElsewhere";
  categories: string[];
  sensitivity: "normal" | "personal" | "private" | "confidential";
  importance: Importance;
  isReminderOn: boolean;
  reminderMinutesBeforeStart: number;
  responseRequested: boolean;
  /** Only an attendee's copy of a meeting the organizer cancelled (set through the control API). */
  isCancelled: boolean;
}

export interface OccurrenceEdit {
  fields: Partial<EventFields>;
  changeKey: string;
  lastModifiedAt: number;
}

export interface StoredEvent extends EventFields {
  id: string;
  changeSeq: number;
  changeKey: string;
  createdAt: number;
  lastModifiedAt: number;
  iCalUId: string;
  organizer: EmailAddressInput;
  responseStatus: { response: ResponseType; time: number | null };
  recurrence: PatternedRecurrence | null;
  /** Series only: edited occurrences (exceptions) and deleted ones, by original start (epoch ms). */
  exceptions: Map<number, OccurrenceEdit>;
  cancelled: Set<number>;
  extendedProperties: Map<string, string>;
}

export interface PhysicalAddress {
  street: string | null;
  city: string | null;
  state: string | null;
  countryOrRegion: string | null;
  postalCode: string | null;
}

export const contactStringFields = [
  "givenName", "surname", "middleName", "nickName", "initials", "title", "generation", "displayName", "fileAs",
  "companyName", "department", "jobTitle", "officeLocation", "profession", "businessHomePage", "assistantName",
  "manager", "mobilePhone", "spouseName", "personalNotes", "yomiGivenName", "yomiSurname", "yomiCompanyName",
] as const;
export const contactListFields = ["businessPhones", "homePhones", "imAddresses", "children", "categories"] as const;
export const contactAddressFields = ["businessAddress", "homeAddress", "otherAddress"] as const;

export type StoredContact = {
  id: string;
  folderId: string;
  changeSeq: number;
  changeKey: string;
  createdAt: number;
  lastModifiedAt: number;
  emailAddresses: EmailAddressInput[];
  birthday: number | null;
  extendedProperties: Map<string, string>;
} & Record<(typeof contactStringFields)[number], string | null> &
  Record<(typeof contactListFields)[number], string[]> &
  Record<(typeof contactAddressFields)[number], PhysicalAddress | null>;

export type TaskStatus = "notStarted" | "inProgress" | "completed" | "waitingOnOthers" | "deferred";

export interface LinkedResource {
  id: string;
  webUrl: string | null;
  applicationName: string | null;
  displayName: string | null;
  externalId: string | null;
}

export interface StoredTask {
  id: string;
  listId: string;
  changeSeq: number;
  changeKey: string;
  createdAt: number;
  lastModifiedAt: number;
  bodyLastModifiedAt: number;
  title: string;
  body: { contentType: "text" | "html"; content: string };
  importance: Importance;
  status: TaskStatus;
  isReminderOn: boolean;
  categories: string[];
  /** dateTimeTimeZone values as instants plus the zone they were given in. */
  dueDateTime: { utcMs: number; timeZone: string } | null;
  startDateTime: { utcMs: number; timeZone: string } | null;
  reminderDateTime: { utcMs: number; timeZone: string } | null;
  completedDateTime: { utcMs: number; timeZone: string } | null;
  linkedResources: LinkedResource[];
}

export interface TaskList {
  id: string;
  displayName: string;
  wellknownListName: "none" | "defaultList";
  changeKey: string;
}

export interface MailboxPim {
  /** Bumped by every change to an event, contact or task. */
  seq: number;
  events: Map<string, StoredEvent>;
  /** Deleted events with the sequence of their deletion (calendarView delta reports those outside its window). */
  eventDepartures: Array<{ id: string; seq: number; wasSeries: boolean }>;
  /** Occurrence ids handed out, so clients can address an occurrence. */
  occurrences: Map<string, { masterId: string; originalStart: number }>;
  contacts: Map<string, StoredContact>;
  /** Lists a client created; the default "Tasks" list is the mailbox's taskListId. */
  taskLists: TaskList[];
  tasks: Map<string, StoredTask>;
}

/** Shaped like Exchange ids (opaque to clients). */
export const newItemId = () => `AAMkA${base64url(60)}AAA=`;
export const newEventChangeKey = () => `DwAAABYAAA${base64url(27)}`;
export const newContactChangeKey = () => `EQAAABYAAA${base64url(27)}`;
export const newTaskChangeKey = () => base64url(15);

/** An iCalendar UID in Outlook's global-object-id form (hex; bytes 16–19 hold an instance date). */
export function newICalUId(): string {
  return `040000008200E00074C5B7101A82E00800000000${randomBytes(36).toString("hex").toUpperCase()}`;
}
