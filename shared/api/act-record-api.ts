/**
 * The records API for the CRM's appointments, contacts and tasks (synced with Exchange by the ACT
 * engine), accounts and leads (CRM-only), and records of declared email-enabled types: create,
 * read, replace, delete, and list by owner. One set of handlers serves every type; each route
 * names its type.
 *
 * A PUT replaces the owner and every field (what it leaves out takes its default). Optimistic
 * concurrency is optional: `version` in the body or `If-Match` (the version, as the ETag header
 * gives it) makes a stale write a 409 instead of overwriting someone else's change.
 */
import { randomUUID } from "node:crypto";
import type { HttpResponseInit } from "@azure/functions";
import type { z } from "zod";
import type { ActFieldsByType, ActRecordType, CrmRecord } from "../domain/act-records.js";
import type { PartyRecordType } from "../domain/party-records.js";
import type { Runtime } from "../runtime.js";
import { crmRecordChanged } from "../push/crm-change-trigger.js";
import { ActRecordConflict, type CrmRecordRepository } from "../storage/act-record-repository.js";
import { recordBodies } from "./act-schemas.js";
import { idParam } from "./admin-schemas.js";
import { ApiError, json, notFound, parseOrThrow, routeParam } from "./http-responses.js";
import { listScope, pageOf, pagingQuery } from "./paging.js";
import { accountBody, leadBody, recordOwnFields } from "./party-schemas.js";

/** The types with their own routes (`/api/contacts`, `/api/accounts`, ...). */
export type RecordApiType = ActRecordType | PartyRecordType;

type ParsedBody = { ownerId: string; version?: number; fields: Record<string, unknown> };

/** What the handlers need to know of a record type. */
export interface RecordKind {
  type: string;
  /** As a message names it: "Contact", "Account". */
  label: string;
  repository: CrmRecordRepository<Record<string, Record<string, unknown>>>;
  parse(body: unknown, now: number): ParsedBody;
}

const labels: Record<RecordApiType, string> = { appointment: "Appointment", contact: "Contact", task: "Task", account: "Account", lead: "Lead" };
const bodies: Record<RecordApiType, z.ZodType<{ ownerId: string; version?: number }>> = { ...recordBodies, account: accountBody, lead: leadBody };

/** The body without what a GET answers (those fields may come back in a PUT body and are ignored there). */
export function withoutOwnFields(body: unknown): unknown {
  const keep = (name: string) => !recordOwnFields.includes(name) || name === "ownerId" || name === "version";
  return body !== null && typeof body === "object" && !Array.isArray(body) ? Object.fromEntries(Object.entries(body).filter(([name]) => keep(name))) : body;
}

export function parseWith(schema: z.ZodType<{ ownerId: string; version?: number }>, body: unknown): ParsedBody {
  const { ownerId, version, ...fields } = parseOrThrow(schema, withoutOwnFields(body), "body");
  return { ownerId, version, fields };
}

export function recordKind(runtime: Runtime, type: RecordApiType): RecordKind {
  const repository = (type === "account" || type === "lead" ? runtime.partyRecords : runtime.actRecords) as unknown as RecordKind["repository"];
  return {
    type,
    label: labels[type],
    repository,
    parse(body, now) {
      const parsed = parseWith(bodies[type], body);
      // A task completed without a time was completed now, as To Do records it.
      const task = parsed.fields as Partial<ActFieldsByType["task"]>;
      if (type === "task" && task.status === "completed" && !task.completedAt) task.completedAt = new Date(now).toISOString();
      return parsed;
    },
  };
}

export type ActRecordView = ReturnType<typeof actRecordView>;

export function actRecordView(record: CrmRecord) {
  return { id: record.id, type: record.type, ownerId: record.ownerId, ...(record.fields as object), version: record.version, createdAt: record.createdAt, modifiedAt: record.modifiedAt };
}

/** A record answer with its version as ETag, for the client's next If-Match. */
export function actRecordResponse(status: number, view: ActRecordView): HttpResponseInit {
  const response = json(status, view);
  return { ...response, headers: { ...(response.headers as Record<string, string>), ETag: `"${view.version}"` } };
}

/** The version an If-Match asks for: `"3"`, `W/"3"` or `3`; undefined for none or `*`. */
export function ifMatchVersion(header: string | null): number | undefined {
  if (header === null || header.trim() === "*") return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!match) throw new ApiError(400, "BadRequest", "Invalid header 'If-Match': expected the record's version, as its ETag gives it (for example \"3\").", "If-Match");
  return Number(match[1]);
}

export function expectedVersion(fromBody: number | undefined, ifMatch: string | null): number | undefined {
  const fromHeader = ifMatchVersion(ifMatch);
  if (fromBody !== undefined && fromHeader !== undefined && fromBody !== fromHeader) {
    throw new ApiError(400, "BadRequest", `Invalid body parameter 'version': it says ${fromBody} but If-Match says ${fromHeader}.`, "version");
  }
  return fromBody ?? fromHeader;
}

export function conflict(kind: RecordKind, id: string, detail: string): ApiError {
  return new ApiError(409, "Conflict", `${kind.label} '${id}' ${detail}; read it again and retry with its current version.`);
}

async function requireRecord(kind: RecordKind, id: string) {
  const recordId = routeParam(idParam, id, "id");
  const stored = await kind.repository.get(kind.type, recordId);
  if (!stored) throw notFound(kind.label, recordId);
  return stored;
}

/** Writes a new record with the given id; false when one exists already. */
export async function createWithId(runtime: Runtime, kind: RecordKind, id: string, parsed: ParsedBody, now = runtime.now()): Promise<ActRecordView | undefined> {
  const at = new Date(now).toISOString();
  const record: CrmRecord<string, Record<string, unknown>> = { type: kind.type, id, ownerId: parsed.ownerId, fields: parsed.fields, createdAt: at, modifiedAt: at, version: 1 };
  return (await kind.repository.create(record)) ? actRecordView(record) : undefined;
}

export async function createActRecord(runtime: Runtime, type: RecordApiType, body: unknown): Promise<ActRecordView> {
  const kind = recordKind(runtime, type);
  const id = randomUUID();
  // A fresh UUID never exists; if it somehow did, nothing was overwritten.
  // One clock reading: a task completed without a time was completed when it was created.
  const now = runtime.now();
  const created = await createWithId(runtime, kind, id, kind.parse(body, now), now);
  if (!created) throw new ApiError(409, "Conflict", `${kind.label} '${id}' already exists; send the request again.`);
  if (syncsWithExchange(type)) await crmRecordChanged(runtime, [created.ownerId]);
  return created;
}

/** Accounts and leads live in the CRM only; appointments, contacts and tasks sync with Exchange (ACT). */
const syncsWithExchange = (type: RecordApiType) => type !== "account" && type !== "lead";

export async function getActRecord(runtime: Runtime, type: RecordApiType, id: string): Promise<ActRecordView> {
  return getRecord(recordKind(runtime, type), id);
}

export async function getRecord(kind: RecordKind, id: string): Promise<ActRecordView> {
  return actRecordView((await requireRecord(kind, id)).record);
}

export async function updateActRecord(runtime: Runtime, type: RecordApiType, id: string, body: unknown, ifMatch: string | null): Promise<ActRecordView> {
  const kind = recordKind(runtime, type);
  const recordId = routeParam(idParam, id, "id");
  const before = syncsWithExchange(type) ? (await kind.repository.get(kind.type, recordId))?.record.ownerId : undefined;
  const updated = await replaceRecord(kind, recordId, kind.parse(body, runtime.now()), ifMatch);
  if (syncsWithExchange(type)) await crmRecordChanged(runtime, [before, updated.ownerId]);
  return updated;
}

/** Replaces an existing record's owner and fields (404 when there is none). */
export async function replaceRecord(kind: RecordKind, recordId: string, parsed: ParsedBody, ifMatch: string | null): Promise<ActRecordView> {
  const expected = expectedVersion(parsed.version, ifMatch);
  const { record, etag } = await requireRecord(kind, recordId);
  if (expected !== undefined && expected !== record.version) throw conflict(kind, recordId, `is at version ${record.version}, not ${expected}`);
  try {
    // The etag of the read above: a change between that read and this write is a 409, not lost.
    const updated = await kind.repository.update({ ...record, ownerId: parsed.ownerId, fields: parsed.fields }, expected === undefined ? undefined : etag);
    return actRecordView(updated.record);
  } catch (error) {
    if (error instanceof ActRecordConflict) throw conflict(kind, recordId, "changed while it was being written");
    throw error;
  }
}

export async function deleteActRecord(runtime: Runtime, type: RecordApiType, id: string, ifMatch: string | null): Promise<void> {
  const kind = recordKind(runtime, type);
  const owner = syncsWithExchange(type) ? (await kind.repository.get(kind.type, routeParam(idParam, id, "id")))?.record.ownerId : undefined;
  await deleteRecord(kind, id, ifMatch);
  if (owner) await crmRecordChanged(runtime, [owner]);
}

export async function deleteRecord(kind: RecordKind, id: string, ifMatch: string | null): Promise<void> {
  const expected = ifMatchVersion(ifMatch);
  const { record, etag } = await requireRecord(kind, id);
  if (expected !== undefined && expected !== record.version) throw conflict(kind, record.id, `is at version ${record.version}, not ${expected}`);
  try {
    await kind.repository.remove(kind.type, record.id, expected === undefined ? undefined : etag);
  } catch (error) {
    if (error instanceof ActRecordConflict) throw conflict(kind, record.id, "changed while it was being deleted");
    throw error;
  }
}

export async function listActRecords(runtime: Runtime, type: RecordApiType, query: Record<string, string>) {
  return listRecords(recordKind(runtime, type), query);
}

export async function listRecords(kind: RecordKind, query: Record<string, string>) {
  const { ownerId, pageSize, continuationToken } = parseOrThrow(pagingQuery.extend({ ownerId: idParam }), query, "query");
  const page = await pageOf(listScope(kind.type, { ownerId }), { pageSize, continuationToken }, (paging) => kind.repository.listPage(kind.type, ownerId, paging));
  return { ...page, items: page.items.map(actRecordView) };
}
