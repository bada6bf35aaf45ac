/**
 * The Graph v1.0 endpoints the simulator serves, with the permission kind each needs (the role
 * sets are in graph-pipeline.ts: read = Mail.Read(Write), write = Mail.ReadWrite, send =
 * Mail.Send, calendars/contacts/tasks = the workload's Read or ReadWrite role, their "Write"
 * kinds = the ReadWrite role only, directory = User.Read.All and peers). Literal segments match case-insensitively, as Graph's do.
 */
import { GraphError } from "./graph-error.js";
import type { SimRequest, SimResponse } from "./http-server.js";
import type { Mailbox } from "./mailbox-model.js";
import {
  createChildFolder, deleteFolderEndpoint, folderDelta, getFolder, listChildFolders, listTopFolders, moveFolderEndpoint, patchFolder,
  permanentDeleteFolderEndpoint,
} from "./folder-endpoints.js";
import { addAttachment, attachmentValue, createUploadSession, getAttachment, listAttachments } from "./attachment-endpoints.js";
import { createDraft, deleteMessage, patchMessage, sendDraft, sendMail } from "./draft-endpoints.js";
import { getMessage, listMessages, messageDelta, moveMessage } from "./message-endpoints.js";
import { getCalendar, listContactFolders, listTaskLists } from "./probe-endpoints.js";
import { calendarViewDelta, listCalendarView, listInstances } from "./calendar-view-endpoints.js";
import {
  contactDelta, deleteContactEndpoint, getContact, getContactFolder, listContacts, patchContact, postContact, postContactFolder,
} from "./contact-endpoints.js";
import { cancelEventEndpoint, deleteEventEndpoint, getEvent, listEvents, patchEvent, postEvent } from "./event-endpoints.js";
import {
  deleteTaskEndpoint, getTask, getTaskList, listLinkedResources, listTasks, patchTask, postLinkedResource, postTask,
  postTaskList, taskDelta,
} from "./task-endpoints.js";
import type { Preferences, QueryOptions } from "./odata-query.js";
import type { SimulatorContext } from "./simulator-context.js";
import { getUser } from "./user-endpoint.js";

export interface GraphCall {
  context: SimulatorContext;
  request: SimRequest;
  mailbox: Mailbox;
  /** The user segment as the client wrote it (id or UPN), for @odata.context. */
  userSegment: string;
  params: Record<string, string>;
  query: QueryOptions;
  prefer: Preferences;
}

export type AccessKind =
  | "read" | "write" | "send" | "calendars" | "calendarsWrite" | "contacts" | "contactsWrite" | "tasks" | "tasksWrite" | "directory";
type Handler = (call: GraphCall) => SimResponse;

const routes: Array<{ method: string; pattern: string; kind: AccessKind; handler: Handler }> = [
  { method: "GET", pattern: "users/:user", kind: "directory", handler: getUser },
  { method: "GET", pattern: "users/:user/mailFolders", kind: "read", handler: listTopFolders },
  { method: "GET", pattern: "users/:user/mailFolders/delta", kind: "read", handler: folderDelta },
  { method: "GET", pattern: "users/:user/mailFolders/:folder", kind: "read", handler: getFolder },
  { method: "PATCH", pattern: "users/:user/mailFolders/:folder", kind: "write", handler: patchFolder },
  { method: "DELETE", pattern: "users/:user/mailFolders/:folder", kind: "write", handler: deleteFolderEndpoint },
  { method: "POST", pattern: "users/:user/mailFolders/:folder/move", kind: "write", handler: moveFolderEndpoint },
  { method: "POST", pattern: "users/:user/mailFolders/:folder/permanentDelete", kind: "write", handler: permanentDeleteFolderEndpoint },
  { method: "GET", pattern: "users/:user/mailFolders/:folder/childFolders", kind: "read", handler: listChildFolders },
  { method: "POST", pattern: "users/:user/mailFolders/:folder/childFolders", kind: "write", handler: createChildFolder },
  { method: "GET", pattern: "users/:user/mailFolders/:folder/messages/delta", kind: "read", handler: messageDelta },
  { method: "GET", pattern: "users/:user/mailFolders/:folder/messages", kind: "read", handler: listMessages },
  { method: "GET", pattern: "users/:user/mailFolders/:folder/messages/:message", kind: "read", handler: getMessage },
  { method: "GET", pattern: "users/:user/messages", kind: "read", handler: listMessages },
  { method: "POST", pattern: "users/:user/messages", kind: "write", handler: createDraft },
  { method: "GET", pattern: "users/:user/messages/:message", kind: "read", handler: getMessage },
  { method: "PATCH", pattern: "users/:user/messages/:message", kind: "write", handler: patchMessage },
  { method: "DELETE", pattern: "users/:user/messages/:message", kind: "write", handler: deleteMessage },
  { method: "POST", pattern: "users/:user/messages/:message/move", kind: "write", handler: moveMessage },
  { method: "POST", pattern: "users/:user/messages/:message/send", kind: "send", handler: sendDraft },
  { method: "GET", pattern: "users/:user/messages/:message/attachments", kind: "read", handler: listAttachments },
  { method: "POST", pattern: "users/:user/messages/:message/attachments", kind: "write", handler: addAttachment },
  { method: "POST", pattern: "users/:user/messages/:message/attachments/createUploadSession", kind: "write", handler: createUploadSession },
  { method: "GET", pattern: "users/:user/messages/:message/attachments/:attachment", kind: "read", handler: getAttachment },
  { method: "GET", pattern: "users/:user/messages/:message/attachments/:attachment/$value", kind: "read", handler: attachmentValue },
  { method: "POST", pattern: "users/:user/sendMail", kind: "send", handler: sendMail },
  { method: "GET", pattern: "users/:user/calendar", kind: "calendars", handler: getCalendar },
  ...["users/:user/events", "users/:user/calendar/events"].flatMap((events) => [
    { method: "GET", pattern: events, kind: "calendars" as const, handler: listEvents },
    { method: "POST", pattern: events, kind: "calendarsWrite" as const, handler: postEvent },
    { method: "GET", pattern: `${events}/:event`, kind: "calendars" as const, handler: getEvent },
    { method: "PATCH", pattern: `${events}/:event`, kind: "calendarsWrite" as const, handler: patchEvent },
    { method: "DELETE", pattern: `${events}/:event`, kind: "calendarsWrite" as const, handler: deleteEventEndpoint },
    { method: "POST", pattern: `${events}/:event/cancel`, kind: "calendarsWrite" as const, handler: cancelEventEndpoint },
    { method: "GET", pattern: `${events}/:event/instances`, kind: "calendars" as const, handler: listInstances },
  ]),
  { method: "GET", pattern: "users/:user/calendarView", kind: "calendars", handler: listCalendarView },
  { method: "GET", pattern: "users/:user/calendarView/delta", kind: "calendars", handler: calendarViewDelta },
  { method: "GET", pattern: "users/:user/contactFolders", kind: "contacts", handler: listContactFolders },
  { method: "POST", pattern: "users/:user/contactFolders", kind: "contactsWrite", handler: postContactFolder },
  { method: "GET", pattern: "users/:user/contactFolders/:folder", kind: "contacts", handler: getContactFolder },
  { method: "GET", pattern: "users/:user/contactFolders/:folder/contacts/delta", kind: "contacts", handler: contactDelta },
  ...["users/:user/contacts", "users/:user/contactFolders/:folder/contacts"].flatMap((contacts) => [
    { method: "GET", pattern: contacts, kind: "contacts" as const, handler: listContacts },
    { method: "POST", pattern: contacts, kind: "contactsWrite" as const, handler: postContact },
    { method: "GET", pattern: `${contacts}/:contact`, kind: "contacts" as const, handler: getContact },
    { method: "PATCH", pattern: `${contacts}/:contact`, kind: "contactsWrite" as const, handler: patchContact },
    { method: "DELETE", pattern: `${contacts}/:contact`, kind: "contactsWrite" as const, handler: deleteContactEndpoint },
  ]),
  { method: "GET", pattern: "users/:user/todo/lists", kind: "tasks", handler: listTaskLists },
  { method: "POST", pattern: "users/:user/todo/lists", kind: "tasksWrite", handler: postTaskList },
  { method: "GET", pattern: "users/:user/todo/lists/:list", kind: "tasks", handler: getTaskList },
  { method: "GET", pattern: "users/:user/todo/lists/:list/tasks/delta", kind: "tasks", handler: taskDelta },
  { method: "GET", pattern: "users/:user/todo/lists/:list/tasks", kind: "tasks", handler: listTasks },
  { method: "POST", pattern: "users/:user/todo/lists/:list/tasks", kind: "tasksWrite", handler: postTask },
  { method: "GET", pattern: "users/:user/todo/lists/:list/tasks/:task", kind: "tasks", handler: getTask },
  { method: "PATCH", pattern: "users/:user/todo/lists/:list/tasks/:task", kind: "tasksWrite", handler: patchTask },
  { method: "DELETE", pattern: "users/:user/todo/lists/:list/tasks/:task", kind: "tasksWrite", handler: deleteTaskEndpoint },
  { method: "GET", pattern: "users/:user/todo/lists/:list/tasks/:task/linkedResources", kind: "tasks", handler: listLinkedResources },
  { method: "POST", pattern: "users/:user/todo/lists/:list/tasks/:task/linkedResources", kind: "tasksWrite", handler: postLinkedResource },
];

function matchPattern(pattern: string, segments: string[]): Record<string, string> | undefined {
  const parts = pattern.split("/");
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.startsWith(":")) params[part.slice(1)] = segments[i]!;
    else if (part.toLowerCase() !== segments[i]!.toLowerCase()) return undefined;
  }
  return params;
}

export function matchGraphRoute(
  method: string,
  segments: string[],
): { kind: AccessKind; params: Record<string, string>; handler: Handler } {
  let pathMatched = false;
  for (const route of routes) {
    const params = matchPattern(route.pattern, segments);
    if (!params) continue;
    // "delta" is a function, not an item id.
    if ([params.folder, params.message, params.event, params.contact, params.task].some((id) => id?.toLowerCase() === "delta")) continue;
    pathMatched = true;
    if (route.method === method.toUpperCase()) return { kind: route.kind, params, handler: route.handler };
  }
  if (pathMatched) throw new GraphError(405, "ErrorInvalidRequest", "The OData request is not supported.");
  if (segments[0]?.toLowerCase() === "me") {
    throw new GraphError(400, "BadRequest", "/me request is only valid with delegated authentication flow.");
  }
  throw new GraphError(400, "BadRequest", `Resource not found for the segment '${segments.at(-1) ?? ""}'.`);
}

/** A successful JSON answer with its @odata.context first, as Graph orders it. */
export function graphJson(call: GraphCall, contextPath: string, body: Record<string, unknown>, status = 200): SimResponse {
  return { status, body: { "@odata.context": `${call.context.baseUrl()}/v1.0/$metadata#${contextPath}`, ...body } };
}

export function requestJson(call: GraphCall): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(call.request.body.toString("utf8") || "{}");
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new GraphError(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
}

/** `$select` applied to an already rendered entity; id is always kept. */
export function selectFields(json: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  if (!select) return json;
  const kept = new Set(["id", ...select]);
  return Object.fromEntries(Object.entries(json).filter(([key]) => key.startsWith("@") || kept.has(key) || key === "singleValueExtendedProperties"));
}
