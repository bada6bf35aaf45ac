/**
 * The `shared` lane of a mailbox (graph/mailbox-request-gate.ts) held by one worker at a time: a
 * row per mailbox, created by the worker that takes the lane and deleted when it lets it go. A row
 * left behind by a crashed worker expires and is taken over by etag. Held across a burst of
 * requests (Track now reads a message, then its folder) and handed back once idle for a moment, so
 * a burst costs two table operations: the create and the delete.
 */
import { randomUUID } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import { GraphRequestError } from "../graph/graph-errors.js";
import type { LaneLeases } from "../graph/mailbox-request-gate.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

const leaseMs = 30_000;
const renewEveryMs = 10_000;
/** Idle this long, the lane is handed back so another worker's caller need not wait. */
const idleReleaseMs = 1_000;
/** How long a request waits for a lane another worker holds before it is postponed like a 429. */
export const laneWaitMs = 10_000;
const rowKey = "lane";

interface HeldLane {
  etag: string;
  expiresAt: number;
  inUse: boolean;
  idleTimer?: NodeJS.Timeout;
  renewTimer: NodeJS.Timeout;
}

export class MailboxLaneLeases implements LaneLeases {
  private readonly table: TableClient;
  readonly holderId = randomUUID();
  private readonly held = new Map<string, HeldLane>();

  constructor(
    storage: StorageAccount,
    private readonly now: () => number,
  ) {
    this.table = storage.table(tableNames.mailboxLanes);
  }

  async hold(mailboxKey: string): Promise<() => void> {
    // The gate lets one request of this process into the lane at a time: no race on `held` here.
    let lane = this.held.get(mailboxKey);
    if (!lane || lane.expiresAt - this.now() < renewEveryMs) {
      if (lane) this.forget(mailboxKey, lane);
      lane = await this.take(mailboxKey);
      this.held.set(mailboxKey, lane);
    }
    const current = lane;
    current.inUse = true;
    clearTimeout(current.idleTimer);
    return () => {
      current.inUse = false;
      current.idleTimer = setTimeout(() => void this.handBack(mailboxKey, current).catch(() => undefined), idleReleaseMs);
      current.idleTimer.unref?.();
    };
  }

  private async take(mailboxKey: string): Promise<HeldLane> {
    const deadline = this.now() + laneWaitMs;
    for (;;) {
      const etag = await this.tryTake(mailboxKey);
      if (etag !== undefined) {
        const lane: HeldLane = { etag, expiresAt: this.now() + leaseMs, inUse: false, renewTimer: setInterval(() => void this.renew(mailboxKey, lane).catch(() => undefined), renewEveryMs) };
        lane.renewTimer.unref?.();
        return lane;
      }
      if (this.now() >= deadline) {
        // Another worker's caller holds the lane: the same answer Exchange gives a 5th request.
        throw new GraphRequestError({ status: 429, code: "MailboxLaneBusy", message: "Another worker is making requests to this mailbox; try again shortly.", retryAfterMs: 5_000 });
      }
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.floor(Math.random() * 300)));
    }
  }

  private async tryTake(mailboxKey: string): Promise<string | undefined> {
    const entity = { partitionKey: encodeURIComponent(mailboxKey), rowKey, holder: this.holderId, expiresAt: this.now() + leaseMs };
    try {
      return (await this.table.createEntity(entity)).etag ?? "";
    } catch (error) {
      if (!hasStatus(error, 409)) throw error;
    }
    let row;
    try {
      row = await this.table.getEntity<{ holder: string; expiresAt: number }>(entity.partitionKey, rowKey);
    } catch (error) {
      if (hasStatus(error, 404)) return undefined; // let go meanwhile: the next try creates it
      throw error;
    }
    if (row.holder !== this.holderId && Number(row.expiresAt) > this.now()) return undefined;
    try {
      return (await this.table.updateEntity(entity, "Replace", { etag: row.etag })).etag ?? "";
    } catch (error) {
      if (hasStatus(error, 412) || hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  private async handBack(mailboxKey: string, lane: HeldLane): Promise<void> {
    if (lane.inUse || this.held.get(mailboxKey) !== lane) return;
    this.forget(mailboxKey, lane);
    await this.table.deleteEntity(encodeURIComponent(mailboxKey), rowKey, { etag: lane.etag }).catch((error: unknown) => {
      if (!hasStatus(error, 412) && !hasStatus(error, 404)) throw error;
    });
  }

  private forget(mailboxKey: string, lane: HeldLane): void {
    clearInterval(lane.renewTimer);
    clearTimeout(lane.idleTimer);
    if (this.held.get(mailboxKey) === lane) this.held.delete(mailboxKey);
  }

  private async renew(mailboxKey: string, lane: HeldLane): Promise<void> {
    const expiresAt = this.now() + leaseMs;
    try {
      const result = await this.table.updateEntity({ partitionKey: encodeURIComponent(mailboxKey), rowKey, holder: this.holderId, expiresAt }, "Replace", { etag: lane.etag });
      lane.etag = result.etag ?? lane.etag;
      lane.expiresAt = expiresAt;
    } catch (error) {
      // Lost (expired and taken over): take it again before the next request.
      if (hasStatus(error, 412) || hasStatus(error, 404)) lane.expiresAt = 0;
      else throw error;
    }
  }
}
