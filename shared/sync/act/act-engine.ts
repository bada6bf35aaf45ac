/**
 * The ACT workload: a CRM user's appointments, contacts and tasks kept in step with their Exchange
 * calendar, contacts and To Do tasks, both ways. Per type, each cycle first takes in what changed
 * in Exchange (delta), then pushes what changed in the CRM:
 *
 * - Exchange → CRM: items the user tracked (category "Tracked to CRM") or already linked. A change
 *   on both sides since the last sync is merged by the conflict rule (domain/act-conflict.ts) with
 *   a Warning alert. A linked item deleted in Exchange deletes its record or leaves it in the CRM
 *   by server-side sync's rule (domain/act-deletion.ts).
 * - CRM → Exchange: records matching the owner's sync filters are created (found again by their
 *   stamp on a retry, never made twice) or updated; a record that stops matching, or is deleted,
 *   is removed from Exchange — for appointments only when linked, in the future and organised by
 *   the mailbox's user. A record the CRM kept when its item was deleted in Exchange is not created
 *   again until it changes in the CRM. Appointments without an organizer are not synced and raise
 *   an alert.
 */
import { raiseAlert } from "../../alerts/alert-service.js";
import { staysOutOfExchange } from "../../domain/act-deletion.js";
import { actRecordTypes, type ActRecord, type ActRecordType, type AppointmentFields } from "../../domain/act-records.js";
import { actPollingBounds, nextRunAfter } from "../../domain/schedule.js";
import { isTypeSynced, recordSyncs, type SyncFilter } from "../../domain/sync-filters.js";
import { toInstant } from "../../domain/zoned-time.js";
import { GraphRequestError } from "../../graph/graph-errors.js";
import type { ActLink } from "../../storage/act-link-repository.js";
import type { CycleContext, EngineResult, WorkloadEngine } from "../workload-runner.js";
import { actAdapters, type ActAdapter, type ActItem } from "./act-adapters.js";
import { pullChanges } from "./act-pull.js";

export interface TypeResult {
  pulled: number;
  pushed: number;
  conflicts: number;
  yielded: boolean;
}

export const actEngine: WorkloadEngine = {
  workload: "act",

  async run(context: CycleContext): Promise<EngineResult> {
    const { runtime, mailbox } = context;
    const user = `/users/${encodeURIComponent(mailbox.exchangeUserId ?? mailbox.emailAddress)}`;
    const filters = await runtime.syncFilters.forOwner(mailbox.ownerId);
    let items = 0;
    for (const type of actRecordTypes) {
      const result = await syncType(context, actAdapters[type] as ActAdapter<ActRecordType>, user, filters);
      items += result.pulled + result.pushed;
      if (result.yielded) return { end: { kind: "yielded", items } };
    }
    return { end: { kind: "completed", items } };
  },

  nextRun(now, end, recentItems, profile, mailbox) {
    return nextRunAfter(now, end, recentItems, actPollingBounds(profile.polling.act, mailbox.workloads.incoming.enabled));
  },
};

async function syncType(context: CycleContext, adapter: ActAdapter<ActRecordType>, user: string, filters: readonly SyncFilter[]): Promise<TypeResult> {
  const { runtime, mailbox } = context;
  const linkState = await runtime.actLinks.stateOf(mailbox.id, adapter.type);
  const { links, deletedInExchange } = linkState;
  const collection = await adapter.collection(context.graph, user);
  const pull = await pullChanges(context, adapter, user, collection, linkState);
  if (pull.yielded) return { pulled: pull.changed, pushed: 0, conflicts: pull.conflicts, yielded: true };

  const now = runtime.now();
  const synced = isTypeSynced(filters, adapter.type);
  const records = await runtime.actRecords.listForOwner(adapter.type, mailbox.ownerId);
  const byId = new Map(records.map((r) => [r.id, r]));
  let pushed = 0;
  for (const record of records) {
    if (now - context.startedAt > runtime.settings.cycleMaxMs) return { pulled: pull.changed, pushed, conflicts: pull.conflicts, yielded: true };
    const link = links.get(record.id);
    if (!link && staysOutOfExchange(record, deletedInExchange.get(record.id))) continue;
    const inScope = synced && recordSyncs(record, filters, now);
    if (inScope && adapter.type === "appointment" && !(record.fields as AppointmentFields).organizer) {
      await raiseAlert(runtime, "AppointmentWithoutOrganizer", { mailbox, workload: "act", detail: record.id });
      continue;
    }
    if (inScope && !link) {
      await createInExchange(context, adapter, collection, record);
      pushed++;
    } else if (inScope && link && record.version !== link.crmVersion) {
      await updateInExchange(context, adapter, collection, record, link);
      pushed++;
    } else if (!inScope && link) {
      await removeFromExchange(context, adapter, collection, link, record);
      pushed++;
    } else if (!inScope && deletedInExchange.has(record.id)) {
      // Changed since its deletion in Exchange, but out of scope: nothing to hold back any more.
      await runtime.actLinks.forgetDeletion(mailbox.id, adapter.type, record.id);
    }
  }
  // Records deleted in Exchange and since in the CRM: their marks go too.
  for (const recordId of deletedInExchange.keys()) {
    if (!byId.has(recordId)) await runtime.actLinks.forgetDeletion(mailbox.id, adapter.type, recordId);
  }
  // Linked records deleted in the CRM.
  for (const link of links.values()) {
    if (byId.has(link.recordId)) continue;
    await removeFromExchange(context, adapter, collection, link, undefined);
    pushed++;
  }
  return { pulled: pull.changed, pushed, conflicts: pull.conflicts, yielded: false };
}

async function createInExchange(context: CycleContext, adapter: ActAdapter<ActRecordType>, collection: string, record: ActRecord): Promise<void> {
  const { runtime, graph, mailbox } = context;
  // A retried create finds the item its earlier attempt made.
  let item: ActItem | undefined;
  const existing = await adapter.findByStamp(graph, collection, record.id);
  if (existing) item = await graph.patch<ActItem>(`${collection}/${encodeURIComponent(existing)}`, adapter.toGraph(record.fields as never, record.id, "update"));
  else {
    const body = adapter.toGraph(record.fields as never, record.id, "create");
    item = await graph.post<ActItem>(collection, adapter.type === "appointment" ? { ...body, transactionId: `crm-${record.id}` } : body);
  }
  await runtime.actLinks.put(linkFor(mailbox.id, adapter, record, item!, runtime.now()));
}

async function updateInExchange(context: CycleContext, adapter: ActAdapter<ActRecordType>, collection: string, record: ActRecord, link: ActLink): Promise<void> {
  const { runtime, graph, mailbox } = context;
  try {
    const item = await graph.patch<ActItem>(`${collection}/${encodeURIComponent(link.exchangeId)}`, adapter.toGraph(record.fields as never, record.id, "update"));
    await runtime.actLinks.put(linkFor(mailbox.id, adapter, record, item, runtime.now()));
  } catch (error) {
    // Deleted in Exchange meanwhile: it comes back as a new item.
    if (!(error instanceof GraphRequestError && error.status === 404)) throw error;
    await runtime.actLinks.remove(link);
    await createInExchange(context, adapter, collection, record);
  }
}

/**
 * Logical delete: the record left the user's filters or was deleted. Appointments are deleted in
 * Exchange only when linked, in the future and organised by the mailbox's user; otherwise unlinked.
 */
async function removeFromExchange(context: CycleContext, adapter: ActAdapter<ActRecordType>, collection: string, link: ActLink, record: ActRecord | undefined): Promise<void> {
  const { runtime, graph, mailbox } = context;
  const appointment = (record?.fields ?? link.snapshot) as AppointmentFields;
  const deletable =
    adapter.type !== "appointment" ||
    (Date.parse(toInstant(appointment.start) ?? "") > runtime.now() && (!appointment.organizer || appointment.organizer.address.toLowerCase() === mailbox.emailAddress));
  if (deletable) {
    await graph.delete(`${collection}/${encodeURIComponent(link.exchangeId)}`).catch((error: unknown) => {
      if (!(error instanceof GraphRequestError && error.status === 404)) throw error;
    });
  }
  await runtime.actLinks.remove(link);
}

export function linkFor(mailboxId: string, adapter: ActAdapter<ActRecordType>, record: ActRecord, item: ActItem, now: number): ActLink {
  return {
    mailboxId,
    type: adapter.type,
    recordId: record.id,
    exchangeId: item.id,
    // What Exchange holds after the write: its echo in the next delta is recognised as ours.
    snapshot: adapter.canonical(adapter.fromGraph(item)),
    crmVersion: record.version,
    exchangeModifiedAt: item.lastModifiedDateTime,
    syncedAt: new Date(now).toISOString(),
  };
}
