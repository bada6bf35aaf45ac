/**
 * Alerts in Table Storage. Each alert is written to the partitions it is read by — overall, its
 * mailbox, its profile — with an inverted-time row key, so every list is newest first without
 * sorting. A dedupe row per subject and code keeps a recurring failure to one alert an hour.
 */
import { randomUUID } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import type { AlertCode, AlertLevel } from "../domain/alert-catalog.js";
import type { Workload } from "../domain/workloads.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

export interface AlertRecord {
  id: string;
  code: AlertCode;
  level: AlertLevel;
  mailboxId?: string;
  profileId?: string;
  workload?: Workload;
  errorCode?: string;
  title: string;
  cause: string;
  fix: string;
  createdAt: string;
  /** How the profile owner was told: emailed, not configured, or the failure code. */
  notice?: string;
}

const overall = "all";
const mailboxPartition = (id: string) => `m|${id}`;
const profilePartition = (id: string) => `p|${id}`;

function rowKey(createdAt: string, id: string): string {
  return `${String(9_999_999_999_999 - Date.parse(createdAt)).padStart(13, "0")}|${id}`;
}

function fromRow(row: Record<string, unknown>): AlertRecord {
  const text = (name: string) => (typeof row[name] === "string" && row[name] !== "" ? String(row[name]) : undefined);
  return {
    id: String(row.id),
    code: String(row.code) as AlertCode,
    level: String(row.level) as AlertLevel,
    mailboxId: text("mailboxId"),
    profileId: text("profileId"),
    workload: text("workload") as Workload | undefined,
    errorCode: text("errorCode"),
    title: String(row.title),
    cause: String(row.cause),
    fix: String(row.fix),
    createdAt: String(row.createdAt),
    notice: text("notice"),
  };
}

export class AlertRepository {
  private readonly table: TableClient;

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.alerts);
  }

  /**
   * Claims the right to raise `code` about `subject` now: false when the same alert was raised
   * within the window (the repeat is counted on the dedupe row instead).
   */
  async claim(subject: string, code: AlertCode, now: number, windowMs: number): Promise<boolean> {
    const partitionKey = `d|${subject}`;
    try {
      const row = await this.table.getEntity<{ lastRaisedAt: number; repeats?: number }>(partitionKey, code);
      if (now - Number(row.lastRaisedAt) < windowMs) {
        await this.table.updateEntity({ partitionKey, rowKey: code, repeats: Number(row.repeats ?? 0) + 1 }, "Merge", { etag: row.etag }).catch(() => undefined);
        return false;
      }
      await this.table.updateEntity({ partitionKey, rowKey: code, lastRaisedAt: now, repeats: 0 }, "Replace", { etag: row.etag });
      return true;
    } catch (error) {
      if (hasStatus(error, 412)) return false;
      if (!hasStatus(error, 404)) throw error;
      try {
        await this.table.createEntity({ partitionKey, rowKey: code, lastRaisedAt: now, repeats: 0 });
        return true;
      } catch (createError) {
        if (hasStatus(createError, 409)) return false;
        throw createError;
      }
    }
  }

  async add(alert: Omit<AlertRecord, "id"> & { id?: string }): Promise<AlertRecord> {
    const record: AlertRecord = { ...alert, id: alert.id ?? randomUUID() };
    const partitions = [overall];
    if (record.mailboxId) partitions.push(mailboxPartition(record.mailboxId));
    if (record.profileId) partitions.push(profilePartition(record.profileId));
    const properties = Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
    await Promise.all(partitions.map((partitionKey) => this.table.upsertEntity({ partitionKey, rowKey: rowKey(record.createdAt, record.id), ...properties }, "Replace")));
    return record;
  }

  async setNotice(alert: AlertRecord, notice: string): Promise<void> {
    const partitions = [overall, ...(alert.mailboxId ? [mailboxPartition(alert.mailboxId)] : []), ...(alert.profileId ? [profilePartition(alert.profileId)] : [])];
    await Promise.all(partitions.map((partitionKey) => this.table.updateEntity({ partitionKey, rowKey: rowKey(alert.createdAt, alert.id), notice }, "Merge")));
  }

  /** Newest first, filtered by mailbox, profile and level. */
  async list(options: { mailboxId?: string; profileId?: string; level?: AlertLevel; pageSize: number; continuationToken?: string }): Promise<{ items: AlertRecord[]; continuationToken?: string }> {
    const partition = options.mailboxId ? mailboxPartition(options.mailboxId) : options.profileId ? profilePartition(options.profileId) : overall;
    const clauses = [`PartitionKey eq '${partition.replace(/'/g, "''")}'`];
    if (options.mailboxId && options.profileId) clauses.push(`profileId eq '${options.profileId.replace(/'/g, "''")}'`);
    if (options.level) clauses.push(`level eq '${options.level}'`);
    const iterator = this.table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: clauses.join(" and ") } })
      .byPage({ maxPageSize: options.pageSize, continuationToken: options.continuationToken });
    const next = await iterator.next();
    if (next.done) return { items: [] };
    return { items: next.value.map(fromRow), continuationToken: next.value.continuationToken };
  }
}
