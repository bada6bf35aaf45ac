/**
 * The Graph v1.0 endpoints the simulator serves, with the permission kind each needs (the role
 * sets are in graph-pipeline.ts: read = Mail.Read(Write), write = Mail.ReadWrite, send =
 * Mail.Send, calendars/contacts/tasks = the workload's Read or ReadWrite role, directory =
 * User.Read.All and peers). Literal segments match case-insensitively, as Graph's do.
 */
import { GraphError } from "./graph-error.js";
import type { SimRequest, SimResponse } from "./http-server.js";
import type { Mailbox } from "./mailbox-model.js";
import { createChildFolder, getFolder, listChildFolders, listTopFolders, patchFolder } from "./folder-endpoints.js";
import { addAttachment, createUploadSession, getAttachment, listAttachments } from "./attachment-endpoints.js";
import { createDraft, deleteMessage, patchMessage, sendDraft, sendMail } from "./draft-endpoints.js";
import { getMessage, listMessages, messageDelta, moveMessage } from "./message-endpoints.js";
import { getCalendar, listContactFolders, listTaskLists } from "./probe-endpoints.js";
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

export type AccessKind = "read" | "write" | "send" | "calendars" | "contacts" | "tasks" | "directory";
type Handler = (call: GraphCall) => SimResponse;

const routes: Array<{ method: string; pattern: string; kind: AccessKind; handler: Handler }> = [
  { method: "GET", pattern: "users/:user", kind: "directory", handler: getUser },
  { method: "GET", pattern: "users/:user/mailFolders", kind: "read", handler: listTopFolders },
  { method: "GET", pattern: "users/:user/mailFolders/:folder", kind: "read", handler: getFolder },
  { method: "PATCH", pattern: "users/:user/mailFolders/:folder", kind: "write", handler: patchFolder },
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
  { method: "POST", pattern: "users/:user/sendMail", kind: "send", handler: sendMail },
  { method: "GET", pattern: "users/:user/calendar", kind: "calendars", handler: getCalendar },
  { method: "GET", pattern: "users/:user/contactFolders", kind: "contacts", handler: listContactFolders },
  { method: "GET", pattern: "users/:user/todo/lists", kind: "tasks", handler: listTaskLists },
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
    // "delta" is a function, not a message id.
    if (params.message?.toLowerCase() === "delta") continue;
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
