/**
 * One item of an ACT delta page, applied to the CRM: a tracked or linked item creates or updates
 * its record (merged by the conflict rule when the record changed too). A linked item deleted in
 * Exchange deletes its record or leaves it in the CRM, by server-side sync's rule
 * (domain/act-deletion.ts); a record left in the CRM keeps a deletion mark instead of its link, so
 * the push does not create it in Exchange again until it changes in the CRM.
 *
 * Two documented delta shapes are read again by id rather than trusted as they come:
 * - a partial item (the docs' calendarView delta samples show events without start and end) is
 *   read whole; one still incomplete is left out and recorded as an item failure, never failing
 *   the cycle;
 * - calendarView delta reports as `@removed` both events deleted inside the window and events
 *   outside it that changed — an event the user moved out of the window too. Only an event that
 *   is gone (404), or no longer in the calendar though its times are inside the window, was
 *   deleted; one that exists outside the window is a change like any other, and its record keeps
 *   its link.
 */
import { createHash } from "node:crypto";
import { raiseAlert } from "../../alerts/alert-service.js";
import { mergeChanges } from "../../domain/act-conflict.js";
import { afterExchangeDeletion } from "../../domain/act-deletion.js";
import type { ActRecord, ActRecordType, AppointmentFields } from "../../domain/act-records.js";
import { toInstant } from "../../domain/zoned-time.js";
import { GraphRequestError } from "../../graph/graph-errors.js";
import type { ActLink } from "../../storage/act-link-repository.js";
import { ActRecordConflict, type StoredActRecord } from "../../storage/act-record-repository.js";
import type { CycleContext } from "../workload-runner.js";
import { withStamp, type ActAdapter, type ActItem } from "./act-adapters.js";

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export interface PullResult {
  changed: number;
  conflicts: number;
  /** Delta items left out: no id, or still incomplete when read whole (recorded as item failures). */
  skipped: number;
  yielded: boolean;
}

/** The CRM record id a tracked Exchange item becomes: the same item always makes the same record. */
export function recordIdForItem(type: ActRecordType, mailboxId: string, exchangeId: string): string {
  return `${type}-${createHash("sha256").update(`${mailboxId}|${exchangeId}`).digest("base64url").slice(0, 24)}`;
}

/** What one pull of a record type shares across its items. */
export interface PullState {
  adapter: ActAdapter<ActRecordType>;
  collection: string;
  /** By CRM record id. */
  links: Map<string, ActLink>;
  byExchangeId: Map<string, ActLink>;
  /** Records deleted in Exchange that the CRM kept: record id → its version then. */
  deletedInExchange: Map<string, number>;
  /** Series masters read in this pull: a series' occurrences stand for it once. */
  masters: Map<string, ActItem>;
  /** The calendar view's window (ISO instants). */
  window: { from: string; to: string };
  result: PullResult;
}

/** Applies one delta item; true when it changed a record or a link. */
export async function applyItem(context: CycleContext, state: PullState, raw: ActItem): Promise<boolean> {
  const { adapter } = state;
  if (typeof raw.id !== "string" || raw.id === "") {
    // Nothing to read it again by, and nothing it could be linked to.
    state.result.skipped++;
    return false;
  }
  if (raw["@removed"]) return applyRemoval(context, state, raw.id);
  let item: ActItem | undefined = raw;
  if (adapter.missing(raw).length > 0) {
    item = await readItem(context, state, raw.id);
    if (!item) return false; // Gone since the page was made: its removal follows.
    const missing = adapter.missing(item);
    if (missing.length > 0) return skipIncomplete(context, state, item.id, missing);
  }
  return applyChange(context, state, item);
}

async function applyRemoval(context: CycleContext, state: PullState, exchangeId: string): Promise<boolean> {
  const { runtime, mailbox } = context;
  const link = state.byExchangeId.get(exchangeId);
  if (!link) return false;
  if (state.adapter.type === "appointment") {
    const current = await readItem(context, state, exchangeId);
    if (current && state.adapter.missing(current).length === 0 && !inWindow(state, current)) return applyChange(context, state, current);
  }
  // Deleted in Exchange. The order makes a retry safe: until the link is gone or marked, the
  // cursor has not moved past this removal, and the next attempt decides again from the record.
  const stored = await runtime.actRecords.get(state.adapter.type, link.recordId);
  let kept = stored?.record;
  if (stored && afterExchangeDeletion(stored.record, { syncedVersion: link.crmVersion, ownerId: mailbox.ownerId, mailboxAddress: mailbox.emailAddress, now: runtime.now() }) === "deleteRecord") {
    kept = await deleteUnlessChanged(context, stored);
  }
  if (kept) {
    await runtime.actLinks.markDeletedInExchange(link, kept.version, new Date(runtime.now()).toISOString());
    state.deletedInExchange.set(link.recordId, kept.version);
  } else {
    await runtime.actLinks.remove(link);
  }
  state.links.delete(link.recordId);
  state.byExchangeId.delete(exchangeId);
  state.result.changed++;
  return true;
}

/** Deletes the record; one changed in the CRM meanwhile is kept (returned as it is now). */
async function deleteUnlessChanged(context: CycleContext, stored: StoredActRecord): Promise<ActRecord | undefined> {
  const { actRecords } = context.runtime;
  try {
    await actRecords.remove(stored.record.type, stored.record.id, stored.etag);
    return undefined;
  } catch (error) {
    if (!(error instanceof ActRecordConflict)) throw error;
    return (await actRecords.get(stored.record.type, stored.record.id))?.record;
  }
}

/** Whether an event overlaps the calendar view's window. */
function inWindow(state: PullState, item: ActItem): boolean {
  const fields = state.adapter.canonical(state.adapter.fromGraph(item)) as AppointmentFields;
  const [start, end] = [toInstant(fields.start), toInstant(fields.end)];
  return start !== undefined && end !== undefined && start < state.window.to && end > state.window.from;
}

async function skipIncomplete(context: CycleContext, state: PullState, exchangeId: string, missing: string[]): Promise<boolean> {
  const { runtime, mailbox } = context;
  state.result.skipped++;
  await runtime.failures.record({
    mailboxId: mailbox.id,
    workload: "act",
    graphItemId: exchangeId,
    code: "IncompleteItem",
    message: `Exchange returned this ${state.adapter.type} without ${missing.join(" and ")}, also when read again, so it was left out. It is read again when it next changes.`,
    at: new Date(runtime.now()).toISOString(),
  });
  return false;
}

/** The item as Exchange has it now (with its stamp), or undefined when it is gone. */
async function readItem(context: CycleContext, state: PullState, exchangeId: string): Promise<ActItem | undefined> {
  try {
    return await context.graph.get<ActItem>(withStamp(state.adapter.type, `${state.collection}/${encodeURIComponent(exchangeId)}`), { utc: true }, context.counter);
  } catch (error) {
    if (error instanceof GraphRequestError && error.status === 404) return undefined;
    throw error;
  }
}

async function applyChange(context: CycleContext, state: PullState, raw: ActItem): Promise<boolean> {
  const { runtime, mailbox, graph } = context;
  const { adapter, collection, links, result } = state;
  let item = raw;
  // Recurring series sync as series: an occurrence or exception stands for its series master.
  const masterId = typeof raw.seriesMasterId === "string" ? raw.seriesMasterId : undefined;
  if (adapter.type === "appointment" && masterId && raw.type !== "seriesMaster") {
    if (state.masters.has(masterId)) return false;
    item = await graph.get<ActItem>(withStamp("appointment", `${collection}/${encodeURIComponent(masterId)}`), { utc: true }, context.counter);
    state.masters.set(masterId, item);
  }
  const known = state.byExchangeId.get(item.id);
  if (!known && !adapter.isTracked(item) && adapter.type !== "appointment") return false;
  if (!known && adapter.type === "appointment" && !item.singleValueExtendedProperties) {
    // Not linked: read its stamp, in case the CRM created it and the link was lost.
    if (!adapter.isTracked(item)) return false;
    item = await graph.get<ActItem>(withStamp("appointment", `${collection}/${encodeURIComponent(item.id)}`), { utc: true }, context.counter);
  }
  const recordId = known?.recordId ?? adapter.stampOf(item);
  if (!recordId && !adapter.isTracked(item)) return false;
  const exchange = adapter.canonical(adapter.fromGraph(item));
  const now = runtime.now();

  if (!recordId) {
    const id = recordIdForItem(adapter.type, mailbox.id, item.id);
    const at = new Date(now).toISOString();
    const record: ActRecord = { type: adapter.type, id, ownerId: mailbox.ownerId, fields: exchange as never, createdAt: at, modifiedAt: at, version: 1 };
    await runtime.actRecords.create(record);
    const created = (await runtime.actRecords.get(adapter.type, id))!.record;
    await saveLink(context, state, created, item, exchange);
    result.changed++;
    return true;
  }

  const current = await runtime.actRecords.get(adapter.type, recordId);
  if (!current) return false; // Deleted in the CRM: the push phase removes it from Exchange.
  const link = links.get(recordId);
  if (link && same(exchange, link.snapshot)) return false; // Our own write coming back.
  if (!link || current.record.version === link.crmVersion) {
    await runtime.actRecords.update({ ...current.record, fields: exchange as never }, current.etag);
  } else {
    const crm = adapter.canonical(current.record.fields as never);
    const merge = mergeChanges(link.snapshot, crm, exchange, current.record.modifiedAt, item.lastModifiedDateTime ?? new Date(now).toISOString());
    if (merge.crmNeedsUpdate) await runtime.actRecords.update({ ...current.record, fields: merge.merged as never }, current.etag);
    if (merge.exchangeNeedsUpdate) item = await graph.patch<ActItem>(`${collection}/${encodeURIComponent(item.id)}`, adapter.toGraph(merge.merged as never, recordId, "update"));
    if (merge.conflicts.length > 0) {
      result.conflicts++;
      await raiseAlert(runtime, "SyncConflict", { mailbox, workload: "act", detail: `${adapter.type} ${recordId}: ${merge.conflicts.join(", ")}` });
    }
  }
  const updated = (await runtime.actRecords.get(adapter.type, recordId))!.record;
  await saveLink(context, state, updated, item, adapter.canonical(adapter.fromGraph(item)));
  result.changed++;
  return true;
}

async function saveLink(context: CycleContext, state: PullState, record: ActRecord, item: ActItem, snapshot: object): Promise<void> {
  const link: ActLink = {
    mailboxId: context.mailbox.id,
    type: state.adapter.type,
    recordId: record.id,
    exchangeId: item.id,
    snapshot,
    crmVersion: record.version,
    exchangeModifiedAt: item.lastModifiedDateTime,
    syncedAt: new Date(context.runtime.now()).toISOString(),
  };
  await context.runtime.actLinks.put(link);
  state.links.set(record.id, link);
  state.deletedInExchange.delete(record.id); // The link replaced its record's deletion mark.
  state.byExchangeId.set(item.id, link);
}
