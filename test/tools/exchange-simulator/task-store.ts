/**
 * To Do lists and tasks of a mailbox, shared by the Graph endpoints and the control API. The
 * default list "Tasks" (wellknownListName defaultList) is the mailbox's taskListId. Completing a
 * task stamps completedDateTime (now, UTC) unless the client gives one; reopening clears it, as
 * To Do does.
 */
import { randomUUID } from "node:crypto";
import { GraphError } from "./graph-error.js";
import type { Mailbox } from "./mailbox-model.js";
import { newItemId, newTaskChangeKey, type LinkedResource, type MailboxPim, type StoredTask, type TaskList } from "./pim-model.js";
import { itemNotFound, type PimStore } from "./pim-store.js";
import type { TaskInput } from "./task-json.js";

export function taskLists(store: PimStore, mailbox: Mailbox): TaskList[] {
  const defaultList: TaskList = {
    id: mailbox.taskListId,
    displayName: "Tasks",
    wellknownListName: "defaultList",
    changeKey: Buffer.from(mailbox.taskListId).toString("base64url").slice(0, 20),
  };
  return [defaultList, ...store.of(mailbox).taskLists];
}

export function requireTaskList(store: PimStore, mailbox: Mailbox, listId: string): TaskList {
  const list = taskLists(store, mailbox).find((l) => l.id === listId);
  if (!list) throw itemNotFound();
  return list;
}

export function createTaskList(store: PimStore, mailbox: Mailbox, displayName: unknown): TaskList {
  if (typeof displayName !== "string" || displayName.trim() === "") {
    throw new GraphError(400, "invalidRequest", "The displayName of a task list must be provided.");
  }
  const list: TaskList = { id: newItemId(), displayName, wellknownListName: "none", changeKey: newTaskChangeKey() };
  store.of(mailbox).taskLists.push(list);
  return list;
}

/**
 * A task of a list. A task id from another list answers as reported from the real service
 * ("Parent folder specified does not contain a Task with given Id").
 */
export function requireTask(pim: MailboxPim, listId: string, id: string): StoredTask {
  const task = pim.tasks.get(id);
  if (!task) throw itemNotFound();
  if (task.listId !== listId) throw new GraphError(400, "invalidRequest", "Parent folder specified does not contain a Task with given Id");
  return task;
}

function applyStatus(task: StoredTask, input: TaskInput, now: number): void {
  if (input.fields.status === undefined) return;
  if (input.fields.status !== "completed") task.completedDateTime = null;
  else if (input.fields.completedDateTime === undefined && !task.completedDateTime) task.completedDateTime = { utcMs: now, timeZone: "UTC" };
}

const linked = (resource: Omit<LinkedResource, "id">): LinkedResource => ({ id: randomUUID(), ...resource });

export function createTask(store: PimStore, mailbox: Mailbox, listId: string, input: TaskInput): StoredTask {
  requireTaskList(store, mailbox, listId);
  const pim = store.of(mailbox);
  const now = store.now();
  const task: StoredTask = {
    id: newItemId(),
    listId,
    changeSeq: ++pim.seq,
    changeKey: newTaskChangeKey(),
    createdAt: now,
    lastModifiedAt: now,
    bodyLastModifiedAt: now,
    title: "",
    body: { contentType: "text", content: "" },
    importance: "normal",
    status: "notStarted",
    isReminderOn: false,
    categories: [],
    dueDateTime: null,
    startDateTime: null,
    reminderDateTime: null,
    completedDateTime: null,
    ...input.fields,
    linkedResources: (input.linkedResources ?? []).map(linked),
  };
  applyStatus(task, input, now);
  pim.tasks.set(task.id, task);
  return task;
}

export function updateTask(store: PimStore, mailbox: Mailbox, listId: string, id: string, input: TaskInput): StoredTask {
  const pim = store.of(mailbox);
  const task = requireTask(pim, listId, id);
  const now = store.now();
  Object.assign(task, input.fields);
  applyStatus(task, input, now);
  if (input.fields.body !== undefined) task.bodyLastModifiedAt = now;
  if (input.linkedResources) task.linkedResources = input.linkedResources.map(linked);
  return touch(pim, task, now);
}

export function addLinkedResource(store: PimStore, mailbox: Mailbox, listId: string, id: string, resource: Omit<LinkedResource, "id">): LinkedResource {
  const pim = store.of(mailbox);
  const task = requireTask(pim, listId, id);
  const created = linked(resource);
  task.linkedResources.push(created);
  touch(pim, task, store.now());
  return created;
}

export function deleteTask(store: PimStore, mailbox: Mailbox, listId: string, id: string): void {
  const pim = store.of(mailbox);
  requireTask(pim, listId, id);
  pim.tasks.delete(id);
  pim.seq++;
}

export function tasksIn(pim: MailboxPim, listId: string): StoredTask[] {
  return [...pim.tasks.values()].filter((t) => t.listId === listId).sort((a, b) => a.createdAt - b.createdAt);
}

function touch(pim: MailboxPim, task: StoredTask, now: number): StoredTask {
  task.changeKey = newTaskChangeKey();
  task.changeSeq = ++pim.seq;
  task.lastModifiedAt = now;
  return task;
}
