/**
 * The numbers in tracking tokens (`trackingnumbers`): each mailbox owner's user number — small,
 * allocated once, never changed — and the owner's counter, incremented per send.
 *
 * Rows: `owner|<ownerId>` holds { userNumber, counter }; `allocator|userNumber` holds the last
 * number handed out. Every write is etag-conditional or create-only, so concurrent senders never
 * share a counter value and an owner never gets two user numbers. A race for a new owner's number
 * may skip a number (the loser's allocation), which is harmless.
 */
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

const ownerPartition = "owner";
const allocatorKey = { partitionKey: "allocator", rowKey: "userNumber" };
const maxAttempts = 20;

/** Keys may not hold / \ # ? or control characters. */
const ownerKey = (ownerId: string) => ({ partitionKey: ownerPartition, rowKey: encodeURIComponent(ownerId) });

export interface TrackingNumbers {
  userNumber: number;
  counter: number;
}

export class TrackingNumberRepository {
  private readonly table: TableClient;

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.trackingNumbers);
  }

  /** The owner's user number, allocated on first use (numbers start at 1). */
  async userNumber(ownerId: string): Promise<number> {
    return (await this.ownerRow(ownerId)).userNumber;
  }

  /** The owner's user number and next counter value (1, 2, …; the token wraps it to its digits). */
  async next(ownerId: string): Promise<TrackingNumbers> {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const row = await this.ownerRow(ownerId);
      const counter = row.counter + 1;
      try {
        await this.table.updateEntity({ ...ownerKey(ownerId), userNumber: row.userNumber, counter }, "Replace", { etag: row.etag });
        return { userNumber: row.userNumber, counter };
      } catch (error) {
        if (!hasStatus(error, 412)) throw error;
      }
    }
    throw new Error("The tracking counter is too contended; try again.");
  }

  private async ownerRow(ownerId: string): Promise<TrackingNumbers & { etag: string }> {
    const existing = await this.readOwner(ownerId);
    if (existing) return existing;
    const userNumber = await this.allocate();
    try {
      const created = await this.table.createEntity({ ...ownerKey(ownerId), userNumber, counter: 0 });
      return { userNumber, counter: 0, etag: created.etag ?? "*" };
    } catch (error) {
      if (!hasStatus(error, 409)) throw error;
      // Another sender allocated the owner's number first: that one stands.
      return (await this.readOwner(ownerId))!;
    }
  }

  private async readOwner(ownerId: string): Promise<(TrackingNumbers & { etag: string }) | undefined> {
    const key = ownerKey(ownerId);
    try {
      const row = await this.table.getEntity<{ userNumber: number; counter: number }>(key.partitionKey, key.rowKey);
      return { userNumber: Number(row.userNumber), counter: Number(row.counter), etag: row.etag };
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  private async allocate(): Promise<number> {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      try {
        const row = await this.table.getEntity<{ last: number }>(allocatorKey.partitionKey, allocatorKey.rowKey);
        const next = Number(row.last) + 1;
        await this.table.updateEntity({ ...allocatorKey, last: next }, "Replace", { etag: row.etag });
        return next;
      } catch (error) {
        if (hasStatus(error, 404)) {
          try {
            await this.table.createEntity({ ...allocatorKey, last: 1 });
            return 1;
          } catch (createError) {
            if (!hasStatus(createError, 409)) throw createError;
          }
        } else if (!hasStatus(error, 412)) {
          throw error;
        }
      }
    }
    throw new Error("The tracking user-number allocator is too contended; try again.");
  }
}
