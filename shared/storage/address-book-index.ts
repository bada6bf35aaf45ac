/**
 * The address book's index: for each email address, the records that hold it. It shares the
 * mailbox address table and its partition per address, so one partition read answers both the
 * mailbox (CRM user or queue) that owns an address and every record that holds it.
 *
 * Rows: `mailbox` (the address claim, written by MailboxIndex) and `record|<type>|<id>` per record. A write of
 * an email-enabled record first marks the rows of every address it touches (old and new) pending
 * with the version it writes, then writes the record, then settles the rows: confirms the
 * addresses the record now holds, deletes the others, each conditional on the row being as it
 * marked it (a later writer's mark wins). Readers trust confirmed rows and check pending ones
 * against the record (address-book-rows.ts), repairing them, so a crash at any step heals.
 */
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import type { CrmRecord } from "../domain/act-records.js";
import { isActiveRecord, recordAddresses, recordDisplayName, type EmailEnabledTypeDeclaration, type PartyRecordRef } from "../domain/party-records.js";
import type { EmailEnabledTypeRepository } from "./email-enabled-type-repository.js";
import { addressKey } from "./mailbox-index.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

/** One write of a record, as the record repository tells it; `after` undefined is a delete. */
export interface AddressChange {
  type: string;
  id: string;
  version: number;
  before(): Promise<CrmRecord | undefined>;
  after: CrmRecord | undefined;
}

export interface StagedAddresses {
  /** After the record was written: confirm what it holds, drop what it no longer holds. */
  settle(): Promise<void>;
}

/** What the record repository calls around each write. */
export interface RecordAddressIndex {
  stage(change: AddressChange): Promise<StagedAddresses | undefined>;
}

export interface IndexedRecordRow {
  address: string;
  ref: PartyRecordRef;
  state: "pending" | "confirmed";
  version: number;
  stagedAt: number;
  etag: string;
}

/** The types whose addresses are indexed without a declaration (users and queues are mailboxes). */
const indexedBuiltInTypes = ["contact", "account", "lead"];
/** Record types that are built in but never email-enabled: no declaration lookup for them. */
const otherBuiltInTypes = ["appointment", "task"];
const recordRowKey = (type: string, id: string) => `record|${type}|${encodeURIComponent(id)}`;
const ignoring = async (statuses: number[], call: Promise<unknown>) => {
  try {
    await call;
  } catch (error) {
    if (!statuses.some((status) => hasStatus(error, status))) throw error;
  }
};

/** The index row's view of a record: enough to show it on an activity without reading the record. */
export function partyRef(record: CrmRecord, declaration?: EmailEnabledTypeDeclaration): PartyRecordRef {
  return { type: record.type, id: record.id, name: recordDisplayName(record.type, record.fields, declaration), ownerId: record.ownerId, active: isActiveRecord(record.type, record.fields) };
}

export class AddressBookIndex implements RecordAddressIndex {
  private readonly table: TableClient;

  constructor(
    storage: StorageAccount,
    private readonly declaredTypes: EmailEnabledTypeRepository,
    private readonly now: () => number,
  ) {
    this.table = storage.table(tableNames.mailboxAddresses);
  }

  /** The declaration an indexed type needs (none for the built-in ones); null when the type is not email-enabled. */
  async declarationOf(type: string, options: { fresh?: boolean } = {}): Promise<EmailEnabledTypeDeclaration | undefined | null> {
    if (indexedBuiltInTypes.includes(type)) return undefined;
    if (otherBuiltInTypes.includes(type)) return null;
    return (await this.declaredTypes.find(type, options)) ?? null;
  }

  async stage(change: AddressChange): Promise<StagedAddresses | undefined> {
    const declaration = await this.declarationOf(change.type, { fresh: true });
    if (declaration === null) return undefined;
    const before = await change.before();
    const held = before ? recordAddresses(before.type, before.fields, declaration) : [];
    const holds = change.after ? recordAddresses(change.type, change.after.fields, declaration) : [];
    const ref = change.after ? partyRef(change.after, declaration) : undefined;
    // Every write marks all its addresses, changed or not: that also indexes records older than the index.
    const touched = [...new Set([...held, ...holds])];
    if (touched.length === 0) return undefined;
    const stagedAt = this.now();
    const marks = await Promise.all(
      touched.map(async (address) => {
        const row = { partitionKey: addressKey(address), rowKey: recordRowKey(change.type, change.id), address, type: change.type, recordId: change.id, state: "pending", version: change.version, stagedAt, ...(ref ? { name: ref.name, ownerId: ref.ownerId ?? "", active: ref.active } : {}) };
        const written = await this.table.upsertEntity(row, "Replace");
        return { address, row, etag: written.etag ?? "" };
      }),
    );
    return {
      settle: async () => {
        await Promise.all(
          marks.map(({ address, row, etag }) =>
            // 412: another write marked the row since; its settle (or a reader) decides the row now.
            holds.includes(address)
              ? ignoring([404, 412], this.table.updateEntity({ partitionKey: row.partitionKey, rowKey: row.rowKey, state: "confirmed" }, "Merge", { etag }))
              : ignoring([404, 412], this.table.deleteEntity(row.partitionKey, row.rowKey, { etag })),
          ),
        );
      },
    };
  }

  /** One partition read: the mailbox that holds the address (if any) and every record row. */
  async rowsOf(address: string): Promise<{ mailboxId?: string; records: IndexedRecordRow[] }> {
    const filter = `PartitionKey eq '${addressKey(address)}'`;
    let mailboxId: string | undefined;
    const records: IndexedRecordRow[] = [];
    for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      if (row.rowKey === "mailbox") mailboxId = String(row.mailboxId);
      else if (String(row.rowKey).startsWith("record|")) {
        records.push({
          address,
          ref: { type: String(row.type), id: String(row.recordId), name: String(row.name ?? ""), ownerId: row.ownerId ? String(row.ownerId) : undefined, active: row.active !== false },
          state: row.state === "confirmed" ? "confirmed" : "pending",
          version: Number(row.version),
          stagedAt: Number(row.stagedAt),
          etag: String(row.etag),
        });
      }
    }
    return { mailboxId, records };
  }

  /** A reader's repair of a pending row, conditional on the row being as it read it. */
  async repair(row: IndexedRecordRow, action: "confirm" | "drop", ref?: PartyRecordRef): Promise<void> {
    const keys = { partitionKey: addressKey(row.address), rowKey: recordRowKey(row.ref.type, row.ref.id) };
    if (action === "drop") return ignoring([404, 412], this.table.deleteEntity(keys.partitionKey, keys.rowKey, { etag: row.etag }));
    const shown = ref ? { name: ref.name, ownerId: ref.ownerId ?? "", active: ref.active } : {};
    return ignoring([404, 412], this.table.updateEntity({ ...keys, state: "confirmed", ...shown }, "Merge", { etag: row.etag }));
  }
}
