/**
 * Delta cursors, one row per mailbox folder. A cursor is saved only after the records of the pages
 * it moves past are saved, and with the etag it was read with, so a stale worker can never move a
 * cursor that another worker already advanced.
 *
 * Each worker keeps the cursors it last read or saved in memory, with a stamp of their etags. A
 * cycle that ends well writes the stamp to the mailbox row (Mailbox.incomingCursorsStamp), which it
 * writes anyway; the next cycle, having read the row, takes the cursors from memory when the row's
 * stamp is this worker's, and queries them otherwise: an idle cycle is one read and one write.
 * Whatever moves or removes cursors elsewhere leaves the row without this worker's stamp (another
 * worker's cycle writes its own; the admin API's replace drops it; an outcome written on a retry
 * carries none). A stale copy could still only re-read mail already stored (every write is keyed
 * by message): a save with its etag fails, and the copy is dropped.
 */
import { createHash } from "node:crypto";
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

/**
 * Cursor sets kept in memory per worker, least recently used dropped first. A Graph delta link is
 * about 1 KB: two cursors a mailbox make the bound about 100 MB at most.
 */
const cachedCursorSets = 50_000;

/** The stamp of a set of cursors: their folder keys and etags, hashed (short enough for a row). */
export function cursorsStamp(cursors: ReadonlyMap<string, StoredCursor>): string {
  const keys = [...cursors.keys()].sort();
  return createHash("sha256").update(keys.map((key) => `${key}\n${cursors.get(key)!.etag}`).join("\n")).digest("base64url").slice(0, 22);
}

export class CursorRepository {
  private readonly table: TableClient;
  private readonly cache = new Map<string, Map<string, StoredCursor>>();

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.cursors);
  }

  /**
   * Every cursor of one mailbox and workload, by folder key, in one query. With `held` (a cycle of
   * a workload whose row carries a stamp) the set is kept in memory and read from there when the
   * row's stamp is the stamp of the set this worker holds.
   */
  async forMailbox(mailboxId: string, workload: string, held?: { stamp: string | undefined }): Promise<Map<string, StoredCursor>> {
    const key = cacheKey(mailboxId, workload);
    const cached = held && this.cache.get(key);
    if (cached && held.stamp && cursorsStamp(cached) === held.stamp) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return new Map(cached);
    }
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
    if (held) this.hold(key, new Map(cursors));
    return cursors;
  }

  /** The stamp of the cursors this worker holds for a mailbox and workload; undefined when it holds none. */
  stampOf(mailboxId: string, workload: string): string | undefined {
    const held = this.cache.get(cacheKey(mailboxId, workload));
    return held ? cursorsStamp(held) : undefined;
  }

  private hold(key: string, cursors: Map<string, StoredCursor>): void {
    this.cache.delete(key);
    this.cache.set(key, cursors);
    if (this.cache.size > cachedCursorSets) this.cache.delete(this.cache.keys().next().value!);
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
    const key = cacheKey(mailboxId, workload);
    try {
      const result = etag ? await this.table.updateEntity(entity, "Replace", { etag }) : await this.table.createEntity(entity);
      const saved = result.etag ?? "";
      this.cache.get(key)?.set(folderKey, { cursor: { ...cursor }, etag: saved });
      return saved;
    } catch (error) {
      // Whatever this worker held for the mailbox may be stale: read again next time.
      this.cache.delete(key);
      if (hasStatus(error, 412) || hasStatus(error, 409)) throw new ConcurrencyConflict(mailboxId);
      throw error;
    }
  }

  async remove(mailboxId: string, workload: string, folderKey: string): Promise<void> {
    this.cache.get(cacheKey(mailboxId, workload))?.delete(folderKey);
    try {
      await this.table.deleteEntity(mailboxId, `${workload}|${folderKey}`);
    } catch (error) {
      if (!hasStatus(error, 404)) throw error;
    }
  }
}

const cacheKey = (mailboxId: string, workload: string) => `${mailboxId}\n${workload}`;
