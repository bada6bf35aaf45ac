/**
 * Exchange → CRM for one record type: follow the type's delta, and for each changed item that is
 * tracked or linked, create or update the CRM record — merging by the conflict rule when the CRM
 * record changed too. The cursor moves only after the page's records and links are saved.
 */
import { createHash } from "node:crypto";
import { raiseAlert } from "../../alerts/alert-service.js";
import { mergeChanges } from "../../domain/act-conflict.js";
import type { ActRecord, ActRecordType, AppointmentFields } from "../../domain/act-records.js";
import { toInstant } from "../../domain/zoned-time.js";
import { isSyncStateLost } from "../../graph/graph-errors.js";
import type { ActLink } from "../../storage/act-link-repository.js";
import type { CycleContext } from "../workload-runner.js";
import { calendarWindowPastDays, calendarWindowRestartDays, withStamp, type ActAdapter, type ActItem } from "./act-adapters.js";

const day = 24 * 60 * 60 * 1000;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

interface DeltaPage {
  value?: ActItem[];
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
}

export interface PullResult {
  changed: number;
  conflicts: number;
  yielded: boolean;
}

/** The CRM record id a tracked Exchange item becomes: the same item always makes the same record. */
export function recordIdForItem(type: ActRecordType, mailboxId: string, exchangeId: string): string {
  return `${type}-${createHash("sha256").update(`${mailboxId}|${exchangeId}`).digest("base64url").slice(0, 24)}`;
}

export async function pullChanges(context: CycleContext, adapter: ActAdapter<ActRecordType>, user: string, collection: string, links: Map<string, ActLink>): Promise<PullResult> {
  const { runtime, mailbox } = context;
  const result: PullResult = { changed: 0, conflicts: 0, yielded: false };
  const stored = (await runtime.cursors.forMailbox(mailbox.id, "act")).get(adapter.type);
  let etag = stored?.etag;
  let cursor = stored?.cursor;
  const now = runtime.now();
  // The calendar window slides: restart its delta once the window has moved far enough.
  if (adapter.type === "appointment" && cursor?.filterFrom && now - calendarWindowPastDays * day - Date.parse(cursor.filterFrom) > calendarWindowRestartDays * day) {
    await runtime.cursors.remove(mailbox.id, "act", adapter.type);
    cursor = undefined;
    etag = undefined;
  }
  const byExchangeId = new Map([...links.values()].map((l) => [l.exchangeId, l]));
  const windowStart = cursor?.filterFrom ?? new Date(now - calendarWindowPastDays * day).toISOString();
  let link = cursor?.link ?? deltaStartWithStamp(adapter, collection, user, now);
  let changed = !cursor || cursor.kind === "next";
  const masters = new Map<string, ActItem>();
  for (let restarted = false; ; ) {
    try {
      for (;;) {
        const page = await context.graph.get<DeltaPage>(link, { pageSize: runtime.settings.graph.pageSize, utc: true }, context.counter);
        for (const raw of page.value ?? []) {
          if (await applyItem(context, adapter, collection, raw, links, byExchangeId, masters, windowStart, result)) changed = true;
        }
        const next = page["@odata.nextLink"];
        if (next) {
          link = next;
          if (runtime.now() - context.startedAt > runtime.settings.cycleMaxMs) {
            await runtime.cursors.save(mailbox.id, "act", adapter.type, { link, kind: "next", filterFrom: windowStart }, etag);
            result.yielded = true;
            return result;
          }
          continue;
        }
        if (changed && page["@odata.deltaLink"]) {
          await runtime.cursors.save(mailbox.id, "act", adapter.type, { link: page["@odata.deltaLink"], kind: "delta", filterFrom: windowStart }, etag);
        }
        return result;
      }
    } catch (error) {
      if (!isSyncStateLost(error) || restarted) throw error;
      // Lost sync state: start the type's delta again; links make every item idempotent.
      restarted = true;
      await runtime.cursors.remove(mailbox.id, "act", adapter.type);
      etag = undefined;
      changed = true;
      link = deltaStartWithStamp(adapter, collection, user, runtime.now());
    }
  }
}

/** calendarView/delta takes no query options: its items' stamps are read one by one when needed. */
function deltaStartWithStamp(adapter: ActAdapter<ActRecordType>, collection: string, user: string, now: number): string {
  const start = adapter.deltaStart(collection, user, now);
  return adapter.type === "appointment" ? start : withStamp(adapter.type, start);
}

async function applyItem(
  context: CycleContext,
  adapter: ActAdapter<ActRecordType>,
  collection: string,
  raw: ActItem,
  links: Map<string, ActLink>,
  byExchangeId: Map<string, ActLink>,
  masters: Map<string, ActItem>,
  windowStart: string,
  result: PullResult,
): Promise<boolean> {
  const { runtime, mailbox, graph } = context;
  if (raw["@removed"]) {
    const link = byExchangeId.get(raw.id);
    if (!link) return false;
    // An appointment that slid out of the window is not deleted: only forget items inside it.
    const start = adapter.type === "appointment" ? toInstant((link.snapshot as AppointmentFields).start) : undefined;
    if (start && start < windowStart) return false;
    await runtime.actLinks.remove(link);
    links.delete(link.recordId);
    byExchangeId.delete(raw.id);
    result.changed++;
    return true;
  }
  let item = raw;
  // Recurring series sync as series: an occurrence or exception stands for its series master.
  const masterId = typeof raw.seriesMasterId === "string" ? raw.seriesMasterId : undefined;
  if (adapter.type === "appointment" && masterId && raw.type !== "seriesMaster") {
    if (masters.has(masterId)) return false;
    item = await graph.get<ActItem>(withStamp("appointment", `${collection}/${encodeURIComponent(masterId)}`), { utc: true }, context.counter);
    masters.set(masterId, item);
  }
  const known = byExchangeId.get(item.id);
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
    await saveLink(context, adapter, created, item, exchange, links, byExchangeId);
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
    if (merge.exchangeNeedsUpdate) item = await graph.patch<ActItem>(`${collection}/${encodeURIComponent(item.id)}`, adapter.toGraph(merge.merged as never, recordId));
    if (merge.conflicts.length > 0) {
      result.conflicts++;
      await raiseAlert(runtime, "SyncConflict", { mailbox, workload: "act", detail: `${adapter.type} ${recordId}: ${merge.conflicts.join(", ")}` });
    }
  }
  const updated = (await runtime.actRecords.get(adapter.type, recordId))!.record;
  await saveLink(context, adapter, updated, item, adapter.canonical(adapter.fromGraph(item)), links, byExchangeId);
  result.changed++;
  return true;
}

async function saveLink(context: CycleContext, adapter: ActAdapter<ActRecordType>, record: ActRecord, item: ActItem, snapshot: object, links: Map<string, ActLink>, byExchangeId: Map<string, ActLink>): Promise<void> {
  const link: ActLink = {
    mailboxId: context.mailbox.id,
    type: adapter.type,
    recordId: record.id,
    exchangeId: item.id,
    snapshot,
    crmVersion: record.version,
    exchangeModifiedAt: item.lastModifiedDateTime,
    syncedAt: new Date(context.runtime.now()).toISOString(),
  };
  await context.runtime.actLinks.put(link);
  links.set(record.id, link);
  byExchangeId.set(item.id, link);
}
