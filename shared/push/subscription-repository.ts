/**
 * Push subscriptions in Table Storage (`pushsubscriptions`):
 *
 * - `<mailbox shard>` / `<mailboxId>|<kind>`: a subscription's state, in the mailbox's shard so that
 *   a mailbox's subscriptions are one range query and the renewal timer asks each shard for
 *   `renewDueAt le now` (a fixed-width string, filtered on the server) as the scheduler does.
 * - `sub|<subscriptionId>` / ``: which mailbox and kind a subscription id is for, with its
 *   clientState hash: what the notification endpoint reads (and caches) per subscription.
 * - `push` / `config`: the notification URL the subscriptions were last reconciled for.
 */
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import type { PushSubscription, SubscriptionKind } from "../domain/push/subscriptions.js";
import { dueKey, parseDueKey } from "../domain/schedule.js";
import { mailboxShard } from "../storage/mailbox-repository.js";
import { hasStatus, type StorageAccount } from "../storage/storage-account.js";

type Row = Record<string, unknown> & { partitionKey: string; rowKey: string };

/** What a notification is checked against. */
export interface SubscriptionOwner {
  mailboxId: string;
  kind: SubscriptionKind;
  clientStateHash: string;
}

/** Where switching push on or off (or a new URL) stands: reconciled page by page. */
export interface PushReconciliation {
  /** The notification URL every mailbox's subscriptions point at ("" when push is off). */
  url: string;
  /** While a reconciliation runs: the URL it moves to and the next page of mailboxes. */
  target?: string;
  continuationToken?: string;
}

const rowKeyOf = (mailboxId: string, kind: SubscriptionKind) => `${mailboxId}|${kind}`;
const lookupPartition = (subscriptionId: string) => `sub|${subscriptionId}`;
const optionalNumber = (value: unknown) => (typeof value === "number" ? value : undefined);
const optionalString = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

function toRow(sub: PushSubscription): Row {
  return {
    partitionKey: mailboxShard(sub.mailboxId),
    rowKey: rowKeyOf(sub.mailboxId, sub.kind),
    mailboxId: sub.mailboxId,
    kind: sub.kind,
    subscriptionId: sub.subscriptionId ?? "",
    resource: sub.resource ?? "",
    expiresAt: sub.expiresAt ?? null,
    renewedAt: sub.renewedAt ?? null,
    renewDueAt: dueKey(sub.renewDueAt),
    clientStateHash: sub.clientStateHash ?? "",
    lastNotificationAt: sub.lastNotificationAt ?? null,
    status: sub.status,
    problem: sub.problem ?? "",
    failures: sub.failures,
    unannouncedRounds: sub.unannouncedRounds,
  };
}

function fromRow(row: Record<string, unknown>): PushSubscription {
  return {
    mailboxId: String(row.mailboxId),
    kind: row.kind as SubscriptionKind,
    subscriptionId: optionalString(row.subscriptionId),
    resource: optionalString(row.resource),
    expiresAt: optionalNumber(row.expiresAt),
    renewedAt: optionalNumber(row.renewedAt),
    renewDueAt: parseDueKey(optionalString(row.renewDueAt)),
    clientStateHash: optionalString(row.clientStateHash),
    lastNotificationAt: optionalNumber(row.lastNotificationAt),
    status: (optionalString(row.status) as PushSubscription["status"]) ?? "failed",
    problem: optionalString(row.problem),
    failures: Number(row.failures ?? 0),
    unannouncedRounds: Number(row.unannouncedRounds ?? 0),
  };
}

export class PushSubscriptionRepository {
  private readonly table: TableClient;

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.pushSubscriptions);
  }

  /** Every subscription of a mailbox: one range query in its shard. */
  async forMailbox(mailboxId: string): Promise<PushSubscription[]> {
    const shard = mailboxShard(mailboxId);
    const from = `${mailboxId}|`;
    const to = `${mailboxId}}`; // '}' follows '|': the range holds exactly this mailbox's rows
    const rows = this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: `PartitionKey eq '${shard}' and RowKey ge '${escape(from)}' and RowKey lt '${escape(to)}'` },
    });
    const subscriptions: PushSubscription[] = [];
    for await (const row of rows) subscriptions.push(fromRow(row));
    return subscriptions;
  }

  /** Stores the state and, for a subscription Graph created, its id → mailbox row. */
  async save(sub: PushSubscription): Promise<void> {
    await this.table.upsertEntity(toRow(sub), "Replace");
    if (sub.subscriptionId && sub.clientStateHash) {
      await this.table.upsertEntity({ partitionKey: lookupPartition(sub.subscriptionId), rowKey: "", mailboxId: sub.mailboxId, kind: sub.kind, clientStateHash: sub.clientStateHash }, "Replace");
    }
  }

  /** Merges a few fields of an existing subscription's state; a row deleted meanwhile stays deleted. */
  async update(mailboxId: string, kind: SubscriptionKind, fields: Partial<Pick<PushSubscription, "lastNotificationAt" | "unannouncedRounds" | "renewDueAt" | "status" | "problem">>): Promise<void> {
    const row: Row = { partitionKey: mailboxShard(mailboxId), rowKey: rowKeyOf(mailboxId, kind) };
    if (fields.lastNotificationAt !== undefined) row.lastNotificationAt = fields.lastNotificationAt;
    if (fields.unannouncedRounds !== undefined) row.unannouncedRounds = fields.unannouncedRounds;
    if ("renewDueAt" in fields) row.renewDueAt = dueKey(fields.renewDueAt ?? null);
    if (fields.status !== undefined) row.status = fields.status;
    if (fields.problem !== undefined) row.problem = fields.problem;
    try {
      await this.table.updateEntity(row, "Merge", { etag: "*" });
    } catch (error) {
      if (!hasStatus(error, 404)) throw error;
    }
  }

  /**
   * The last-notification time (and the end of any counted silence) of many subscriptions: one
   * entity group transaction per shard, 100 at a time, instead of a request each. A batch that fails
   * because a row went meanwhile is written row by row (a deleted row stays deleted).
   */
  async stampNotified(owners: ReadonlyArray<{ mailboxId: string; kind: SubscriptionKind }>, at: number): Promise<void> {
    const byShard = new Map<string, Array<{ mailboxId: string; kind: SubscriptionKind }>>();
    for (const owner of owners) byShard.set(mailboxShard(owner.mailboxId), [...(byShard.get(mailboxShard(owner.mailboxId)) ?? []), owner]);
    const batches: Array<Array<{ mailboxId: string; kind: SubscriptionKind }>> = [];
    for (const group of byShard.values()) for (let i = 0; i < group.length; i += 100) batches.push(group.slice(i, i + 100));
    await Promise.all(
      batches.map(async (batch) => {
        const rows = batch.map((o) => ({ partitionKey: mailboxShard(o.mailboxId), rowKey: rowKeyOf(o.mailboxId, o.kind), lastNotificationAt: at, unannouncedRounds: 0 }));
        try {
          await this.table.submitTransaction(rows.map((row) => ["update", row, "Merge"] as const) as never);
        } catch (error) {
          if (!hasStatus(error, 404)) throw error;
          await Promise.all(batch.map((o) => this.update(o.mailboxId, o.kind, { lastNotificationAt: at, unannouncedRounds: 0 })));
        }
      }),
    );
  }

  async remove(sub: PushSubscription): Promise<void> {
    await this.deleteRow(mailboxShard(sub.mailboxId), rowKeyOf(sub.mailboxId, sub.kind));
    if (sub.subscriptionId) await this.removeOwner(sub.subscriptionId);
  }

  async removeOwner(subscriptionId: string): Promise<void> {
    await this.deleteRow(lookupPartition(subscriptionId), "");
  }

  async owner(subscriptionId: string): Promise<SubscriptionOwner | undefined> {
    try {
      const row = await this.table.getEntity<Record<string, unknown>>(lookupPartition(subscriptionId), "");
      return { mailboxId: String(row.mailboxId), kind: row.kind as SubscriptionKind, clientStateHash: String(row.clientStateHash) };
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** Subscriptions of one shard whose renewal (or retry) is due, at most `limit`. */
  async dueInShard(shard: string, now: number, limit: number): Promise<PushSubscription[]> {
    const pages = this.table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq '${shard}' and renewDueAt le '${dueKey(now)}'` } })
      .byPage({ maxPageSize: limit });
    const due: PushSubscription[] = [];
    for await (const page of pages) {
      due.push(...page.map(fromRow));
      if (due.length >= limit) break;
    }
    return due.slice(0, limit);
  }

  async reconciliation(): Promise<PushReconciliation> {
    try {
      const row = await this.table.getEntity<Record<string, unknown>>("push", "config");
      return { url: String(row.url ?? ""), target: optionalString(row.target), continuationToken: optionalString(row.continuationToken) };
    } catch (error) {
      if (hasStatus(error, 404)) return { url: "" };
      throw error;
    }
  }

  async saveReconciliation(state: PushReconciliation): Promise<void> {
    await this.table.upsertEntity({ partitionKey: "push", rowKey: "config", url: state.url, target: state.target ?? "", continuationToken: state.continuationToken ?? "" }, "Replace");
  }

  private async deleteRow(partitionKey: string, rowKey: string): Promise<void> {
    try {
      await this.table.deleteEntity(partitionKey, rowKey);
    } catch (error) {
      if (!hasStatus(error, 404)) throw error;
    }
  }
}

function escape(value: string): string {
  return value.replace(/'/g, "''");
}
