/**
 * The records API for the CRM's appointments, contacts and tasks: create, read, replace, delete,
 * and list by owner. One set of handlers serves the three types; each route names its type.
 *
 * A PUT replaces the owner and every field (what it leaves out takes its default). Optimistic
 * concurrency is optional: `version` in the body or `If-Match` (the version, as the ETag header
 * gives it) makes a stale write a 409 instead of overwriting someone else's change.
 */
import { randomUUID } from "node:crypto";
import type { HttpResponseInit } from "@azure/functions";
import type { z } from "zod";
import type { ActFieldsByType, ActRecord, ActRecordType } from "../domain/act-records.js";
import type { Runtime } from "../runtime.js";
import { ActRecordConflict } from "../storage/act-record-repository.js";
import { recordBodies } from "./act-schemas.js";
import { idParam } from "./admin-schemas.js";
import { ApiError, json, notFound, parseOrThrow, routeParam, withoutReadOnly } from "./http-responses.js";
import { listScope, pageOf, pagingQuery } from "./paging.js";

const typeNames: Record<ActRecordType, string> = { appointment: "Appointment", contact: "Contact", task: "Task" };

/** What a GET answers; those fields may come back in a PUT body and are ignored there. */
const readOnlyFields = ["id", "type", "createdAt", "modifiedAt"];

export type ActRecordView = ReturnType<typeof actRecordView>;

export function actRecordView(record: ActRecord) {
  return { id: record.id, type: record.type, ownerId: record.ownerId, ...record.fields, version: record.version, createdAt: record.createdAt, modifiedAt: record.modifiedAt };
}

/** A record answer with its version as ETag, for the client's next If-Match. */
export function actRecordResponse(status: number, view: ActRecordView): HttpResponseInit {
  const response = json(status, view);
  return { ...response, headers: { ...(response.headers as Record<string, string>), ETag: `"${view.version}"` } };
}

function parseRecordBody<T extends ActRecordType>(type: T, body: unknown, now: number): { ownerId: string; version?: number; fields: ActFieldsByType[T] } {
  const { ownerId, version, ...rest } = parseOrThrow(recordBodies[type] as z.ZodType<{ ownerId: string; version?: number }>, withoutReadOnly(body, readOnlyFields), "body");
  const fields = rest as unknown as ActFieldsByType[T];
  // A task completed without a time was completed now, as To Do records it.
  if (type === "task") {
    const task = fields as ActFieldsByType["task"];
    if (task.status === "completed" && !task.completedAt) task.completedAt = new Date(now).toISOString();
  }
  return { ownerId, version, fields };
}

/** The version an If-Match asks for: `"3"`, `W/"3"` or `3`; undefined for none or `*`. */
function ifMatchVersion(header: string | null): number | undefined {
  if (header === null || header.trim() === "*") return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!match) throw new ApiError(400, "BadRequest", "Invalid header 'If-Match': expected the record's version, as its ETag gives it (for example \"3\").", "If-Match");
  return Number(match[1]);
}

function expectedVersion(fromBody: number | undefined, ifMatch: string | null): number | undefined {
  const fromHeader = ifMatchVersion(ifMatch);
  if (fromBody !== undefined && fromHeader !== undefined && fromBody !== fromHeader) {
    throw new ApiError(400, "BadRequest", `Invalid body parameter 'version': it says ${fromBody} but If-Match says ${fromHeader}.`, "version");
  }
  return fromBody ?? fromHeader;
}

function conflict(type: ActRecordType, id: string, detail: string): ApiError {
  return new ApiError(409, "Conflict", `${typeNames[type]} '${id}' ${detail}; read it again and retry with its current version.`);
}

async function requireRecord<T extends ActRecordType>(runtime: Runtime, type: T, id: string) {
  const recordId = routeParam(idParam, id, "id");
  const stored = await runtime.actRecords.get(type, recordId);
  if (!stored) throw notFound(typeNames[type], recordId);
  return stored;
}

export async function createActRecord<T extends ActRecordType>(runtime: Runtime, type: T, body: unknown): Promise<ActRecordView> {
  const now = runtime.now();
  const { ownerId, fields } = parseRecordBody(type, body, now);
  const at = new Date(now).toISOString();
  const record = { type, id: randomUUID(), ownerId, fields, createdAt: at, modifiedAt: at, version: 1 } as ActRecord<T>;
  // A fresh UUID never exists; if it somehow did, nothing was overwritten.
  if (!(await runtime.actRecords.create(record))) throw new ApiError(409, "Conflict", `${typeNames[type]} '${record.id}' already exists; send the request again.`);
  return actRecordView(record);
}

export async function getActRecord(runtime: Runtime, type: ActRecordType, id: string): Promise<ActRecordView> {
  return actRecordView((await requireRecord(runtime, type, id)).record);
}

export async function updateActRecord<T extends ActRecordType>(runtime: Runtime, type: T, id: string, body: unknown, ifMatch: string | null): Promise<ActRecordView> {
  const recordId = routeParam(idParam, id, "id");
  const { ownerId, version, fields } = parseRecordBody(type, body, runtime.now());
  const expected = expectedVersion(version, ifMatch);
  const { record, etag } = await requireRecord(runtime, type, recordId);
  if (expected !== undefined && expected !== record.version) throw conflict(type, recordId, `is at version ${record.version}, not ${expected}`);
  try {
    // The etag of the read above: a change between that read and this write is a 409, not lost.
    const updated = await runtime.actRecords.update({ ...record, ownerId, fields }, expected === undefined ? undefined : etag);
    return actRecordView(updated.record);
  } catch (error) {
    if (error instanceof ActRecordConflict) throw conflict(type, recordId, "changed while it was being written");
    throw error;
  }
}

export async function deleteActRecord(runtime: Runtime, type: ActRecordType, id: string, ifMatch: string | null): Promise<void> {
  const expected = ifMatchVersion(ifMatch);
  const { record, etag } = await requireRecord(runtime, type, id);
  if (expected !== undefined && expected !== record.version) throw conflict(type, record.id, `is at version ${record.version}, not ${expected}`);
  try {
    await runtime.actRecords.remove(type, record.id, expected === undefined ? undefined : etag);
  } catch (error) {
    if (error instanceof ActRecordConflict) throw conflict(type, record.id, "changed while it was being deleted");
    throw error;
  }
}

export async function listActRecords(runtime: Runtime, type: ActRecordType, query: Record<string, string>) {
  const { ownerId, pageSize, continuationToken } = parseOrThrow(pagingQuery.extend({ ownerId: idParam }), query, "query");
  const page = await pageOf(listScope(type, { ownerId }), { pageSize, continuationToken }, (paging) => runtime.actRecords.listPage(type, ownerId, paging));
  return { ...page, items: page.items.map(actRecordView) };
}
