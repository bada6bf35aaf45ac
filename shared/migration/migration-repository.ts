/**
 * Migrations in storage. The row (table `migrations`) holds what changes — status, the document
 * version, wave progress — and is updated at its ETag; the document (what was uploaded, as read, and
 * the admin's choices) is a blob per version, written before the row points at it, so a crash leaves
 * either the old or the new version whole. The step log (table `migrationsteps`, one partition per
 * migration) records each step of apply and each mailbox's Test & Enable per wave, created once.
 */
import { randomUUID } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import type { Exclusions, UploadedRouter } from "../domain/migration/plan.js";
import type { Wave, WaveSettings } from "../domain/migration/waves.js";
import type { LargeTextStore } from "../storage/large-text-store.js";
import { hasStatus, type StorageAccount } from "../storage/storage-account.js";

export type MigrationStatus = "Planned" | "Applying" | "Applied" | "Enabling" | "Completed";

export interface MigrationDocument {
  routers: UploadedRouter[];
  /** What the claims index said about each address and owner when the files were uploaded. */
  index: { addressHolders: [string, string][]; ownerHolders: [string, string][] };
  exclusions: Exclusions;
  waves: WaveSettings & { enabled: boolean };
  /** The admin approves every migrated mailbox at start (as POST /api/mailboxes/{id}/approve would). */
  approveMailboxes: boolean;
  /** Fixed at start. */
  processEmailsFrom?: string;
  schedule?: Wave[];
}

export interface MigrationRow {
  id: string;
  status: MigrationStatus;
  version: number;
  /** The blob the current document version is in (empty for rows written before writes were named). */
  documentWrite?: string;
  createdAt: string;
  startedAt?: string;
  nextWave: number;
  nextWaveAt: number | null;
  waveLeaseUntil: number;
  etag: string;
}

export interface StepRecord {
  key: string;
  outcome: string;
  detail?: string;
  at: string;
}

export class MigrationConflict extends Error {}

const partition = "migration";
/**
 * Each write of a document goes to a blob of its own (the version and a random write id): a writer
 * that loses the row's ETag race has written only its own blob, never the winner's.
 */
const documentBlob = (id: string, version: number, write?: string) => `migrations/${id}/document-${version}${write ? `-${write}` : ""}.json`;

function fromRow(row: Record<string, unknown> & { etag: string }): MigrationRow {
  return {
    id: String(row.rowKey),
    status: String(row.status) as MigrationStatus,
    version: Number(row.version),
    documentWrite: (row.documentWrite as string) || undefined,
    createdAt: String(row.createdAt),
    startedAt: (row.startedAt as string) || undefined,
    nextWave: Number(row.nextWave ?? 0),
    nextWaveAt: typeof row.nextWaveAt === "number" && row.nextWaveAt >= 0 ? row.nextWaveAt : null,
    waveLeaseUntil: Number(row.waveLeaseUntil ?? 0),
    etag: row.etag,
  };
}

function toEntity(row: Omit<MigrationRow, "etag">) {
  return {
    partitionKey: partition,
    rowKey: row.id,
    status: row.status,
    version: row.version,
    documentWrite: row.documentWrite ?? "",
    createdAt: row.createdAt,
    startedAt: row.startedAt ?? "",
    nextWave: row.nextWave,
    // -1 for none (a table property cannot hold null).
    nextWaveAt: row.nextWaveAt ?? -1,
    waveLeaseUntil: row.waveLeaseUntil,
  };
}

export class MigrationRepository {
  private readonly table: TableClient;
  private readonly steps: TableClient;

  constructor(
    storage: StorageAccount,
    private readonly documents: LargeTextStore,
  ) {
    this.table = storage.table(tableNames.migrations);
    this.steps = storage.table(tableNames.migrationSteps);
  }

  /** Stores a new migration: its document first, then the row that makes it visible. */
  async create(id: string, document: MigrationDocument, createdAt: string): Promise<MigrationRow> {
    await this.documents.put(documentBlob(id, 1), JSON.stringify(document));
    const row = { id, status: "Planned" as const, version: 1, createdAt, nextWave: 0, nextWaveAt: null, waveLeaseUntil: 0 };
    await this.table.createEntity(toEntity(row));
    return (await this.get(id))!;
  }

  async get(id: string): Promise<MigrationRow | undefined> {
    try {
      return fromRow(await this.table.getEntity<Record<string, unknown>>(partition, id));
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async document(row: MigrationRow): Promise<MigrationDocument> {
    return JSON.parse(await this.documents.get(documentBlob(row.id, row.version, row.documentWrite))) as MigrationDocument;
  }

  /** Replaces the row at the ETag it was read at (MigrationConflict when it changed meanwhile), with a new document version when given. */
  async update(row: MigrationRow, changes: Partial<Omit<MigrationRow, "id" | "etag" | "version">>, document?: MigrationDocument): Promise<MigrationRow> {
    const version = document ? row.version + 1 : row.version;
    const documentWrite = document ? randomUUID() : row.documentWrite;
    if (document) await this.documents.put(documentBlob(row.id, version, documentWrite), JSON.stringify(document));
    try {
      await this.table.updateEntity(toEntity({ ...row, ...changes, version, documentWrite }), "Replace", { etag: row.etag });
    } catch (error) {
      if (hasStatus(error, 412)) throw new MigrationConflict(`Migration '${row.id}' changed meanwhile.`);
      throw error;
    }
    return (await this.get(row.id))!;
  }

  async listPage(options: { pageSize: number; continuationToken?: string }): Promise<{ items: MigrationRow[]; continuationToken?: string }> {
    const next = await this.table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq '${partition}'` } })
      .byPage({ maxPageSize: options.pageSize, continuationToken: options.continuationToken })
      .next();
    if (next.done) return { items: [] };
    return { items: next.value.map((row) => fromRow(row as Record<string, unknown> & { etag: string })), continuationToken: next.value.continuationToken };
  }

  /** Migrations whose next wave is due at `now` (those enabling are read: a handful at most). */
  async dueForWave(now: number): Promise<MigrationRow[]> {
    const rows: MigrationRow[] = [];
    const filter = `PartitionKey eq '${partition}' and status eq 'Enabling'`;
    for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const migration = fromRow(row as Record<string, unknown> & { etag: string });
      if (migration.nextWaveAt !== null && migration.nextWaveAt <= now) rows.push(migration);
    }
    return rows;
  }

  async step(id: string, key: string): Promise<StepRecord | undefined> {
    try {
      const row = await this.steps.getEntity<Record<string, unknown>>(id, key);
      return { key, outcome: String(row.outcome), detail: (row.detail as string) || undefined, at: String(row.at) };
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** Records a step once: a step recorded before (a retry after a crash) keeps its first record. */
  async recordStep(id: string, step: StepRecord): Promise<void> {
    try {
      await this.steps.createEntity({ partitionKey: id, rowKey: step.key, outcome: step.outcome, detail: (step.detail ?? "").slice(0, 2000), at: step.at });
    } catch (error) {
      if (!hasStatus(error, 409)) throw error;
    }
  }

  /** Every step whose key starts with `prefix`, in key order. */
  async listSteps(id: string, prefix: string): Promise<StepRecord[]> {
    const steps: StepRecord[] = [];
    const filter = `PartitionKey eq '${id}' and RowKey ge '${prefix}' and RowKey lt '${prefix}~'`;
    for await (const row of this.steps.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      steps.push({ key: String(row.rowKey), outcome: String(row.outcome), detail: (row.detail as string) || undefined, at: String(row.at) });
    }
    return steps;
  }
}
