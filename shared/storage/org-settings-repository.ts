/** The organization settings row, cached briefly: every cycle reads it. */
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import { readStoredAttachmentSettings } from "../domain/attachments/attachment-settings.js";
import { defaultOrgSettings, type OrgSettings } from "../domain/org-settings.js";
import { defaultTrackingSettings, readStoredTrackingSettings, type TrackingSettings } from "../domain/tracking/tracking-settings.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

const cacheMs = 30_000;

/** Tracking settings are stored as one JSON property each (objects) or as they are (scalars). */
const trackingFields = Object.keys(defaultTrackingSettings) as (keyof TrackingSettings)[];

function readJson(value: unknown): unknown {
  if (typeof value !== "string" || !value.startsWith("{")) return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

export class OrgSettingsRepository {
  private readonly table: TableClient;
  private cached?: { value: OrgSettings; until: number };

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.orgSettings);
  }

  async get(options: { fresh?: boolean } = {}): Promise<OrgSettings> {
    if (!options.fresh && this.cached && this.cached.until > Date.now()) return this.cached.value;
    let value: OrgSettings = defaultOrgSettings;
    try {
      const row = await this.table.getEntity<Record<string, unknown>>("org", "settings");
      value = {
        requireApprovedMailboxes: row.requireApprovedMailboxes !== false,
        alertLevels: row.alertLevels ? JSON.parse(String(row.alertLevels)) : defaultOrgSettings.alertLevels,
        alertSenderMailbox: (row.alertSenderMailbox as string) || undefined,
        // Rows written before a field existed, or in an older shape, read as its default.
        ...readStoredTrackingSettings(Object.fromEntries(trackingFields.map((field) => [field, readJson(row[field])]))),
        attachments: readStoredAttachmentSettings(readJson(row.attachments)),
        updatedAt: (row.updatedAt as string) || undefined,
      };
    } catch (error) {
      if (!hasStatus(error, 404)) throw error;
    }
    this.cached = { value, until: Date.now() + cacheMs };
    return value;
  }

  async put(settings: OrgSettings): Promise<void> {
    await this.table.upsertEntity(
      {
        partitionKey: "org",
        rowKey: "settings",
        requireApprovedMailboxes: settings.requireApprovedMailboxes,
        alertLevels: JSON.stringify(settings.alertLevels),
        alertSenderMailbox: settings.alertSenderMailbox ?? "",
        ...Object.fromEntries(trackingFields.map((field) => [field, typeof settings[field] === "object" ? JSON.stringify(settings[field]) : settings[field]])),
        attachments: JSON.stringify(settings.attachments),
        updatedAt: settings.updatedAt ?? new Date().toISOString(),
      },
      "Replace",
    );
    this.cached = { value: settings, until: Date.now() + cacheMs };
  }
}
