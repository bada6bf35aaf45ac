/**
 * Sync filters in Table Storage (`syncfilters`): one partition per CRM user, one row per record
 * type. A user with nothing stored has the defaults, so the engine never has to create rows.
 */
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import { actRecordTypes, type ActRecordType } from "../domain/act-records.js";
import { defaultFilter, type SyncFilter } from "../domain/sync-filters.js";
import type { StorageAccount } from "./storage-account.js";

/** Keys may not hold / \ # ? or control characters. */
const partitionOf = (ownerId: string) => encodeURIComponent(ownerId);

export class SyncFilterRepository {
  private readonly table: TableClient;

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.syncFilters);
  }

  /** The owner's three filters in `actRecordTypes` order, defaults for any not stored (one query). */
  async forOwner(ownerId: string): Promise<SyncFilter[]> {
    const stored = new Map<string, Record<string, unknown>>();
    const filter = `PartitionKey eq '${partitionOf(ownerId).replace(/'/g, "''")}'`;
    for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) stored.set(String(row.rowKey), row);
    return actRecordTypes.map((type) => {
      const row = stored.get(type);
      return row ? fromRow(ownerId, type, row) : (defaultFilter(ownerId, type) as SyncFilter);
    });
  }

  /** Creates or replaces the owner's filter for its record type. */
  async put(filter: SyncFilter): Promise<void> {
    await this.table.upsertEntity(
      { partitionKey: partitionOf(filter.ownerId), rowKey: filter.recordType, enabled: filter.enabled, criteria: JSON.stringify(filter.criteria) },
      "Replace",
    );
  }
}

function fromRow(ownerId: string, type: ActRecordType, row: Record<string, unknown>): SyncFilter {
  const base = defaultFilter(ownerId, type);
  const criteria = typeof row.criteria === "string" && row.criteria ? (JSON.parse(row.criteria) as object) : {};
  // Over the defaults: a criterion added after the row was written reads as its default.
  return { ...base, enabled: row.enabled === true, criteria: { ...base.criteria, ...criteria } } as SyncFilter;
}
