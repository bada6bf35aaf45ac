/**
 * Reads a Graph event resource from a request body (POST, PATCH) or from the control API. The
 * control API may also set what only the other side of a meeting decides: the organizer (an
 * invitation from someone else), the user's responseStatus, and isCancelled (the organizer
 * cancelled, this attendee copy stays). Through Graph those are read-only and ignored.
 */
import { GraphError } from "./graph-error.js";
import type { EmailAddressInput } from "./mailbox-model.js";
import { readExtendedProperties } from "./message-input.js";
import type { Attendee, EventFields, ResponseType } from "./pim-model.js";
import {
  invalidProperty, readBody, readBoolean, readEmailAddress, readEnum, readString, readStringList,
} from "./pim-input.js";
import { parseRecurrence, type PatternedRecurrence } from "./recurrence.js";
import { parseDateTimeTimeZone } from "./time-zones.js";

export interface EventInput {
  fields: Partial<EventFields>;
  /** null removes the recurrence; undefined leaves it. */
  recurrence?: PatternedRecurrence | null;
  extendedProperties?: Map<string, string>;
  organizer?: EmailAddressInput;
  responseStatus?: { response: ResponseType; time: number | null };
}

const responseTypes = ["none", "organizer", "tentativelyAccepted", "accepted", "declined", "notResponded"] as const;

function readAttendees(value: unknown, control: boolean): Attendee[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw invalidProperty("The property 'attendees' must be a collection.");
  return value.map((item: { type?: unknown; emailAddress?: unknown; status?: { response?: unknown } } | null, i) => ({
    type: item?.type === undefined ? "required" : readEnum(["required", "optional", "resource"] as const, item.type, "attendees.type"),
    // An attendee's response is theirs to give; through Graph a new attendee has not responded.
    status: {
      response: control && item?.status?.response !== undefined ? readEnum(responseTypes, item.status.response, "status.response") : "none",
      time: null,
    },
    emailAddress: readEmailAddress(item?.emailAddress, `attendees[${i}].emailAddress`),
  }));
}

export function readEventInput(json: Record<string, unknown>, options: { control: boolean }): EventInput {
  const fields: Partial<EventFields> = {};
  const input: EventInput = { fields };
  if (json.subject !== undefined) fields.subject = json.subject === null ? "" : readString(json.subject, "subject");
  if (json.body !== undefined) fields.body = readBody(json.body);
  if (json.start !== undefined) {
    const start = parseDateTimeTimeZone(json.start, "start");
    [fields.startMs, fields.startZone] = [start.utcMs, start.timeZone];
  }
  if (json.end !== undefined) {
    const end = parseDateTimeTimeZone(json.end, "end");
    [fields.endMs, fields.endZone] = [end.utcMs, end.timeZone];
  }
  if (json.isAllDay !== undefined) fields.isAllDay = readBoolean(json.isAllDay, "isAllDay");
  if (json.location !== undefined) {
    const location = json.location as { displayName?: unknown } | null;
    fields.location = location === null ? null : { displayName: typeof location.displayName === "string" ? location.displayName : "" };
  }
  if (json.attendees !== undefined) fields.attendees = readAttendees(json.attendees, options.control);
  if (json.showAs !== undefined) {
    fields.showAs = readEnum(["unknown", "free", "tentative", "busy", "oof", "workingElsewhere"] as const, json.showAs, "showAs");
  }
  if (json.categories !== undefined) fields.categories = readStringList(json.categories, "categories");
  if (json.sensitivity !== undefined) {
    fields.sensitivity = readEnum(["normal", "personal", "private", "confidential"] as const, json.sensitivity, "sensitivity");
  }
  if (json.importance !== undefined) fields.importance = readEnum(["low", "normal", "high"] as const, json.importance, "importance");
  if (json.isReminderOn !== undefined) fields.isReminderOn = readBoolean(json.isReminderOn, "isReminderOn");
  if (json.reminderMinutesBeforeStart !== undefined) {
    if (!Number.isInteger(json.reminderMinutesBeforeStart)) throw invalidProperty("reminderMinutesBeforeStart must be an integer.");
    fields.reminderMinutesBeforeStart = json.reminderMinutesBeforeStart as number;
  }
  if (json.responseRequested !== undefined) fields.responseRequested = readBoolean(json.responseRequested, "responseRequested");
  if (json.recurrence !== undefined) {
    input.recurrence = json.recurrence === null ? null : parseRecurrence(json.recurrence, fields.startZone ?? "");
  }
  if (json.singleValueExtendedProperties !== undefined) input.extendedProperties = readExtendedProperties(json.singleValueExtendedProperties);
  if (options.control) {
    if (json.isCancelled !== undefined) fields.isCancelled = readBoolean(json.isCancelled, "isCancelled");
    if (json.organizer !== undefined) {
      input.organizer = readEmailAddress((json.organizer as { emailAddress?: unknown } | null)?.emailAddress, "organizer.emailAddress");
    }
    const response = (json.responseStatus as { response?: unknown } | null)?.response;
    if (response !== undefined) input.responseStatus = { response: readEnum(responseTypes, response, "responseStatus.response"), time: null };
  }
  return input;
}

/** Exchange refuses an end before the start (EWS calls it ErrorCalendarEndDateIsEarlierThanStartDate). */
export function ensureEventTimes(fields: Pick<EventFields, "startMs" | "endMs">): void {
  if (fields.endMs < fields.startMs) {
    throw new GraphError(400, "ErrorCalendarEndDateIsEarlierThanStartDate", "The end date occurs before the start date.");
  }
}
