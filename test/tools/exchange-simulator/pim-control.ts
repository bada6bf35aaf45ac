/**
 * Control methods for the "user changed it in Outlook" side of calendar, contact and task sync.
 * They take Graph-shaped JSON (the same parsers as the endpoints, so the same validation) and go
 * through the same store operations as Graph requests, so their changes show up in the deltas
 * exactly like changes made through Graph. Events may also carry what only the other side of a
 * meeting decides (organizer, responseStatus, isCancelled; see event-input.ts).
 */
import { singleInstance } from "./calendar-view.js";
import { createEvent, deleteEvent, updateEvent } from "./calendar-store.js";
import { readContactInput, renderContact } from "./contact-json.js";
import { createContact, deleteContact, resolveContactFolder, updateContact } from "./contact-store.js";
import { readEventInput } from "./event-input.js";
import { eventProperties, renderEvent } from "./event-json.js";
import type { MailboxStore } from "./mailbox-store.js";
import type { PimStore } from "./pim-store.js";
import { readTaskInput, renderTask, todoTaskProperties } from "./task-json.js";
import { createTask, deleteTask, requireTaskList, tasksIn, updateTask } from "./task-store.js";

type Json = Record<string, unknown>;

export interface PimControlMethods {
  /** Creates an event (series master when it has a recurrence) in the default calendar; returns its Graph JSON. */
  createEvent(mailbox: string, event: Json): Json;
  /** Updates an event, series master or occurrence (which becomes an exception); returns its Graph JSON. */
  updateEvent(mailbox: string, eventId: string, patch: Json): Json;
  deleteEvent(mailbox: string, eventId: string): void;
  /** Single events and series masters, every property incl. all extended properties, by start. */
  listEvents(mailbox: string): Json[];
  /** In the default Contacts folder unless a contact folder id is given. */
  createContact(mailbox: string, contact: Json, folderId?: string): Json;
  updateContact(mailbox: string, contactId: string, patch: Json): Json;
  deleteContact(mailbox: string, contactId: string): void;
  /** Contacts of every folder, oldest first, with all extended properties. */
  listContacts(mailbox: string): Json[];
  /** In the default "Tasks" list unless a list id is given (null or undefined = default). */
  createTask(mailbox: string, listId: string | null | undefined, task: Json): Json;
  updateTask(mailbox: string, taskId: string, patch: Json): Json;
  deleteTask(mailbox: string, taskId: string): void;
  /** Tasks of one list (default list unless given), with linkedResources. */
  listTasks(mailbox: string, listId?: string | null): Json[];
}

export const pimControlMethodNames = [
  "createEvent", "updateEvent", "deleteEvent", "listEvents", "createContact", "updateContact", "deleteContact",
  "listContacts", "createTask", "updateTask", "deleteTask", "listTasks",
] as const satisfies ReadonlyArray<keyof PimControlMethods>;

const withAllProperties = (properties: Map<string, string>) =>
  properties.size ? { singleValueExtendedProperties: [...properties].map(([id, value]) => ({ id, value })) } : {};

export function createPimControl(mailboxes: MailboxStore, pim: PimStore): PimControlMethods {
  const taskById = (mailbox: string, taskId: string) => {
    const task = pim.of(mailboxes.require(mailbox)).tasks.get(taskId);
    if (!task) throw new Error(`Unknown task ${taskId}`);
    return task;
  };
  return {
    createEvent: (mailbox, event) => {
      const box = mailboxes.require(mailbox);
      return renderEvent(singleInstance(createEvent(pim, box, readEventInput(event, { control: true }))), box);
    },
    updateEvent: (mailbox, eventId, patch) => {
      const box = mailboxes.require(mailbox);
      return renderEvent(updateEvent(pim, box, eventId, readEventInput(patch, { control: true })), box);
    },
    deleteEvent: (mailbox, eventId) => deleteEvent(pim, mailboxes.require(mailbox), eventId),
    listEvents: (mailbox) => {
      const box = mailboxes.require(mailbox);
      return [...pim.of(box).events.values()]
        .sort((a, b) => a.startMs - b.startMs)
        .map((e) => ({ ...renderEvent(singleInstance(e), box, { select: [...eventProperties] }), ...withAllProperties(e.extendedProperties) }));
    },
    createContact: (mailbox, contact, folderId) => {
      const box = mailboxes.require(mailbox);
      const folder = resolveContactFolder(box, folderId ?? box.contactsFolderId);
      return renderContact(createContact(pim, box, folder.id, readContactInput(contact)));
    },
    updateContact: (mailbox, contactId, patch) => renderContact(updateContact(pim, mailboxes.require(mailbox), contactId, readContactInput(patch))),
    deleteContact: (mailbox, contactId) => deleteContact(pim, mailboxes.require(mailbox), contactId),
    listContacts: (mailbox) =>
      [...pim.of(mailboxes.require(mailbox)).contacts.values()]
        .sort((a, b) => a.createdAt - b.createdAt)
        .map((c) => ({ ...renderContact(c), ...withAllProperties(c.extendedProperties) })),
    createTask: (mailbox, listId, task) => {
      const box = mailboxes.require(mailbox);
      const input = readTaskInput(task);
      return renderTask(createTask(pim, box, listId ?? box.taskListId, input), { expandLinkedResources: true });
    },
    updateTask: (mailbox, taskId, patch) => {
      const box = mailboxes.require(mailbox);
      const task = taskById(mailbox, taskId);
      return renderTask(updateTask(pim, box, task.listId, taskId, readTaskInput(patch)), { expandLinkedResources: true });
    },
    deleteTask: (mailbox, taskId) => deleteTask(pim, mailboxes.require(mailbox), taskById(mailbox, taskId).listId, taskId),
    listTasks: (mailbox, listId) => {
      const box = mailboxes.require(mailbox);
      const list = requireTaskList(pim, box, listId ?? box.taskListId);
      return tasksIn(pim.of(box), list.id).map((t) => renderTask(t, { select: [...todoTaskProperties], expandLinkedResources: true }));
    },
  };
}
