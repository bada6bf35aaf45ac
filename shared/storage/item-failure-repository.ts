/** Item-level failures: an email that could not become an activity, and why. */
import { createHash } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

export interface ItemFailure {
  mailboxId: string;
  workload: string;
  graphItemId: string;
  /** Stable reason code, e.g. MessageTooLarge. */
  code: string;
  /** What happened and what to do, for the admin. */
  message: string;
  subject?: string;
  sizeBytes?: number;
  at: string;
}

export class ItemFailureRepository {
  private readonly table: TableClient;

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.itemFailures);
  }

  /** Records the failure once per item (a retry rewrites the same row). */
  async record(failure: ItemFailure): Promise<void> {
    const rowKey = createHash("sha256").update(`${failure.workload}|${failure.graphItemId}`).digest("base64url");
    await this.table.upsertEntity({ partitionKey: failure.mailboxId, rowKey, ...failure }, "Replace");
  }

  async forMailbox(mailboxId: string): Promise<ItemFailure[]> {
    return this.query(`PartitionKey eq '${quote(mailboxId)}'`);
  }

  /**
   * Failures recorded since a time, newest first, of one mailbox or all (the item-level failures
   * list). The table holds only the retention window (deleteBefore), so a scan stays small.
   */
  async since(sinceIso: string, mailboxId?: string): Promise<ItemFailure[]> {
    const at = `at ge '${quote(sinceIso)}'`;
    return this.query(mailboxId ? `PartitionKey eq '${quote(mailboxId)}' and ${at}` : at);
  }

  /** Deletes failures recorded before a time (the retention, ITEM_FAILURE_RETENTION_DAYS); returns how many. */
  async deleteBefore(cutoffIso: string): Promise<number> {
    let deleted = 0;
    const filter = `at lt '${quote(cutoffIso)}'`;
    for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ["PartitionKey", "RowKey"] } })) {
      await this.table.deleteEntity(String(row.partitionKey), String(row.rowKey)).catch((error: unknown) => {
        if (!hasStatus(error, 404)) throw error;
      });
      deleted++;
    }
    return deleted;
  }

  private async query(filter: string): Promise<ItemFailure[]> {
    const failures: ItemFailure[] = [];
    for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      failures.push({
        mailboxId: String(row.mailboxId),
        workload: String(row.workload),
        graphItemId: String(row.graphItemId),
        code: String(row.code),
        message: String(row.message),
        subject: (row.subject as string) || undefined,
        sizeBytes: typeof row.sizeBytes === "number" ? row.sizeBytes : undefined,
        at: String(row.at),
      });
    }
    return failures.sort((a, b) => b.at.localeCompare(a.at));
  }
}

const quote = (value: string) => value.replace(/'/g, "''");
