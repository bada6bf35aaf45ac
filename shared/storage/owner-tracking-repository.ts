/**
 * Each mailbox owner's personal tracking options (`ownertracking`, one row per owner): the track
 * option (none stored: the organization default applies) and "automatically create records" (off
 * unless stored). Stored per owner, as Dynamics 365 keeps them in the user's settings: a mailbox
 * that changes hands takes its new owner's options.
 */
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import { trackOptions, type TrackOption } from "../domain/tracking/track-options.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

export interface OwnerTrackingOptions {
  /** Undefined: the organization's defaultTrackOption applies. */
  trackOption?: TrackOption;
  autoCreateRecords: boolean;
  updatedAt?: string;
}

export const defaultOwnerTrackingOptions: OwnerTrackingOptions = { autoCreateRecords: false };

const rowKey = "options";
/** Keys may not hold / \ # ? or control characters. */
const ownerKey = (ownerId: string) => encodeURIComponent(ownerId);

export class OwnerTrackingRepository {
  private readonly table: TableClient;

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.ownerTracking);
  }

  /** The owner's options; the defaults when the owner never chose any. */
  async get(ownerId: string): Promise<OwnerTrackingOptions> {
    try {
      const row = await this.table.getEntity<Record<string, unknown>>(ownerKey(ownerId), rowKey);
      const trackOption = trackOptions.find((option) => option === row.trackOption);
      return { ...(trackOption ? { trackOption } : {}), autoCreateRecords: row.autoCreateRecords === true, updatedAt: (row.updatedAt as string) || undefined };
    } catch (error) {
      if (hasStatus(error, 404)) return defaultOwnerTrackingOptions;
      throw error;
    }
  }

  async put(ownerId: string, options: OwnerTrackingOptions): Promise<void> {
    await this.table.upsertEntity(
      { partitionKey: ownerKey(ownerId), rowKey, trackOption: options.trackOption ?? "", autoCreateRecords: options.autoCreateRecords, updatedAt: options.updatedAt ?? "" },
      "Replace",
    );
  }
}
