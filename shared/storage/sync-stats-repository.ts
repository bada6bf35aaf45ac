/**
 * Hourly sync figures for the monitoring dashboard: one partition per hour, one row per instance
 * and workload holding that instance's totals for the hour (so a write replaces, and a retried
 * write is harmless). Reading adds the instances up.
 */
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import { addCounts, emptyCounts, type HourlyCounts } from "../monitoring/hourly-tally.js";
import type { StorageAccount } from "./storage-account.js";

const fields = Object.keys(emptyCounts()) as Array<keyof HourlyCounts>;

export class SyncStatsRepository {
  private readonly table: TableClient;

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.syncStats);
  }

  async write(instanceId: string, rows: Array<{ hour: string; workload: string; counts: HourlyCounts }>): Promise<void> {
    for (const row of rows) {
      await this.table.upsertEntity({ partitionKey: row.hour, rowKey: `${instanceId}|${row.workload}`, workload: row.workload, ...row.counts }, "Replace");
    }
  }

  /** Totals per hour (all workloads and instances) from fromHour on, oldest first. */
  async perHour(fromHour: string): Promise<Array<{ hour: string } & HourlyCounts>> {
    const hours = new Map<string, HourlyCounts>();
    for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey ge '${fromHour.replace(/'/g, "''")}'` } })) {
      const hour = String(row.partitionKey);
      const counts = Object.fromEntries(fields.map((f) => [f, typeof row[f] === "number" ? (row[f] as number) : 0])) as unknown as HourlyCounts;
      addCounts(hours.get(hour) ?? hours.set(hour, emptyCounts()).get(hour)!, counts);
    }
    return [...hours.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([hour, counts]) => ({ hour, ...counts }));
  }
}
