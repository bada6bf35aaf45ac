/**
 * One Exchange mailbox ↔ one mailbox record. The index maps an email address to the mailbox that
 * holds it; mapping a held address needs an explicit override, which hands the address over and
 * tells the caller which mailbox lost it (so it can be disabled).
 */
import { createHash } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import { normaliseAddress } from "../domain/party-records.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

export class AddressConflict extends Error {
  constructor(
    readonly address: string,
    readonly heldBy: string,
  ) {
    super(`The email address ${address} is already mapped to mailbox ${heldBy}.`);
    this.name = "AddressConflict";
  }
}

/** The partition of an address: hashed, so any address makes a valid key; the address book shares it. */
export const addressKey = (address: string) => createHash("sha256").update(normaliseAddress(address)).digest("base64url");

export class MailboxAddressIndex {
  private readonly table: TableClient;

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.mailboxAddresses);
  }

  async holder(address: string): Promise<string | undefined> {
    try {
      const row = await this.table.getEntity<{ mailboxId: string }>(addressKey(address), "mailbox");
      return row.mailboxId;
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /**
   * Maps the address to the mailbox. Returns the mailbox that held it before when `force` took it
   * over; throws AddressConflict when another mailbox holds it and `force` is not set.
   */
  async claim(address: string, mailboxId: string, force: boolean): Promise<string | undefined> {
    const partitionKey = addressKey(address);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.table.createEntity({ partitionKey, rowKey: "mailbox", mailboxId, address: address.toLowerCase() });
        return undefined;
      } catch (error) {
        if (!hasStatus(error, 409)) throw error;
      }
      let row: { mailboxId: string; etag: string };
      try {
        row = await this.table.getEntity<{ mailboxId: string }>(partitionKey, "mailbox");
      } catch (error) {
        if (hasStatus(error, 404)) continue;
        throw error;
      }
      if (row.mailboxId === mailboxId) return undefined;
      if (!force) throw new AddressConflict(address, row.mailboxId);
      try {
        await this.table.updateEntity({ partitionKey, rowKey: "mailbox", mailboxId, address: address.toLowerCase() }, "Replace", { etag: row.etag });
        return row.mailboxId;
      } catch (error) {
        if (!hasStatus(error, 412)) throw error;
      }
    }
    throw new Error(`The address index for ${address} kept changing; try again.`);
  }

  /** Frees the address if this mailbox still holds it. */
  async release(address: string, mailboxId: string): Promise<void> {
    const partitionKey = addressKey(address);
    try {
      const row = await this.table.getEntity<{ mailboxId: string }>(partitionKey, "mailbox");
      if (row.mailboxId === mailboxId) await this.table.deleteEntity(partitionKey, "mailbox", { etag: row.etag });
    } catch (error) {
      if (!hasStatus(error, 404) && !hasStatus(error, 412)) throw error;
    }
  }
}
