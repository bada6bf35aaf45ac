/** Email server profiles in Table Storage, one partition (profiles are few). */
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import { defaultIncomingPolling, type EmailServerProfile } from "../domain/profile.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

const partition = "profile";

function fromEntity(row: Record<string, unknown>): EmailServerProfile {
  return {
    id: String(row.rowKey),
    name: String(row.name),
    processEmailsFrom: (row.processEmailsFrom as string) || undefined,
    incomingPolling: row.incomingPolling ? JSON.parse(String(row.incomingPolling)) : defaultIncomingPolling,
    createdAt: String(row.createdAt),
    updatedAt: String(row.updatedAt),
  };
}

export class ProfileRepository {
  private readonly table: TableClient;

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.profiles);
  }

  async get(profileId: string): Promise<EmailServerProfile | undefined> {
    try {
      return fromEntity(await this.table.getEntity<Record<string, unknown>>(partition, profileId));
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async put(profile: EmailServerProfile): Promise<void> {
    await this.table.upsertEntity(
      {
        partitionKey: partition,
        rowKey: profile.id,
        name: profile.name,
        processEmailsFrom: profile.processEmailsFrom ?? "",
        incomingPolling: JSON.stringify(profile.incomingPolling),
        createdAt: profile.createdAt,
        updatedAt: profile.updatedAt,
      },
      "Replace",
    );
  }
}
