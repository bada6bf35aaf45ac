/**
 * The claims index: one Exchange mailbox (by address) ↔ one mailbox record ↔ one CRM owner. Each
 * claim is one row, keyed by a hash of the claim (domain/mailbox-claims.ts), that names the mailbox
 * record holding it. Claims are atomic: a free claim is taken with an insert (two concurrent claims
 * of it cannot both succeed) and a forced takeover replaces the row only at the ETag it was read at.
 */
import { createHash } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import { claimKey, type MailboxClaim } from "../domain/mailbox-claims.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

export class ClaimConflict extends Error {
  constructor(
    readonly claim: MailboxClaim,
    readonly heldBy: string,
  ) {
    super(`${claim.kind === "address" ? "The email address" : "The owner"} is already mapped to mailbox ${heldBy}.`);
    this.name = "ClaimConflict";
  }
}

/** Address claims keep the row key they had before owners were indexed, so existing rows still count. */
const rowKeyOf = (claim: MailboxClaim) => (claim.kind === "address" ? "mailbox" : "owner");
const partitionOf = (claim: MailboxClaim) => createHash("sha256").update(claimKey(claim)).digest("base64url");
/** The partition of an address's claim; the address book keeps its rows for the address in the same partition. */
export const addressKey = (address: string) => partitionOf({ kind: "address", address });
const rowOf = (claim: MailboxClaim, mailboxId: string) => ({ partitionKey: partitionOf(claim), rowKey: rowKeyOf(claim), mailboxId, ...(claim.kind === "address" ? { address: claimKey(claim) } : {}) });

export class MailboxIndex {
  private readonly table: TableClient;

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.mailboxAddresses);
  }

  async holder(claim: MailboxClaim): Promise<string | undefined> {
    try {
      const row = await this.table.getEntity<{ mailboxId: string }>(partitionOf(claim), rowKeyOf(claim));
      return row.mailboxId;
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /**
   * Gives the claim to the mailbox: `taken` when it was not the mailbox's before, `displaced` the
   * mailbox `force` took it from. Throws ClaimConflict when another mailbox holds it without `force`.
   * `beforeTakeover` runs before a forced takeover moves the claim (and again if it is retried), so
   * what it marks on the holder cannot be lost to a crash between the takeover and what follows it.
   */
  async claim(claim: MailboxClaim, mailboxId: string, force: boolean, beforeTakeover?: (heldBy: string) => Promise<void>): Promise<{ taken: boolean; displaced?: string }> {
    const row = rowOf(claim, mailboxId);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.table.createEntity(row);
        return { taken: true };
      } catch (error) {
        if (!hasStatus(error, 409)) throw error;
      }
      let held: { mailboxId: string; etag: string };
      try {
        held = await this.table.getEntity<{ mailboxId: string }>(row.partitionKey, row.rowKey);
      } catch (error) {
        if (hasStatus(error, 404)) continue;
        throw error;
      }
      if (held.mailboxId === mailboxId) return { taken: false };
      if (!force) throw new ClaimConflict(claim, held.mailboxId);
      await beforeTakeover?.(held.mailboxId);
      try {
        await this.table.updateEntity(row, "Replace", { etag: held.etag });
        return { taken: true, displaced: held.mailboxId };
      } catch (error) {
        if (!hasStatus(error, 412) && !hasStatus(error, 404)) throw error;
      }
    }
    throw new Error("The mailbox index kept changing while it was claimed; try again.");
  }

  /** Frees the claim if this mailbox still holds it (at the ETag it was read at). */
  async release(claim: MailboxClaim, mailboxId: string): Promise<void> {
    try {
      const held = await this.table.getEntity<{ mailboxId: string }>(partitionOf(claim), rowKeyOf(claim));
      if (held.mailboxId === mailboxId) await this.table.deleteEntity(partitionOf(claim), rowKeyOf(claim), { etag: held.etag });
    } catch (error) {
      if (!hasStatus(error, 404) && !hasStatus(error, 412)) throw error;
    }
  }
}
