/**
 * A profile's maximum concurrent connections, held across every worker instance: the profile has
 * that many slot rows; a worker leases a slot (etag-conditional write) before it runs a mailbox
 * cycle, keeps it for reuse while its lease lasts, renews it while a cycle runs, and a crashed
 * worker's slots expire on their own. A cycle that finds no slot is postponed, not failed.
 *
 * Leases are reused across cycles, so a busy worker's cycles cost no table operation for their
 * slot; a slot idle for a few seconds is handed back.
 */
import { randomUUID } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

export const slotLeaseMs = 30_000;
const renewEveryMs = 10_000;
/** A slot left idle this long is handed back, so other workers need not wait for its lease. */
const idleReleaseMs = 5_000;

interface LeasedSlot {
  index: number;
  etag: string;
  expiresAt: number;
  inUse: boolean;
  idleTimer?: NodeJS.Timeout;
}

export interface ConnectionPermit {
  release(): void;
}

const slotKey = (index: number) => String(index).padStart(3, "0");

export class ConnectionSlots {
  private readonly table: TableClient;
  /** This process's identity as a slot holder. */
  readonly holderId = randomUUID();
  private readonly leased = new Map<string, LeasedSlot[]>();

  constructor(
    storage: StorageAccount,
    private readonly now: () => number,
  ) {
    this.table = storage.table(tableNames.connectionSlots);
  }

  /** A permit for one concurrent cycle of the profile, or undefined when every slot is taken. */
  async acquire(profileId: string, maxConnections: number): Promise<ConnectionPermit | undefined> {
    const mine = this.leased.get(profileId) ?? [];
    this.leased.set(profileId, mine);
    // Slots beyond a lowered maximum are not reused.
    const reusable = mine.find((slot) => !slot.inUse && slot.index < maxConnections && slot.expiresAt - this.now() > renewEveryMs);
    const slot = reusable ?? (await this.leaseNew(profileId, maxConnections, mine));
    if (!slot) return undefined;
    slot.inUse = true;
    clearTimeout(slot.idleTimer);
    const timer = setInterval(() => void this.renew(profileId, slot).catch(() => undefined), renewEveryMs);
    timer.unref?.();
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        clearInterval(timer);
        slot.inUse = false;
        slot.idleTimer = setTimeout(() => void this.handBack(profileId, slot).catch(() => undefined), idleReleaseMs);
        slot.idleTimer.unref?.();
      },
    };
  }

  private async leaseNew(profileId: string, maxConnections: number, mine: LeasedSlot[]): Promise<LeasedSlot | undefined> {
    const now = this.now();
    const rows = new Map<number, { holder: string; expiresAt: number; etag: string }>();
    const filter = `PartitionKey eq '${profileId.replace(/'/g, "''")}'`;
    for await (const row of this.table.listEntities<{ holder: string; expiresAt: number }>({ queryOptions: { filter } })) {
      rows.set(Number(row.rowKey), { holder: String(row.holder), expiresAt: Number(row.expiresAt), etag: row.etag });
    }
    const order = Array.from({ length: maxConnections }, (_, i) => i).sort(() => Math.random() - 0.5);
    for (const index of order) {
      const row = rows.get(index);
      const ownIdle = mine.find((slot) => slot.index === index);
      if (ownIdle?.inUse) continue;
      if (row && row.holder !== this.holderId && row.holder !== "" && row.expiresAt > now) continue;
      const entity = { partitionKey: profileId, rowKey: slotKey(index), holder: this.holderId, expiresAt: now + slotLeaseMs };
      try {
        const result = row ? await this.table.updateEntity(entity, "Replace", { etag: row.etag }) : await this.table.createEntity(entity);
        const slot: LeasedSlot = { index, etag: result.etag ?? "", expiresAt: now + slotLeaseMs, inUse: false };
        if (ownIdle) mine.splice(mine.indexOf(ownIdle), 1);
        mine.push(slot);
        return slot;
      } catch (error) {
        if (hasStatus(error, 412) || hasStatus(error, 409)) continue;
        throw error;
      }
    }
    return undefined;
  }

  private async handBack(profileId: string, slot: LeasedSlot): Promise<void> {
    if (slot.inUse) return;
    const mine = this.leased.get(profileId) ?? [];
    const index = mine.indexOf(slot);
    if (index >= 0) mine.splice(index, 1);
    await this.table.updateEntity({ partitionKey: profileId, rowKey: slotKey(slot.index), holder: "", expiresAt: 0 }, "Replace", { etag: slot.etag }).catch((error: unknown) => {
      if (!hasStatus(error, 412)) throw error;
    });
  }

  private async renew(profileId: string, slot: LeasedSlot): Promise<void> {
    const expiresAt = this.now() + slotLeaseMs;
    try {
      const result = await this.table.updateEntity({ partitionKey: profileId, rowKey: slotKey(slot.index), holder: this.holderId, expiresAt }, "Replace", { etag: slot.etag });
      slot.etag = result.etag ?? slot.etag;
      slot.expiresAt = expiresAt;
    } catch (error) {
      // Lost (expired and taken by another worker): stop reusing it once this cycle ends.
      if (hasStatus(error, 412)) slot.expiresAt = 0;
      else throw error;
    }
  }
}
