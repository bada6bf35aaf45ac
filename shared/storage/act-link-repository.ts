/**
 * Links between a CRM record and an Exchange item, per mailbox, with the record as it was last
 * synced (the snapshot the conflict rule compares both sides with). One partition per mailbox: a
 * cycle reads all of a type's links in one query. A reverse row finds the link by Exchange id.
 *
 * When a linked item is deleted in Exchange and the CRM keeps its record (domain/act-deletion.ts),
 * the link's row becomes a deletion mark: the record's version at that moment and no Exchange id.
 * Mark and link share the row, so a record has one or the other, never both, whatever crashes.
 */
import { createHash } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import type { ActRecordType } from "../domain/act-records.js";
import { loadTextField, storeTextFields, type LargeTextStore } from "./large-text-store.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

export interface ActLink {
  mailboxId: string;
  type: ActRecordType;
  recordId: string;
  exchangeId: string;
  /** The fields as both sides held them after the last sync. */
  snapshot: object;
  /** CRM record version synced last. */
  crmVersion: number;
  /** Exchange lastModifiedDateTime synced last. */
  exchangeModifiedAt?: string;
  syncedAt: string;
}

/** A type's links of one mailbox, and its records deleted in Exchange (record id → version then). */
export interface ActLinkState {
  links: Map<string, ActLink>;
  deletedInExchange: Map<string, number>;
}

const forward = (type: ActRecordType, recordId: string) => `${type}|${recordId}`;
const reverse = (type: ActRecordType, exchangeId: string) => `x|${type}|${createHash("sha256").update(exchangeId).digest("base64url")}`;

export class ActLinkRepository {
  private readonly table: TableClient;

  constructor(
    storage: StorageAccount,
    private readonly largeText: LargeTextStore,
  ) {
    this.table = storage.table(tableNames.actLinks);
  }

  async forType(mailboxId: string, type: ActRecordType): Promise<Map<string, ActLink>> {
    return (await this.stateOf(mailboxId, type)).links;
  }

  async stateOf(mailboxId: string, type: ActRecordType): Promise<ActLinkState> {
    const links = new Map<string, ActLink>();
    const deletedInExchange = new Map<string, number>();
    const filter = `PartitionKey eq '${mailboxId.replace(/'/g, "''")}' and RowKey ge '${type}|' and RowKey lt '${type}}'`;
    for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      if (row.deletedInExchangeAt) {
        deletedInExchange.set(String(row.recordId), Number(row.crmVersion));
        continue;
      }
      links.set(String(row.recordId), {
        mailboxId,
        type,
        recordId: String(row.recordId),
        exchangeId: String(row.exchangeId),
        snapshot: JSON.parse(await loadTextField(this.largeText, row, "snapshot")),
        crmVersion: Number(row.crmVersion),
        exchangeModifiedAt: (row.exchangeModifiedAt as string) || undefined,
        syncedAt: String(row.syncedAt),
      });
    }
    return { links, deletedInExchange };
  }

  async recordIdFor(mailboxId: string, type: ActRecordType, exchangeId: string): Promise<string | undefined> {
    try {
      return (await this.table.getEntity<{ recordId: string }>(mailboxId, reverse(type, exchangeId))).recordId;
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** Writes the link and its reverse row together (one partition, one transaction). */
  async put(link: ActLink): Promise<void> {
    // A long appointment body can outgrow a table property: the snapshot then lives in a blob.
    const snapshot = await storeTextFields(this.largeText, `actlinks/${link.mailboxId}/${link.type}/${link.recordId}`, { snapshot: JSON.stringify(link.snapshot) });
    await this.table.submitTransaction([
      [
        "upsert",
        {
          partitionKey: link.mailboxId,
          rowKey: forward(link.type, link.recordId),
          recordId: link.recordId,
          exchangeId: link.exchangeId,
          snapshot: "",
          snapshotBlob: "",
          ...snapshot,
          crmVersion: link.crmVersion,
          exchangeModifiedAt: link.exchangeModifiedAt ?? "",
          syncedAt: link.syncedAt,
        },
        "Replace",
      ],
      ["upsert", { partitionKey: link.mailboxId, rowKey: reverse(link.type, link.exchangeId), recordId: link.recordId }, "Replace"],
    ]);
  }

  /**
   * The linked item was deleted in Exchange and the CRM keeps the record at `crmVersion`: the link
   * becomes a deletion mark in one write (a retry writes the same mark again).
   */
  async markDeletedInExchange(link: ActLink, crmVersion: number, at: string): Promise<void> {
    await this.table.upsertEntity(
      { partitionKey: link.mailboxId, rowKey: forward(link.type, link.recordId), recordId: link.recordId, exchangeId: "", crmVersion, deletedInExchangeAt: at },
      "Replace",
    );
    await this.removeRow(link.mailboxId, reverse(link.type, link.exchangeId));
  }

  /** Drops a deletion mark (its record is gone, or changed and no longer syncs). */
  async forgetDeletion(mailboxId: string, type: ActRecordType, recordId: string): Promise<void> {
    await this.removeRow(mailboxId, forward(type, recordId));
  }

  async remove(link: Pick<ActLink, "mailboxId" | "type" | "recordId" | "exchangeId">): Promise<void> {
    for (const rowKey of [forward(link.type, link.recordId), reverse(link.type, link.exchangeId)]) await this.removeRow(link.mailboxId, rowKey);
  }

  private async removeRow(mailboxId: string, rowKey: string): Promise<void> {
    await this.table.deleteEntity(mailboxId, rowKey).catch((error: unknown) => {
      if (!hasStatus(error, 404)) throw error;
    });
  }
}
