/**
 * Mailboxes in Table Storage. One entity per mailbox holds its settings and the state of each
 * workload, so an idle cycle costs one write. Mailboxes are spread over a fixed number of partitions
 * (shards) so the scheduler's scan runs in parallel and no partition gets hot.
 *
 * Each workload's `<workload>DueAt` is a fixed-width string: the scheduler asks each shard for
 * `DueAt le now`, which Table Storage filters on the server and answers with a few columns.
 */
import type { TableClient, TableEntityResult } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import type { Mailbox, WorkloadState } from "../domain/mailbox.js";
import type { SendWindow } from "../domain/outgoing-email.js";
import { dueKey, parseDueKey } from "../domain/schedule.js";
import { workloads, type Workload } from "../domain/workloads.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

/** Fixed for the life of a deployment: changing it would strand rows in old partitions. */
export const mailboxShardCount = 16;

export function mailboxShard(mailboxId: string): string {
  // FNV-1a: cheap, stable across processes and versions.
  let hash = 0x811c9dc5;
  for (let i = 0; i < mailboxId.length; i++) {
    hash ^= mailboxId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `m${String(hash % mailboxShardCount).padStart(2, "0")}`;
}

export const allMailboxShards = Array.from({ length: mailboxShardCount }, (_, i) => `m${String(i).padStart(2, "0")}`);

type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

export interface StoredMailbox {
  mailbox: Mailbox;
  etag: string;
}

/** A due workload as the scheduler sees it: just enough to queue and claim it. */
export interface DueWorkload {
  mailboxId: string;
  workload: Workload;
  nextSlot: number;
  dueAt: number;
  etag: string;
}

export class ConcurrencyConflict extends Error {
  constructor(mailboxId: string) {
    super(`Mailbox ${mailboxId} changed while it was being updated.`);
    this.name = "ConcurrencyConflict";
  }
}

function workloadFields(workload: Workload, state: Partial<WorkloadState>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const set = (name: string, value: unknown) => {
    if (value !== undefined) fields[`${workload}${name}`] = value;
  };
  set("Method", state.method);
  set("Enabled", state.enabled);
  set("Status", state.status);
  set("NextSlot", state.nextSlot);
  if ("dueAt" in state) set("DueAt", dueKey(state.dueAt ?? null));
  set("LastRunAt", state.lastRunAt);
  set("LastSuccessAt", state.lastSuccessAt);
  if ("lastError" in state) set("LastError", state.lastError ? JSON.stringify(state.lastError) : "");
  set("TransientFailures", state.transientFailures);
  if (state.recentItems) set("RecentItems", state.recentItems.join(","));
  return fields;
}

function toEntity(mailbox: Mailbox): Entity {
  const entity: Entity = {
    partitionKey: mailboxShard(mailbox.id),
    rowKey: mailbox.id,
    emailAddress: mailbox.emailAddress,
    exchangeUserId: mailbox.exchangeUserId ?? "",
    profileId: mailbox.profileId,
    ownerType: mailbox.ownerType,
    ownerId: mailbox.ownerId,
    approved: mailbox.approved,
    processEmailsFrom: mailbox.processEmailsFrom ?? "",
    sendWindow: mailbox.sendWindow ? JSON.stringify(mailbox.sendWindow) : "",
    ownershipCheckedAt: mailbox.ownershipCheckedAt ?? "",
    // tracksFolders is never written whole: a replace built from a row read earlier could carry a
    // stale "maps none" over a folder mapped meanwhile. Left out, it is unknown and the next cycle
    // reads the mappings (domain/tracking/tracked-folders.ts mayTrackFolders); only patches set it.
    // incomingCursorsStamp likewise: left out, the next cycle queries the cursors.
    createdAt: mailbox.createdAt,
    updatedAt: mailbox.updatedAt,
  };
  for (const workload of workloads) Object.assign(entity, workloadFields(workload, mailbox.workloads[workload]));
  return entity;
}

function str(entity: Record<string, unknown>, name: string): string | undefined {
  const value = entity[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function fromEntity(entity: Record<string, unknown>): Mailbox {
  const state = (workload: Workload): WorkloadState => {
    const lastError = str(entity, `${workload}LastError`);
    const recent = str(entity, `${workload}RecentItems`);
    return {
      method: (str(entity, `${workload}Method`) as WorkloadState["method"]) ?? "None",
      enabled: entity[`${workload}Enabled`] === true,
      status: (str(entity, `${workload}Status`) as WorkloadState["status"]) ?? "NotRun",
      nextSlot: Number(entity[`${workload}NextSlot`] ?? 0),
      dueAt: parseDueKey(str(entity, `${workload}DueAt`)),
      lastRunAt: str(entity, `${workload}LastRunAt`),
      lastSuccessAt: str(entity, `${workload}LastSuccessAt`),
      lastError: lastError ? JSON.parse(lastError) : undefined,
      transientFailures: Number(entity[`${workload}TransientFailures`] ?? 0),
      recentItems: recent ? recent.split(",").map(Number) : [],
    };
  };
  return {
    id: String(entity.rowKey),
    emailAddress: String(entity.emailAddress),
    exchangeUserId: str(entity, "exchangeUserId"),
    profileId: String(entity.profileId),
    ownerType: entity.ownerType === "queue" ? "queue" : "user",
    ownerId: String(entity.ownerId ?? ""),
    approved: entity.approved === true,
    processEmailsFrom: str(entity, "processEmailsFrom"),
    workloads: { incoming: state("incoming"), outgoing: state("outgoing"), act: state("act") },
    sendWindow: str(entity, "sendWindow") ? JSON.parse(str(entity, "sendWindow")!) : undefined,
    ownershipCheckedAt: str(entity, "ownershipCheckedAt"),
    tracksFolders: typeof entity.tracksFolders === "boolean" ? entity.tracksFolders : undefined,
    incomingCursorsStamp: str(entity, "incomingCursorsStamp"),
    createdAt: String(entity.createdAt),
    updatedAt: String(entity.updatedAt),
  };
}

export interface MailboxPatch {
  exchangeUserId?: string;
  processEmailsFrom?: string;
  approved?: boolean;
  sendWindow?: SendWindow;
  ownershipCheckedAt?: string;
  tracksFolders?: boolean;
  /** "" clears it. */
  incomingCursorsStamp?: string;
  workload?: { name: Workload; state: Partial<WorkloadState> };
}

export class MailboxRepository {
  private readonly table: TableClient;

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.mailboxes);
  }

  async get(mailboxId: string): Promise<StoredMailbox | undefined> {
    try {
      const entity = await this.table.getEntity<Record<string, unknown>>(mailboxShard(mailboxId), mailboxId);
      return { mailbox: fromEntity(entity), etag: entity.etag };
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** Creates or replaces the whole mailbox (idempotent). */
  async put(mailbox: Mailbox): Promise<void> {
    await this.table.upsertEntity(toEntity(mailbox), "Replace");
  }

  /** Creates the mailbox unless it exists; returns false when it already did. */
  async create(mailbox: Mailbox): Promise<boolean> {
    try {
      await this.table.createEntity(toEntity(mailbox));
      return true;
    } catch (error) {
      if (hasStatus(error, 409)) return false;
      throw error;
    }
  }

  /**
   * Merges only the named fields. With an etag the write fails with ConcurrencyConflict when the
   * mailbox changed since it was read, so a decision made on stale state is never stored.
   */
  async patch(mailboxId: string, patch: MailboxPatch, etag?: string): Promise<string> {
    const entity: Entity = { partitionKey: mailboxShard(mailboxId), rowKey: mailboxId, updatedAt: new Date().toISOString() };
    if (patch.exchangeUserId !== undefined) entity.exchangeUserId = patch.exchangeUserId;
    if (patch.processEmailsFrom !== undefined) entity.processEmailsFrom = patch.processEmailsFrom;
    if (patch.approved !== undefined) entity.approved = patch.approved;
    if (patch.sendWindow !== undefined) entity.sendWindow = JSON.stringify(patch.sendWindow);
    if (patch.ownershipCheckedAt !== undefined) entity.ownershipCheckedAt = patch.ownershipCheckedAt;
    if (patch.tracksFolders !== undefined) entity.tracksFolders = patch.tracksFolders;
    if (patch.incomingCursorsStamp !== undefined) entity.incomingCursorsStamp = patch.incomingCursorsStamp;
    if (patch.workload) Object.assign(entity, workloadFields(patch.workload.name, patch.workload.state));
    try {
      const result = await this.table.updateEntity(entity, "Merge", { etag: etag ?? "*" });
      return result.etag ?? "";
    } catch (error) {
      if (hasStatus(error, 412)) throw new ConcurrencyConflict(mailboxId);
      throw error;
    }
  }

  /** Workloads due at or before `now` in one shard, oldest first within the page. */
  async *dueInShard(shard: string, workload: Workload, now: number, pageSize = 1000): AsyncGenerator<DueWorkload[]> {
    const dueField = `${workload}DueAt`;
    const pages = this.table
      .listEntities<Record<string, unknown>>({
        queryOptions: {
          filter: `PartitionKey eq '${shard}' and ${dueField} le '${dueKey(now)}'`,
          select: ["RowKey", dueField, `${workload}NextSlot`],
        },
      })
      .byPage({ maxPageSize: pageSize });
    for await (const page of pages) {
      yield page.map((entity: TableEntityResult<Record<string, unknown>>) => ({
        mailboxId: String(entity.rowKey),
        workload,
        nextSlot: Number(entity[`${workload}NextSlot`] ?? 0),
        dueAt: parseDueKey(String(entity[dueField])) ?? 0,
        etag: entity.etag,
      }));
    }
  }

  /** A page of mailboxes across all shards, optionally by profile, status and workload. */
  async listPage(options: { continuationToken?: string; pageSize: number; profileId?: string; status?: WorkloadState["status"]; workload?: Workload; approved?: boolean }): Promise<{ items: Mailbox[]; continuationToken?: string }> {
    const clauses: string[] = [];
    if (options.approved !== undefined) clauses.push(`approved eq ${options.approved}`);
    if (options.profileId) clauses.push(`profileId eq '${options.profileId.replace(/'/g, "''")}'`);
    if (options.status && options.workload) clauses.push(`${options.workload}Status eq '${options.status}'`);
    else if (options.status) clauses.push(`(${workloads.map((w) => `${w}Status eq '${options.status}'`).join(" or ")})`);
    else if (options.workload) clauses.push(`${options.workload}Method eq 'ServerSideSync'`);
    const iterator = this.table
      .listEntities<Record<string, unknown>>({ queryOptions: clauses.length ? { filter: clauses.join(" and ") } : undefined })
      .byPage({ maxPageSize: options.pageSize, continuationToken: options.continuationToken });
    const next = await iterator.next();
    if (next.done) return { items: [] };
    return { items: next.value.map(fromEntity), continuationToken: next.value.continuationToken };
  }
}
