/**
 * The CRM's records in Table Storage (`actrecords`): appointments, contacts and tasks (the ACT
 * engine syncs them), accounts and leads, and records of the email-enabled types an organization
 * declares. One repository for all of them: the types differ only in their fields.
 *
 * A record lives in its owner's partition, `<type>|<owner>`, so the ACT engine reads all of a
 * mailbox owner's records of a type with one partition query per cycle. An index row per id,
 * partition `id|<type>|<id>`, names the owner that holds it, so a read by id is two point reads.
 *
 * Changing the owner moves the row between partitions, which Table Storage cannot do in one
 * transaction. The move marks the old row (`movingTo`, etag-conditional: that is the concurrency
 * check), writes the new row (`movedFrom`), repoints the index, deletes the old row and clears the
 * mark. Whoever next meets a marked row (get, list, update, remove) finishes the move when the new
 * row was written and ignores the mark when it was not, so a crash at any step leaves neither a
 * duplicate nor a lost record.
 *
 * The field JSON and the body go through the large-text store (blobs named per write, so a write
 * that loses a race never overwrites the winner's text): nothing is truncated.
 *
 * Every write tells the address book (when given one) before and after it writes the record, so the
 * addresses of email-enabled records resolve to them: see address-book-index.ts.
 */
import { randomUUID } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import type { ContainerClient } from "@azure/storage-blob";
import { blobContainers, tableNames } from "../config/names.js";
import type { ActFieldsByType, CrmRecord } from "../domain/act-records.js";
import type { RecordAddressIndex } from "./address-book-index.js";
import { loadTextField, storeTextFields, type LargeTextStore } from "./large-text-store.js";
import { ConcurrencyConflict } from "./mailbox-repository.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

/** Record types and their fields: the ACT types, the party types, or declared types (free JSON). */
type FieldsMap = object;
type TypeOf<M extends FieldsMap> = keyof M & string;
type RecordOf<M extends FieldsMap, T extends TypeOf<M>> = CrmRecord<T, M[T]>;

export interface StoredRecord<M extends FieldsMap, T extends TypeOf<M> = TypeOf<M>> {
  record: RecordOf<M, T>;
  etag: string;
}
export type StoredActRecord<T extends TypeOf<ActFieldsByType> = TypeOf<ActFieldsByType>> = StoredRecord<ActFieldsByType, T>;

/** The record changed (or was deleted) since it was read: read it again and decide again. */
export class ActRecordConflict extends ConcurrencyConflict {
  constructor(type: string, id: string) {
    super(id);
    this.name = "ActRecordConflict";
    this.message = `The ${type} ${id} changed while it was being written.`;
  }
}

type Row = Record<string, unknown> & { partitionKey: string; rowKey: string };
type ReadRow = Row & { etag: string };

const indexRowKey = "owner";
/** Keys may not hold / \ # ? or control characters; percent-encoding keeps any id safe and `|` unambiguous. */
const key = (value: string) => encodeURIComponent(value);
const ownerPartition = (type: string, ownerId: string) => `${type}|${key(ownerId)}`;
const indexPartition = (type: string, id: string) => `id|${type}|${key(id)}`;
const text = (row: Record<string, unknown>, name: string) => (typeof row[name] === "string" ? (row[name] as string) : "");
const isMarked = (row: Record<string, unknown>) => text(row, "movingTo") !== "" || text(row, "movedFrom") !== "";
/** Concurrent writers settle within a few rounds; more means something keeps rewriting the record. */
const maxAttempts = 5;

/** A call that may lose to a concurrent writer: the listed statuses answer undefined instead of throwing. */
async function unlessStatus<T>(statuses: number[], call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (statuses.some((status) => hasStatus(error, status))) return undefined;
    throw error;
  }
}

export class CrmRecordRepository<M extends FieldsMap> {
  private readonly table: TableClient;
  private readonly blobs: ContainerClient;

  constructor(
    storage: StorageAccount,
    private readonly largeText: LargeTextStore,
    private readonly now: () => number,
    private readonly addressIndex?: RecordAddressIndex,
  ) {
    this.table = storage.table(tableNames.actRecords);
    this.blobs = storage.container(blobContainers.largeText);
  }

  async get<T extends TypeOf<M>>(type: T, id: string): Promise<StoredRecord<M, T> | undefined> {
    const row = await this.locate(type, id);
    return row ? this.stored<T>(row) : undefined;
  }

  /** Every record of the owner and type (the engine's one query per cycle), in id order. */
  async listForOwner<T extends TypeOf<M>>(type: T, ownerId: string): Promise<RecordOf<M, T>[]> {
    const records: RecordOf<M, T>[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.listPage(type, ownerId, { pageSize: 1000, continuationToken });
      records.push(...page.items);
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return records;
  }

  /** One page of the owner's records of a type, in id order (the records API's list). */
  async listPage<T extends TypeOf<M>>(type: T, ownerId: string, options: { pageSize: number; continuationToken?: string }): Promise<{ items: RecordOf<M, T>[]; continuationToken?: string }> {
    const filter = `PartitionKey eq '${ownerPartition(type, ownerId).replace(/'/g, "''")}'`;
    const pages = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } }).byPage({ maxPageSize: options.pageSize, continuationToken: options.continuationToken });
    const next = await pages.next();
    if (next.done) return { items: [] };
    const items = await Promise.all(
      next.value.map(async (row) => {
        if (!isMarked(row)) return (await this.stored<T>(row as ReadRow)).record;
        // Mid-move: the record belongs here only if it is here once the move is settled.
        const settled = await this.locate(type, text(row, "recordId"));
        return settled && text(settled, "ownerId") === ownerId ? (await this.stored<T>(settled)).record : undefined;
      }),
    );
    return { items: items.filter((item) => item !== undefined), continuationToken: next.value.continuationToken };
  }

  /**
   * Creates the record as given (version, times and all). Returns false when a record with the id
   * exists, so a retried create is harmless; a create that stopped halfway is finished.
   */
  async create(record: RecordOf<M, TypeOf<M>>): Promise<boolean> {
    const index = { partitionKey: indexPartition(record.type, record.id), rowKey: indexRowKey, ownerId: record.ownerId };
    let claimed = false;
    for (let attempt = 0; attempt < maxAttempts && !claimed; attempt++) {
      try {
        await this.table.createEntity(index);
        claimed = true;
      } catch (error) {
        if (!hasStatus(error, 409)) throw error;
        if (await this.locate(record.type, record.id)) return false;
        // The index exists without its row: an earlier create stopped before writing it.
        const existing = await this.indexOwner(record.type, record.id);
        if (existing) claimed = (await unlessStatus([404, 412], this.table.updateEntity(index, "Replace", { etag: existing.etag }))) !== undefined;
      }
    }
    if (!claimed) return false;
    const { row, blobs } = await this.toRow(record);
    const staged = await this.addressIndex?.stage({ type: record.type, id: record.id, version: record.version, before: async () => undefined, after: record });
    try {
      await this.table.createEntity(row);
      await staged?.settle();
      return true;
    } catch (error) {
      await this.deleteBlobs(blobs);
      if (hasStatus(error, 409)) return false;
      throw error;
    }
  }

  /**
   * Writes the record's owner and fields: version + 1, modifiedAt now, createdAt kept. With an etag
   * it fails with ActRecordConflict (a ConcurrencyConflict) when the record changed since that read;
   * without one the last writer wins, still one version at a time. A new owner moves the record.
   */
  async update<T extends TypeOf<M>>(record: RecordOf<M, T>, etag?: string): Promise<StoredRecord<M, T>> {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const current = await this.locate(record.type, record.id);
      if (!current || (etag !== undefined && current.etag !== etag)) throw new ActRecordConflict(record.type, record.id);
      const next: RecordOf<M, T> = {
        ...record,
        version: Number(current.version) + 1,
        createdAt: text(current, "createdAt"),
        modifiedAt: new Date(this.now()).toISOString(),
      };
      try {
        const staged = await this.addressIndex?.stage({ type: next.type, id: next.id, version: next.version, before: async () => (await this.stored(current)).record, after: next });
        const written = text(current, "ownerId") === next.ownerId ? await this.replace(current, next) : await this.move(current, next);
        await staged?.settle();
        return written;
      } catch (error) {
        if (error instanceof ActRecordConflict && etag === undefined) continue;
        throw error;
      }
    }
    throw new ActRecordConflict(record.type, record.id);
  }

  /** Deletes the record; false when there was none. With an etag, ActRecordConflict if it changed. */
  async remove(type: TypeOf<M>, id: string, etag?: string): Promise<boolean> {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const current = await this.locate(type, id);
      if (!current) return false;
      if (etag !== undefined && current.etag !== etag) throw new ActRecordConflict(type, id);
      const staged = await this.addressIndex?.stage({ type, id, version: Number(current.version) + 1, before: async () => (await this.stored(current)).record, after: undefined });
      if (!(await unlessStatus([404, 412], this.table.deleteEntity(current.partitionKey, current.rowKey, { etag: current.etag })))) {
        if (etag !== undefined) throw new ActRecordConflict(type, id);
        continue;
      }
      await unlessStatus([404], this.table.deleteEntity(indexPartition(type, id), indexRowKey));
      await this.deleteBlobs(this.blobsOf(current));
      await staged?.settle();
      return true;
    }
    throw new ActRecordConflict(type, id);
  }

  private async replace<T extends TypeOf<M>>(current: ReadRow, next: RecordOf<M, T>): Promise<StoredRecord<M, T>> {
    const { row, blobs } = await this.toRow(next);
    try {
      const result = await this.table.updateEntity(row, "Replace", { etag: current.etag });
      await this.deleteBlobs(this.blobsOf(current));
      return { record: next, etag: result.etag ?? "" };
    } catch (error) {
      await this.deleteBlobs(blobs);
      if (hasStatus(error, 412) || hasStatus(error, 404)) throw new ActRecordConflict(next.type, next.id);
      throw error;
    }
  }

  private async move<T extends TypeOf<M>>(current: ReadRow, next: RecordOf<M, T>): Promise<StoredRecord<M, T>> {
    const { type, id } = next;
    const from = text(current, "ownerId");
    let markedEtag: string;
    try {
      // The claim: only a writer holding the etag of the record it read gets to move it.
      markedEtag = (await this.table.updateEntity({ partitionKey: current.partitionKey, rowKey: current.rowKey, movingTo: next.ownerId }, "Merge", { etag: current.etag })).etag ?? "";
    } catch (error) {
      if (hasStatus(error, 412) || hasStatus(error, 404)) throw new ActRecordConflict(type, id);
      throw error;
    }
    const { row, blobs } = await this.toRow(next, { movedFrom: from });
    const written = await this.table.upsertEntity(row, "Replace");
    await this.pointIndex(type, id, next.ownerId);
    try {
      await this.table.deleteEntity(current.partitionKey, current.rowKey, { etag: markedEtag });
    } catch (error) {
      if (hasStatus(error, 412)) {
        // Someone wrote the old row after the claim (it read the record before the new row existed):
        // their write stands, this move is undone.
        await this.pointIndex(type, id, from);
        await unlessStatus([404], this.table.deleteEntity(row.partitionKey, row.rowKey));
        await this.deleteBlobs(blobs);
        throw new ActRecordConflict(type, id);
      }
      // 404: a reader met the marks and finished the move already.
      if (!hasStatus(error, 404)) throw error;
    }
    await this.deleteBlobs(this.blobsOf(current));
    const cleared = await unlessStatus([404, 412], this.table.updateEntity({ partitionKey: row.partitionKey, rowKey: row.rowKey, movedFrom: "" }, "Merge", { etag: written.etag }));
    if (cleared) return { record: next, etag: cleared.etag ?? "" };
    // Written again (or cleared by a reader) meanwhile: answer what is there now.
    const now = await this.get(type, id);
    if (!now) throw new ActRecordConflict(type, id);
    return now;
  }

  /** The record's current row, settling a move left half-done (by a crash or a concurrent writer). */
  private async locate(type: TypeOf<M>, id: string): Promise<ReadRow | undefined> {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const index = await this.indexOwner(type, id);
      if (!index) return undefined;
      const row = await this.read(ownerPartition(type, index.ownerId), key(id));
      // An index without its row: a create that has not written (or never wrote) the row yet.
      if (!row) return undefined;
      const movedFrom = text(row, "movedFrom");
      const movingTo = text(row, "movingTo");
      if (movedFrom) {
        await this.finishMove(type, id, movedFrom, row);
        continue;
      }
      if (!movingTo) return row;
      const target = await this.read(ownerPartition(type, movingTo), key(id));
      // The move never wrote its new row: the record is still here, the mark means nothing.
      if (!target || text(target, "movedFrom") !== index.ownerId) return row;
      await unlessStatus([404, 412], this.table.updateEntity({ partitionKey: indexPartition(type, id), rowKey: indexRowKey, ownerId: movingTo }, "Replace", { etag: index.etag }));
    }
    throw new Error(`The ${type} ${id} kept changing while it was read; try again.`);
  }

  /** The index points at the moved row: drop the old row if it still waits for this move, else undo it. */
  private async finishMove(type: TypeOf<M>, id: string, from: string, moved: ReadRow): Promise<void> {
    const old = await this.read(ownerPartition(type, from), key(id));
    if (old && text(old, "movingTo") !== text(moved, "ownerId")) {
      // The old row was written after the move claimed it: that write wins, as the mover decides too.
      await this.pointIndex(type, id, from);
      await unlessStatus([404, 412], this.table.deleteEntity(moved.partitionKey, moved.rowKey, { etag: moved.etag }));
      return;
    }
    if (old) {
      await unlessStatus([404, 412], this.table.deleteEntity(old.partitionKey, old.rowKey, { etag: old.etag }));
      await this.deleteBlobs(this.blobsOf(old));
    }
    await unlessStatus([404, 412], this.table.updateEntity({ partitionKey: moved.partitionKey, rowKey: moved.rowKey, movedFrom: "" }, "Merge", { etag: moved.etag }));
  }

  private async pointIndex(type: TypeOf<M>, id: string, ownerId: string): Promise<void> {
    await this.table.upsertEntity({ partitionKey: indexPartition(type, id), rowKey: indexRowKey, ownerId }, "Replace");
  }

  private async indexOwner(type: TypeOf<M>, id: string): Promise<{ ownerId: string; etag: string } | undefined> {
    const row = await this.read(indexPartition(type, id), indexRowKey);
    return row ? { ownerId: text(row, "ownerId"), etag: row.etag } : undefined;
  }

  private async read(partitionKey: string, rowKey: string): Promise<ReadRow | undefined> {
    return (await unlessStatus([404], this.table.getEntity<Record<string, unknown>>(partitionKey, rowKey))) as ReadRow | undefined;
  }

  private async toRow(record: CrmRecord, marks: { movedFrom?: string } = {}): Promise<{ row: Row; blobs: string[] }> {
    const { body, ...rest } = record.fields as unknown as Record<string, unknown> & { body?: { contentType: string; content: string } };
    const texts: Record<string, string> = { fields: JSON.stringify(rest) };
    if (body) texts.body = body.content;
    const stored = await storeTextFields(this.largeText, `act/${record.type}/${key(record.id)}/${randomUUID()}`, texts);
    const row: Row = {
      partitionKey: ownerPartition(record.type, record.ownerId),
      rowKey: key(record.id),
      type: record.type,
      recordId: record.id,
      ownerId: record.ownerId,
      version: record.version,
      createdAt: record.createdAt,
      modifiedAt: record.modifiedAt,
      ...(body ? { bodyContentType: body.contentType } : {}),
      ...stored,
      ...marks,
    };
    return { row, blobs: this.blobsOf(stored) };
  }

  private async stored<T extends TypeOf<M>>(row: ReadRow): Promise<StoredRecord<M, T>> {
    const fields = JSON.parse(await loadTextField(this.largeText, row, "fields")) as Record<string, unknown>;
    const contentType = text(row, "bodyContentType");
    if (contentType) fields.body = { contentType, content: await loadTextField(this.largeText, row, "body") };
    const record = {
      type: text(row, "type"),
      id: text(row, "recordId"),
      ownerId: text(row, "ownerId"),
      fields,
      createdAt: text(row, "createdAt"),
      modifiedAt: text(row, "modifiedAt"),
      version: Number(row.version),
    } as unknown as RecordOf<M, T>;
    return { record, etag: row.etag };
  }

  private blobsOf(row: Record<string, unknown>): string[] {
    return ["fieldsBlob", "bodyBlob"].map((name) => text(row, name)).filter((name) => name !== "");
  }

  /** Best effort: a blob left behind costs storage only, never a wrong read (names are per write). */
  private async deleteBlobs(names: string[]): Promise<void> {
    await Promise.all(names.map((name) => this.blobs.getBlockBlobClient(name).deleteIfExists().catch(() => undefined)));
  }
}

/** The ACT engine's view: appointments, contacts and tasks. */
export class ActRecordRepository extends CrmRecordRepository<ActFieldsByType> {}
