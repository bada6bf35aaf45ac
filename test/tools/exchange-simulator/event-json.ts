/**
 * Renders events, series masters, occurrences and exceptions as Graph v1.0 JSON (every property is
 * a real graph.event property; the contract test checks it). Times come out in UTC, or in the zone
 * of `Prefer: outlook.timezone`, in Graph's seven-fraction-digit form. An occurrence carries its
 * master's data with its own id, times, type, seriesMasterId, originalStart and iCalUId.
 */
import { occurrenceICalUId, type EventInstance } from "./calendar-view.js";
import { isOrganizer } from "./calendar-store.js";
import { expandedProperties, graphDate, htmlToText } from "./graph-json.js";
import type { Mailbox } from "./mailbox-model.js";
import { previewOf, renderEmailAddress } from "./pim-input.js";
import { formatDateTimeTimeZone } from "./time-zones.js";

/** Every structural property of graph.event. */
export const eventProperties = [
  "id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "transactionId", "originalStartTimeZone",
  "originalEndTimeZone", "iCalUId", "reminderMinutesBeforeStart", "isReminderOn", "hasAttachments", "subject",
  "bodyPreview", "importance", "sensitivity", "isAllDay", "isCancelled", "isOrganizer", "responseRequested",
  "seriesMasterId", "showAs", "type", "webLink", "onlineMeetingUrl", "isOnlineMeeting", "onlineMeetingProvider",
  "allowNewTimeProposals", "isDraft", "hideAttendees", "responseStatus", "body", "start", "end", "location",
  "locations", "recurrence", "attendees", "organizer", "onlineMeeting", "originalStart", "cancelledOccurrences",
] as const;

/** **Decision:** cancelledOccurrences only when selected (it is a series-master detail). */
const defaultEventProperties = eventProperties.filter((p) => p !== "cancelledOccurrences");

export interface EventRenderOptions {
  select?: string[];
  expandPropertyIds?: string[];
  timeZone?: string;
  bodyContentType?: "text" | "html";
}

/** Graph's "no time yet" value for response times. */
const noTime = "0001-01-01T00:00:00Z";
const responseTime = (time: number | null) => (time === null ? noTime : graphDate(time));

export function renderEvent(instance: EventInstance, mailbox: Mailbox, options: EventRenderOptions = {}): Record<string, unknown> {
  const { event, fields } = instance;
  const zone = options.timeZone ?? "UTC";
  const isOccurrence = instance.originalStart !== undefined;
  const body =
    options.bodyContentType === "text" && fields.body.contentType === "html"
      ? { contentType: "text", content: htmlToText(fields.body.content) }
      : { ...fields.body };
  const place = fields.location?.displayName ?? "";
  const values: Record<(typeof eventProperties)[number], () => unknown> = {
    id: () => instance.id,
    createdDateTime: () => graphDate(event.createdAt),
    lastModifiedDateTime: () => graphDate(instance.lastModifiedAt),
    changeKey: () => instance.changeKey,
    categories: () => [...fields.categories],
    transactionId: () => null,
    originalStartTimeZone: () => fields.startZone,
    originalEndTimeZone: () => fields.endZone,
    iCalUId: () => (isOccurrence ? occurrenceICalUId(event, instance.originalStart!) : event.iCalUId),
    reminderMinutesBeforeStart: () => fields.reminderMinutesBeforeStart,
    isReminderOn: () => fields.isReminderOn,
    hasAttachments: () => false,
    subject: () => fields.subject,
    bodyPreview: () => previewOf(fields.body, htmlToText),
    importance: () => fields.importance,
    sensitivity: () => fields.sensitivity,
    isAllDay: () => fields.isAllDay,
    isCancelled: () => fields.isCancelled,
    isOrganizer: () => isOrganizer(mailbox, event),
    responseRequested: () => fields.responseRequested,
    seriesMasterId: () => (isOccurrence ? event.id : null),
    showAs: () => fields.showAs,
    type: () => instance.kind,
    webLink: () => `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(instance.id)}&exvsurl=1&path=/calendar/item`,
    onlineMeetingUrl: () => null,
    isOnlineMeeting: () => false,
    onlineMeetingProvider: () => "unknown",
    allowNewTimeProposals: () => true,
    isDraft: () => false,
    hideAttendees: () => false,
    responseStatus: () => ({ response: event.responseStatus.response, time: responseTime(event.responseStatus.time) }),
    body: () => body,
    start: () => formatDateTimeTimeZone(fields.startMs, zone),
    end: () => formatDateTimeTimeZone(fields.endMs, zone),
    location: () => ({ displayName: place, locationType: "default", uniqueIdType: "unknown", address: {}, coordinates: {} }),
    locations: () => (place ? [{ displayName: place, locationType: "default", uniqueIdType: "private" }] : []),
    recurrence: () => (instance.kind === "seriesMaster" ? structuredClone(event.recurrence) : null),
    attendees: () =>
      fields.attendees.map((a) => ({
        type: a.type,
        status: { response: a.status.response, time: responseTime(a.status.time) },
        emailAddress: renderEmailAddress(a.emailAddress),
      })),
    organizer: () => ({ emailAddress: renderEmailAddress(event.organizer) }),
    onlineMeeting: () => null,
    // Only occurrences and exceptions have an original start; Graph leaves it out elsewhere.
    originalStart: () => (isOccurrence ? graphDate(instance.originalStart!) : undefined),
    cancelledOccurrences: () =>
      instance.kind === "seriesMaster"
        ? [...event.cancelled].sort((a, b) => a - b).map((start) => `OID.${event.id}.${new Date(start).toISOString().slice(0, 10)}`)
        : [],
  };
  const json: Record<string, unknown> = { "@odata.etag": `W/"${instance.changeKey}"` };
  const selected = options.select ? ["id", ...options.select.filter((p) => p !== "id")] : defaultEventProperties;
  for (const name of selected) {
    const value = values[name as keyof typeof values]();
    if (value !== undefined) json[name] = value;
  }
  // Extended properties live on single events and series masters, not on expanded occurrences.
  if (options.expandPropertyIds && !isOccurrence) {
    const expanded = expandedProperties(event.extendedProperties, options.expandPropertyIds);
    if (expanded) json.singleValueExtendedProperties = expanded;
  }
  return json;
}
