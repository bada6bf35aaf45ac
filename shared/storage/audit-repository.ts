/**
 * The audit log in Table Storage: one row per admin change, in the overall log and in its target's
 * partition (a mailbox's or a profile's), with an inverted-time row key so every list is newest first.
 *
 * The overall log is spread over one partition per ten seconds of changes, named so that key order
 * is newest first: "0|" and the inverted ten-second count. One partition for the whole log was a
 * hot partition — a bulk Test & Enable of 50,000 mailboxes writes 100,000 rows to it, where Table
 * Storage serves about 2,000 entities a second per partition and Azurite scans the partition on
 * every write. The overall list is one range query over those partitions ("0|…" up to "all"): they
 * sort before "all", where earlier versions kept every row (read last, as the oldest), and before
 * every target partition ("emailEnabledTypes|…", "mailbox|…", "profile|…", …).
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

const bucketMs = 10_000;
/** The overall log's partition for a change at `at` (ISO time). */
export const overallPartition = (at: string) => `0|${String(999_999_999_999 - Math.floor(Date.parse(at) / bucketMs)).padStart(12, "0")}`;
/** Where every version before the ten-second partitions kept the overall log. */
const legacyOverall = "all";
const overallRange = `PartitionKey ge '0|' and PartitionKey le '${legacyOverall}'`;
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
    await Promise.all([overallPartition(record.at), targetPartition(record.target)].map((partitionKey) => this.table.upsertEntity({ partitionKey, ...row }, "Replace")));
  }

  /**
   * Newest first: everything, or one mailbox's or profile's changes. A page holds `pageSize` rows
   * unless the list ends: a query across partitions may come back short with a continuation (Table
   * Storage stops at partition boundaries), so the rest is read on from there.
   */
  async list(options: { target?: AuditRecord["target"]; pageSize: number; continuationToken?: string }): Promise<{ items: AuditRecord[]; continuationToken?: string }> {
    const filter = options.target ? `PartitionKey eq '${targetPartition(options.target).replace(/'/g, "''")}'` : overallRange;
    const items: AuditRecord[] = [];
    let continuationToken = options.continuationToken;
    do {
      const next = await this.table
        .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
        .byPage({ maxPageSize: options.pageSize - items.length, continuationToken })
        .next();
      if (next.done) return { items };
      items.push(...next.value.map(toRecord));
      continuationToken = next.value.continuationToken;
    } while (continuationToken && items.length < options.pageSize);
    return { items, continuationToken };
  }
}

function toRecord(row: Record<string, unknown>): AuditRecord {
  return {
    id: String(row.id),
    at: String(row.at),
    who: JSON.parse(String(row.who)),
    action: String(row.action),
    target: { type: String(row.targetType) as AuditTargetType, id: String(row.targetId) },
    changes: JSON.parse(String(row.changes)),
  };
}
