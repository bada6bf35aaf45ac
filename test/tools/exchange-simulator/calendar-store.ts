/**
 * Creating, updating and deleting events in a mailbox's default calendar, shared by the Graph
 * endpoints and the control API (so "the user changed it in Outlook" looks exactly like a change
 * made through Graph).
 *
 * - Updating an occurrence turns it into an exception; deleting one removes just that occurrence.
 * - Changing a series' pattern or its master's start/end drops its exceptions and deleted
 *   occurrences (Outlook does the same when a series is rescheduled).
 * - Deleting moves the event out of the calendar (Graph moves it to Deleted Items); the simulator
 *   does not keep it there.
 */
import { findInstance, type EventInstance } from "./calendar-view.js";
import { ensureEventTimes, type EventInput } from "./event-input.js";
import { GraphError } from "./graph-error.js";
import type { Mailbox } from "./mailbox-model.js";
import { newEventChangeKey, newICalUId, newItemId, type MailboxPim, type StoredEvent } from "./pim-model.js";
import { itemNotFound, type PimStore } from "./pim-store.js";
import { resolveZone } from "./time-zones.js";

export function requireEvent(pim: MailboxPim, id: string): EventInstance {
  const instance = findInstance(pim, id);
  if (!instance) throw itemNotFound();
  return instance;
}

const isOwner = (mailbox: Mailbox, address: string) => address.toLowerCase() === mailbox.address.toLowerCase();

function fillRecurrenceZone(event: StoredEvent): void {
  if (event.recurrence && !event.recurrence.range.recurrenceTimeZone) event.recurrence.range.recurrenceTimeZone = event.startZone;
  if (event.recurrence) resolveZone(event.recurrence.range.recurrenceTimeZone);
}

export function createEvent(store: PimStore, mailbox: Mailbox, input: EventInput): StoredEvent {
  const { fields } = input;
  if (fields.startMs === undefined || fields.endMs === undefined) {
    throw new GraphError(400, "ErrorInvalidRequest", "The start and end properties are required to create an event.");
  }
  ensureEventTimes({ startMs: fields.startMs, endMs: fields.endMs });
  const pim = store.of(mailbox);
  const now = store.now();
  const organizer = input.organizer ?? { name: mailbox.displayName, address: mailbox.address };
  const event: StoredEvent = {
    id: newItemId(),
    changeSeq: ++pim.seq,
    changeKey: newEventChangeKey(),
    createdAt: now,
    lastModifiedAt: now,
    iCalUId: newICalUId(),
    organizer,
    responseStatus: input.responseStatus ?? { response: isOwner(mailbox, organizer.address) ? "organizer" : "notResponded", time: null },
    recurrence: input.recurrence ?? null,
    exceptions: new Map(),
    cancelled: new Set(),
    extendedProperties: input.extendedProperties ?? new Map(),
    subject: "",
    body: { contentType: "html", content: "" },
    startZone: "UTC",
    endZone: "UTC",
    isAllDay: false,
    location: null,
    attendees: [],
    showAs: "busy",
    categories: [],
    sensitivity: "normal",
    importance: "normal",
    isReminderOn: true,
    reminderMinutesBeforeStart: 15,
    responseRequested: true,
    isCancelled: false,
    ...fields,
    startMs: fields.startMs,
    endMs: fields.endMs,
  };
  fillRecurrenceZone(event);
  pim.events.set(event.id, event);
  store.changed(mailbox, { kind: "event", changeType: "created", id: event.id, changeKey: event.changeKey });
  return event;
}

/** Applies a patch to an event, series master or occurrence; returns the updated instance. */
export function updateEvent(store: PimStore, mailbox: Mailbox, id: string, input: EventInput): EventInstance {
  const pim = store.of(mailbox);
  const instance = requireEvent(pim, id);
  const event = instance.event;
  const now = store.now();
  if (instance.originalStart !== undefined) {
    if (input.recurrence !== undefined) {
      throw new GraphError(400, "ErrorInvalidRequest", "The recurrence of a single occurrence cannot be set; update the series master.");
    }
    if (input.extendedProperties) {
      throw new GraphError(400, "ErrorInvalidRequest", "The simulator keeps extended properties on series masters and single events only.");
    }
    const edit = event.exceptions.get(instance.originalStart);
    const fields = { ...edit?.fields, ...input.fields };
    ensureEventTimes({ ...instance.fields, ...fields });
    const changeKey = newEventChangeKey();
    event.exceptions.set(instance.originalStart, { fields, changeKey, lastModifiedAt: now });
    event.changeSeq = ++pim.seq;
    store.changed(mailbox, { kind: "event", changeType: "updated", id, changeKey });
    return requireEvent(pim, id);
  }
  ensureEventTimes({ startMs: input.fields.startMs ?? event.startMs, endMs: input.fields.endMs ?? event.endMs });
  const rescheduled = input.recurrence !== undefined ||
    (event.recurrence !== null && (input.fields.startMs !== undefined || input.fields.endMs !== undefined));
  Object.assign(event, input.fields);
  if (input.recurrence !== undefined) event.recurrence = input.recurrence;
  if (rescheduled) {
    event.exceptions.clear();
    event.cancelled.clear();
  }
  fillRecurrenceZone(event);
  for (const [key, value] of input.extendedProperties ?? []) event.extendedProperties.set(key, value);
  if (input.organizer) event.organizer = input.organizer;
  if (input.responseStatus) event.responseStatus = input.responseStatus;
  event.changeKey = newEventChangeKey();
  event.changeSeq = ++pim.seq;
  event.lastModifiedAt = now;
  store.changed(mailbox, { kind: "event", changeType: "updated", id, changeKey: event.changeKey });
  return requireEvent(pim, id);
}

export function deleteEvent(store: PimStore, mailbox: Mailbox, id: string): void {
  const pim = store.of(mailbox);
  const instance = requireEvent(pim, id);
  if (instance.originalStart !== undefined) {
    instance.event.exceptions.delete(instance.originalStart);
    instance.event.cancelled.add(instance.originalStart);
    instance.event.changeSeq = ++pim.seq;
    store.changed(mailbox, { kind: "event", changeType: "deleted", id });
    return;
  }
  pim.events.delete(id);
  pim.eventDepartures.push({ id, seq: ++pim.seq, wasSeries: instance.event.recurrence !== null });
  store.changed(mailbox, { kind: "event", changeType: "deleted", id });
}

/**
 * event: cancel — organizer only (Graph documents a 400 with this message for attendees; the code
 * is EWS's name for it), then the event leaves the calendar like a delete. No mail is simulated.
 */
export function cancelEvent(store: PimStore, mailbox: Mailbox, id: string): void {
  const instance = requireEvent(store.of(mailbox), id);
  if (!isOwner(mailbox, instance.event.organizer.address)) {
    throw new GraphError(
      400,
      "ErrorCalendarIsNotOrganizer",
      "Your request can't be completed. You need to be an organizer to cancel a meeting.",
    );
  }
  deleteEvent(store, mailbox, id);
}

export function isOrganizer(mailbox: Mailbox, event: StoredEvent): boolean {
  return isOwner(mailbox, event.organizer.address);
}
