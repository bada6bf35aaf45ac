/**
 * A profile's maximum concurrent connections: Graph requests to Exchange under that profile in
 * flight at once, across every worker instance. The profile has that many slot rows; a worker
 * leases rows (etag-conditional write) into a pool of its own, and each Graph request takes one of
 * the pool's rows for as long as it runs — in memory while a leased row is free, leasing another
 * row only when every row it holds is busy. Rows are renewed while held, handed back after a few
 * idle seconds, and a crashed worker's rows expire on their own.
 *
 * A busy worker's requests therefore cost no table operation for their slot: only leasing, the
 * renewals (one write per held row every 10 s) and the hand-back do.
 *
 * Before a cycle starts it reserves: it runs only if the worker holds a row of the profile or can
 * lease one; otherwise it is postponed with no Graph request made (ConnectionLimit). Mid-cycle a
 * request waits for a row (bounded by requestWaitMs) rather than fail the cycle.
 */
import { randomUUID } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

export const slotLeaseMs = 30_000;
const renewEveryMs = 10_000;
/** A slot left idle this long is handed back, so other workers need not wait for its lease. */
const idleReleaseMs = 5_000;
/** After finding every row held elsewhere, how long before the table is asked again. */
const fullRecheckMs = 1_000;
/** How long a request waits for a slot before its cycle is postponed (ConnectionLimit). */
export const requestWaitMs = 15_000;
/** How long a cycle waits when its profile has no free connection (plus as much jitter). */
export const connectionWaitMs = 15_000;
/** The code a cycle postponed for want of a connection reports (monitoring and alerts count it). */
export const connectionLimitCode = "ConnectionLimit";

interface LeasedSlot {
  index: number;
  etag: string;
  expiresAt: number;
  busy: boolean;
  idleTimer?: NodeJS.Timeout;
}

interface ProfilePool {
  slots: LeasedSlot[];
  /** Cycles running with this pool: its last row is kept while any runs. */
  cycles: number;
  waiting: Array<() => void>;
  /** One lease attempt at a time per pool: concurrent requests would race for the same rows. */
  leasing?: Promise<LeasedSlot | undefined>;
  fullUntil: number;
  renewTimer?: NodeJS.Timeout;
}

export interface ConnectionPermit {
  release(): void;
}

const slotKey = (index: number) => String(index).padStart(3, "0");

export class ConnectionSlots {
  private readonly table: TableClient;
  /** This process's identity as a slot holder. */
  readonly holderId = randomUUID();
  private readonly pools = new Map<string, ProfilePool>();

  constructor(
    storage: StorageAccount,
    private readonly now: () => number,
  ) {
    this.table = storage.table(tableNames.connectionSlots);
  }

  /**
   * Before a cycle: undefined when this worker holds no row of the profile and none is free (the
   * cycle is postponed); else a reservation to release when the cycle ends.
   */
  async reserve(profileId: string, maxConnections: number): Promise<ConnectionPermit | undefined> {
    const pool = this.pool(profileId);
    if (!pool.slots.some((slot) => this.usable(slot, maxConnections))) {
      const slot = await this.leaseOne(profileId, pool, maxConnections);
      if (!slot) return undefined;
      this.markIdle(profileId, pool, slot);
    }
    pool.cycles++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        pool.cycles--;
      },
    };
  }

  /** One Graph request's slot; undefined when none came free within `waitMs`. */
  async acquire(profileId: string, maxConnections: number, waitMs = requestWaitMs): Promise<ConnectionPermit | undefined> {
    const pool = this.pool(profileId);
    const deadline = this.now() + waitMs;
    for (;;) {
      let slot = pool.slots.find((s) => !s.busy && this.usable(s, maxConnections));
      if (!slot && this.now() >= pool.fullUntil) slot = await this.leaseOne(profileId, pool, maxConnections);
      // Another request may have taken it while the lease was written.
      if (slot && !slot.busy) return this.use(profileId, pool, slot);
      if (this.now() >= deadline) return undefined;
      // Woken by a release in this process, or after a while to ask the table again.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(fullRecheckMs, Math.max(0, deadline - this.now())));
        function done() {
          clearTimeout(timer);
          const i = pool.waiting.indexOf(done);
          if (i >= 0) pool.waiting.splice(i, 1);
          resolve();
        }
        pool.waiting.push(done);
      });
    }
  }

  private pool(profileId: string): ProfilePool {
    let pool = this.pools.get(profileId);
    if (!pool) {
      pool = { slots: [], cycles: 0, waiting: [], fullUntil: 0 };
      this.pools.set(profileId, pool);
    }
    return pool;
  }

  /** Within a lowered maximum and not about to expire (the renewal may have been lost). */
  private usable(slot: LeasedSlot, maxConnections: number): boolean {
    return slot.index < maxConnections && slot.expiresAt - this.now() > renewEveryMs / 2;
  }

  private use(profileId: string, pool: ProfilePool, slot: LeasedSlot): ConnectionPermit {
    slot.busy = true;
    clearTimeout(slot.idleTimer);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        slot.busy = false;
        this.markIdle(profileId, pool, slot);
        pool.waiting.shift()?.();
      },
    };
  }

  private markIdle(profileId: string, pool: ProfilePool, slot: LeasedSlot): void {
    clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => void this.handBack(profileId, pool, slot).catch(() => undefined), idleReleaseMs);
    slot.idleTimer.unref?.();
  }

  private leaseOne(profileId: string, pool: ProfilePool, maxConnections: number): Promise<LeasedSlot | undefined> {
    pool.leasing ??= this.leaseNew(profileId, pool, maxConnections).finally(() => (pool.leasing = undefined));
    return pool.leasing;
  }

  private async leaseNew(profileId: string, pool: ProfilePool, maxConnections: number): Promise<LeasedSlot | undefined> {
    const now = this.now();
    const rows = new Map<number, { holder: string; expiresAt: number; etag: string }>();
    const filter = `PartitionKey eq '${profileId.replace(/'/g, "''")}'`;
    for await (const row of this.table.listEntities<{ holder: string; expiresAt: number }>({ queryOptions: { filter } })) {
      rows.set(Number(row.rowKey), { holder: String(row.holder), expiresAt: Number(row.expiresAt), etag: row.etag });
    }
    const order = Array.from({ length: maxConnections }, (_, i) => i).sort(() => Math.random() - 0.5);
    for (const index of order) {
      const row = rows.get(index);
      const own = pool.slots.find((slot) => slot.index === index);
      // A row this pool holds is either in use or about to expire (it would have been reused):
      // re-leasing it renews it.
      if (own?.busy) continue;
      if (row && row.holder !== this.holderId && row.holder !== "" && row.expiresAt > now) continue;
      const entity = { partitionKey: profileId, rowKey: slotKey(index), holder: this.holderId, expiresAt: now + slotLeaseMs };
      try {
        const result = row ? await this.table.updateEntity(entity, "Replace", { etag: row.etag }) : await this.table.createEntity(entity);
        const slot: LeasedSlot = { index, etag: result.etag ?? "", expiresAt: now + slotLeaseMs, busy: false };
        if (own) this.drop(pool, own);
        pool.slots.push(slot);
        this.keepRenewed(profileId, pool);
        return slot;
      } catch (error) {
        if (hasStatus(error, 412) || hasStatus(error, 409)) continue;
        throw error;
      }
    }
    pool.fullUntil = this.now() + fullRecheckMs;
    return undefined;
  }

  private drop(pool: ProfilePool, slot: LeasedSlot): void {
    clearTimeout(slot.idleTimer);
    const index = pool.slots.indexOf(slot);
    if (index >= 0) pool.slots.splice(index, 1);
    if (pool.slots.length === 0) {
      clearInterval(pool.renewTimer);
      pool.renewTimer = undefined;
    }
  }

  private async handBack(profileId: string, pool: ProfilePool, slot: LeasedSlot): Promise<void> {
    if (slot.busy || !pool.slots.includes(slot)) return;
    // A running cycle keeps its worker's last row, so its next request needs no new lease.
    if (pool.cycles > 0 && pool.slots.length === 1) return this.markIdle(profileId, pool, slot);
    this.drop(pool, slot);
    await this.table.updateEntity({ partitionKey: profileId, rowKey: slotKey(slot.index), holder: "", expiresAt: 0 }, "Replace", { etag: slot.etag }).catch((error: unknown) => {
      if (!hasStatus(error, 412)) throw error;
    });
  }

  /** One timer per pool renews every row the pool holds (busy or waiting for reuse). */
  private keepRenewed(profileId: string, pool: ProfilePool): void {
    if (pool.renewTimer) return;
    pool.renewTimer = setInterval(() => {
      for (const slot of [...pool.slots]) void this.renew(profileId, pool, slot).catch(() => undefined);
    }, renewEveryMs);
    pool.renewTimer.unref?.();
  }

  private async renew(profileId: string, pool: ProfilePool, slot: LeasedSlot): Promise<void> {
    const expiresAt = this.now() + slotLeaseMs;
    try {
      const result = await this.table.updateEntity({ partitionKey: profileId, rowKey: slotKey(slot.index), holder: this.holderId, expiresAt }, "Replace", { etag: slot.etag });
      slot.etag = result.etag ?? slot.etag;
      slot.expiresAt = expiresAt;
    } catch (error) {
      // Lost (expired and taken by another worker): stop using it once the request on it ends.
      if (hasStatus(error, 412)) {
        slot.expiresAt = 0;
        if (!slot.busy) this.drop(pool, slot);
      } else throw error;
    }
  }
}
