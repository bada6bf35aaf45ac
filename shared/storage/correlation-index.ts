/**
 * The lookups correlation needs beyond the activity id (`correlationkeys`): which tracked
 * activities share a conversation, carry a tracking token, or have a smart-matching subject hash.
 *
 * One partition per key (`conversation|…`, `token|…`, `subject|…`, the value hashed so any
 * characters are safe in a key and no subject text is stored), one row per activity, newest first
 * (the row key starts with the inverted time), so a lookup is one partition query of its first
 * page. Rows are written after the activity, by upsert: a retry rewrites the same rows, and a row
 * whose activity was never written is ignored when the lookup reads the activity.
 *
 * The internet message id needs no index: the activity id is derived from it (a point read).
 */
import { createHash } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import type { StorageAccount } from "./storage-account.js";

export type CorrelationKeyKind = "conversation" | "token" | "subject";

export interface IndexedActivity {
  activityId: string;
  at: string;
  /** Smart matching's address hashes, on `subject` rows. */
  addressHashes?: string[];
}

export interface CorrelationKeys {
  conversationId?: string;
  trackingToken?: string;
  subjectHash?: string;
  addressHashes?: readonly string[];
}

/** Activities read per lookup: a long thread's newest are the likely parents. */
export const correlationLookupLimit = 50;

const hashed = (value: string) => createHash("sha256").update(value).digest("base64url");
const partitionOf = (kind: CorrelationKeyKind, value: string) => `${kind}|${hashed(value)}`;

function rowKeyOf(at: string, activityId: string): string {
  const ms = Date.parse(at);
  const inverted = 9_999_999_999_999 - (Number.isNaN(ms) ? 0 : ms);
  return `${String(inverted).padStart(13, "0")}|${activityId}`;
}

export class CorrelationIndex {
  private readonly table: TableClient;

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.correlationKeys);
  }

  /** Indexes a tracked activity under each key it has (idempotent). `at` must not change between calls. */
  async add(activityId: string, at: string, keys: CorrelationKeys): Promise<void> {
    const rowKey = rowKeyOf(at, activityId);
    const rows: Array<Record<string, unknown> & { partitionKey: string; rowKey: string }> = [];
    if (keys.conversationId) rows.push({ partitionKey: partitionOf("conversation", keys.conversationId), rowKey, activityId, at });
    if (keys.trackingToken) rows.push({ partitionKey: partitionOf("token", keys.trackingToken), rowKey, activityId, at });
    if (keys.subjectHash) {
      rows.push({ partitionKey: partitionOf("subject", keys.subjectHash), rowKey, activityId, at, addressHashes: JSON.stringify(keys.addressHashes ?? []) });
    }
    await Promise.all(rows.map((row) => this.table.upsertEntity(row, "Replace")));
  }

  /** The newest activities indexed under the key (at most `limit`). */
  async find(kind: CorrelationKeyKind, value: string, limit = correlationLookupLimit): Promise<IndexedActivity[]> {
    const filter = `PartitionKey eq '${partitionOf(kind, value)}'`;
    const pages = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } }).byPage({ maxPageSize: limit });
    const found: IndexedActivity[] = [];
    for await (const page of pages) {
      for (const row of page) {
        if (found.length >= limit) break;
        found.push({
          activityId: String(row.activityId),
          at: String(row.at),
          ...(typeof row.addressHashes === "string" ? { addressHashes: JSON.parse(row.addressHashes) as string[] } : {}),
        });
      }
      if (found.length >= limit || !page.continuationToken) break;
    }
    return found;
  }
}
