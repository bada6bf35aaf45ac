/**
 * Links between a CRM record and an Exchange item, per mailbox, with the record as it was last
 * synced (the snapshot the conflict rule compares both sides with). One partition per mailbox: a
 * cycle reads all of a type's links in one query. A reverse row finds the link by Exchange id.
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
    const links = new Map<string, ActLink>();
    const filter = `PartitionKey eq '${mailboxId.replace(/'/g, "''")}' and RowKey ge '${type}|' and RowKey lt '${type}}'`;
    for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
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
    return links;
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

  async remove(link: Pick<ActLink, "mailboxId" | "type" | "recordId" | "exchangeId">): Promise<void> {
    for (const rowKey of [forward(link.type, link.recordId), reverse(link.type, link.exchangeId)]) {
      await this.table.deleteEntity(link.mailboxId, rowKey).catch((error: unknown) => {
        if (!hasStatus(error, 404)) throw error;
      });
    }
  }
}
