/**
 * Microsoft To Do tasks as Graph v1.0 JSON, and reading them from request bodies. As in Graph's
 * samples, unset date properties (dueDateTime, startDateTime, reminderDateTime, completedDateTime)
 * and recurrence are left out rather than null, and linkedResources (a navigation property) appear
 * only with `$expand=linkedResources` (and in the answer to a create that included them, as the
 * docs' sample shows).
 */
import { GraphError } from "./graph-error.js";
import { graphDate } from "./graph-json.js";
import type { LinkedResource, StoredTask, TaskStatus } from "./pim-model.js";
import { invalidProperty, readBody, readBoolean, readEnum, readNullableString, readString, readStringList } from "./pim-input.js";
import { formatDateTimeTimeZone, parseDateTimeTimeZone } from "./time-zones.js";

/** Every structural property of graph.todoTask but recurrence (task series are not simulated). */
export const todoTaskProperties = [
  "id", "title", "body", "importance", "status", "isReminderOn", "categories", "createdDateTime", "lastModifiedDateTime",
  "bodyLastModifiedDateTime", "hasAttachments", "dueDateTime", "startDateTime", "reminderDateTime", "completedDateTime",
] as const;
export const linkedResourceProperties = ["id", "webUrl", "applicationName", "displayName", "externalId"] as const;

const taskStatuses = ["notStarted", "inProgress", "completed", "waitingOnOthers", "deferred"] as const;
const dateProperties = ["dueDateTime", "startDateTime", "reminderDateTime", "completedDateTime"] as const;

export type TaskFields = Partial<Pick<StoredTask, "title" | "body" | "importance" | "status" | "isReminderOn" | "categories" | (typeof dateProperties)[number]>>;

export interface TaskInput {
  fields: TaskFields;
  linkedResources?: Array<Omit<LinkedResource, "id">>;
}

export function readLinkedResource(json: unknown): Omit<LinkedResource, "id"> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw invalidProperty("A linkedResource must be an object.");
  const record = json as Record<string, unknown>;
  const text = (name: string) => (record[name] === undefined ? null : readNullableString(record[name], name));
  return { webUrl: text("webUrl"), applicationName: text("applicationName"), displayName: text("displayName"), externalId: text("externalId") };
}

export function readTaskInput(json: Record<string, unknown>): TaskInput {
  const fields: TaskFields = {};
  if (json.title !== undefined) fields.title = json.title === null ? "" : readString(json.title, "title");
  if (json.body !== undefined) fields.body = readBody(json.body);
  if (json.importance !== undefined) fields.importance = readEnum(["low", "normal", "high"] as const, json.importance, "importance");
  if (json.status !== undefined) fields.status = readEnum(taskStatuses, json.status, "status") as TaskStatus;
  if (json.isReminderOn !== undefined) fields.isReminderOn = readBoolean(json.isReminderOn, "isReminderOn");
  if (json.categories !== undefined) fields.categories = readStringList(json.categories, "categories");
  for (const name of dateProperties) {
    if (json[name] !== undefined) fields[name] = json[name] === null ? null : parseDateTimeTimeZone(json[name], name);
  }
  const input: TaskInput = { fields };
  if (json.linkedResources !== undefined) {
    if (!Array.isArray(json.linkedResources)) throw invalidProperty("The property 'linkedResources' must be a collection.");
    // Reported from the real service (2021): To Do takes one linked resource on create, with its own error shape.
    if (json.linkedResources.length > 1) throw new GraphError(400, "invalidRequest", "Only one item in linkedResources is allowed.");
    input.linkedResources = json.linkedResources.map(readLinkedResource);
  }
  return input;
}

/**
 * The documented update of a todoTask (PATCH …/tasks/{id}) takes the task's own properties with an
 * HTML body ("only HTML type is supported"); linkedResources are a navigation property with their
 * own endpoints. **Decision:** both refusals answer 400 `invalidRequest`, To Do's code for a bad
 * body; the messages are ours (what the service says was not confirmed).
 */
export function ensureDocumentedTaskUpdate(json: Record<string, unknown>): void {
  if (json.linkedResources !== undefined) {
    throw new GraphError(400, "invalidRequest", "linkedResources cannot be set by updating a task; use the task's linkedResources.");
  }
  const contentType = (json.body as { contentType?: unknown } | null | undefined)?.contentType;
  if (json.body !== undefined && json.body !== null && (typeof contentType !== "string" || contentType.toLowerCase() !== "html")) {
    throw new GraphError(400, "invalidRequest", "Only the HTML body content type is supported when updating a task.");
  }
}

export function renderLinkedResource(resource: LinkedResource): Record<string, unknown> {
  return { ...resource };
}

export interface TaskRenderOptions {
  select?: string[];
  expandLinkedResources?: boolean;
  timeZone?: string;
}

export function renderTask(task: StoredTask, options: TaskRenderOptions = {}): Record<string, unknown> {
  const zone = options.timeZone ?? "UTC";
  const values: Record<(typeof todoTaskProperties)[number], () => unknown> = {
    id: () => task.id,
    title: () => task.title,
    body: () => ({ ...task.body }),
    importance: () => task.importance,
    status: () => task.status,
    isReminderOn: () => task.isReminderOn,
    categories: () => [...task.categories],
    createdDateTime: () => graphDate(task.createdAt),
    lastModifiedDateTime: () => graphDate(task.lastModifiedAt),
    bodyLastModifiedDateTime: () => graphDate(task.bodyLastModifiedAt),
    hasAttachments: () => false,
    dueDateTime: () => task.dueDateTime && formatDateTimeTimeZone(task.dueDateTime.utcMs, zone),
    startDateTime: () => task.startDateTime && formatDateTimeTimeZone(task.startDateTime.utcMs, zone),
    reminderDateTime: () => task.reminderDateTime && formatDateTimeTimeZone(task.reminderDateTime.utcMs, zone),
    completedDateTime: () => task.completedDateTime && formatDateTimeTimeZone(task.completedDateTime.utcMs, zone),
  };
  const json: Record<string, unknown> = { "@odata.etag": `W/"${task.changeKey}"` };
  const selected = options.select ? ["id", ...options.select.filter((p) => p !== "id")] : todoTaskProperties;
  for (const name of selected) {
    const value = values[name as keyof typeof values]();
    if (value !== null) json[name] = value;
  }
  if (options.expandLinkedResources) json.linkedResources = task.linkedResources.map(renderLinkedResource);
  return json;
}

/** `$expand=linkedResources` is the only expansion on tasks. */
export function parseTaskExpand(raw: string | undefined): boolean {
  if (raw === undefined || raw.trim() === "") return false;
  for (const item of raw.split(",")) {
    if (item.trim().toLowerCase() !== "linkedresources") {
      throw new GraphError(400, "RequestBroker--ParseUri", `Could not find a property named '${item.trim()}' on type 'microsoft.graph.todoTask'.`);
    }
  }
  return true;
}
