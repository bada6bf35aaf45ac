/**
 * The audit log in Table Storage: one row per admin change, in the overall partition and in its
 * target's (a mailbox's or a profile's), with an inverted-time row key so every list is newest first.
 */
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import type { FieldChange } from "../domain/audit-changes.js";
import type { StorageAccount } from "./storage-account.js";

export type AuditTargetType = "profile" | "mailbox" | "settings" | "emailEnabledTypes" | "mailboxTracking" | "migration";

export interface AuditRecord {
  id: string;
  at: string;
  /** Who: the token's object id and name, and whether a user or an application. */
  who: { objectId: string; name: string; kind: string };
  /** The admin API function that made the change, e.g. approveMailbox. */
  action: string;
  target: { type: AuditTargetType; id: string };
  changes: FieldChange[];
}

const overall = "all";
const targetPartition = (target: AuditRecord["target"]) => `${target.type}|${target.id}`;
const rowKey = (at: string, id: string) => `${String(9_999_999_999_999 - Date.parse(at)).padStart(13, "0")}|${id}`;

export class AuditRepository {
  private readonly table: TableClient;

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.audit);
  }

  async add(record: AuditRecord): Promise<void> {
    const row = {
      rowKey: rowKey(record.at, record.id),
      id: record.id,
      at: record.at,
      who: JSON.stringify(record.who),
      action: record.action,
      targetType: record.target.type,
      targetId: record.target.id,
      changes: JSON.stringify(record.changes),
    };
    // Same row key in both partitions: a retried write replaces, never duplicates.
    await Promise.all([overall, targetPartition(record.target)].map((partitionKey) => this.table.upsertEntity({ partitionKey, ...row }, "Replace")));
  }

  /** Newest first: everything, or one mailbox's or profile's changes. */
  async list(options: { target?: AuditRecord["target"]; pageSize: number; continuationToken?: string }): Promise<{ items: AuditRecord[]; continuationToken?: string }> {
    const partition = options.target ? targetPartition(options.target) : overall;
    const iterator = this.table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq '${partition.replace(/'/g, "''")}'` } })
      .byPage({ maxPageSize: options.pageSize, continuationToken: options.continuationToken });
    const next = await iterator.next();
    if (next.done) return { items: [] };
    return {
      items: next.value.map((row) => ({
        id: String(row.id),
        at: String(row.at),
        who: JSON.parse(String(row.who)),
        action: String(row.action),
        target: { type: String(row.targetType) as AuditTargetType, id: String(row.targetId) },
        changes: JSON.parse(String(row.changes)),
      })),
      continuationToken: next.value.continuationToken,
    };
  }
}
