/**
 * Delta cursors, one row per mailbox folder. A cursor is saved only after the records of the pages
 * it moves past are saved, and with the etag it was read with, so a stale worker can never move a
 * cursor that another worker already advanced.
 */
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import { ConcurrencyConflict } from "./mailbox-repository.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

export interface DeltaCursor {
  /** The link to resume from: a nextLink (round in progress) or a deltaLink (round done). */
  link: string;
  kind: "next" | "delta";
  /** The received-time lower bound the current delta chain was started with. */
  filterFrom?: string;
  /** When the round in progress (or the last one) started. */
  roundStartedAt?: string;
  /** Every message received before this was processed: the start of the last completed round. */
  syncedThrough?: string;
}

export interface StoredCursor {
  cursor: DeltaCursor;
  etag: string;
}

export class CursorRepository {
  private readonly table: TableClient;

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.cursors);
  }

  /** Every cursor of one mailbox and workload, by folder key, in one query. */
  async forMailbox(mailboxId: string, workload: string): Promise<Map<string, StoredCursor>> {
    const cursors = new Map<string, StoredCursor>();
    const prefix = `${workload}|`;
    const filter = `PartitionKey eq '${mailboxId.replace(/'/g, "''")}' and RowKey ge '${prefix}' and RowKey lt '${workload}}'`;
    for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      cursors.set(String(row.rowKey).slice(prefix.length), {
        cursor: {
          link: String(row.link),
          kind: row.kind === "next" ? "next" : "delta",
          filterFrom: (row.filterFrom as string) || undefined,
          roundStartedAt: (row.roundStartedAt as string) || undefined,
          syncedThrough: (row.syncedThrough as string) || undefined,
        },
        etag: row.etag,
      });
    }
    return cursors;
  }

  /** Saves a cursor; `etag` undefined means "must not exist yet". */
  async save(mailboxId: string, workload: string, folderKey: string, cursor: DeltaCursor, etag: string | undefined): Promise<string> {
    const entity = {
      partitionKey: mailboxId,
      rowKey: `${workload}|${folderKey}`,
      link: cursor.link,
      kind: cursor.kind,
      filterFrom: cursor.filterFrom ?? "",
      roundStartedAt: cursor.roundStartedAt ?? "",
      syncedThrough: cursor.syncedThrough ?? "",
      savedAt: new Date().toISOString(),
    };
    try {
      const result = etag ? await this.table.updateEntity(entity, "Replace", { etag }) : await this.table.createEntity(entity);
      return result.etag ?? "";
    } catch (error) {
      if (hasStatus(error, 412) || hasStatus(error, 409)) throw new ConcurrencyConflict(mailboxId);
      throw error;
    }
  }

  async remove(mailboxId: string, workload: string, folderKey: string): Promise<void> {
    try {
      await this.table.deleteEntity(mailboxId, `${workload}|${folderKey}`);
    } catch (error) {
      if (!hasStatus(error, 404)) throw error;
    }
  }
}
