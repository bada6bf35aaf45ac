/** Email server profiles in Table Storage, one partition (profiles are few). */
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import { defaultPolling, defaultPushSafetyNet, newProfile, type EmailServerProfile } from "../domain/profile.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

const partition = "profile";
/** Every cycle reads its profile: cached briefly per process (an admin's change shows within this). */
const cacheMs = 30_000;

function fromEntity(row: Record<string, unknown>): EmailServerProfile {
  const json = <T>(name: string, fallback: T): T => (typeof row[name] === "string" && row[name] ? (JSON.parse(String(row[name])) as T) : fallback);
  return newProfile(
    {
      id: String(row.rowKey),
      name: String(row.name),
      credential: json("credential", { kind: "deploymentApp" }),
      processEmailsFrom: (row.processEmailsFrom as string) || undefined,
      maxConcurrentConnections: Number(row.maxConcurrentConnections ?? 10),
      requestTimeoutSeconds: Number(row.requestTimeoutSeconds ?? 30),
      polling: { ...defaultPolling, ...json("polling", {}) },
      pushSafetyNetSeconds: { ...defaultPushSafetyNet, ...json("pushSafetyNetSeconds", {}) },
      ownerEmail: (row.ownerEmail as string) || undefined,
      saveSentToSentItems: row.saveSentToSentItems !== false,
      alertOwnerWhenMajorityFail: row.alertOwnerWhenMajorityFail !== false,
      createdAt: String(row.createdAt),
      updatedAt: String(row.updatedAt),
    },
    0,
  );
}

export class ProfileRepository {
  private readonly table: TableClient;
  private readonly cache = new Map<string, { profile: EmailServerProfile | undefined; until: number }>();

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.profiles);
  }

  async get(profileId: string): Promise<EmailServerProfile | undefined> {
    const cached = this.cache.get(profileId);
    if (cached && cached.until > Date.now()) return cached.profile;
    let profile: EmailServerProfile | undefined;
    try {
      profile = fromEntity(await this.table.getEntity<Record<string, unknown>>(partition, profileId));
    } catch (error) {
      if (!hasStatus(error, 404)) throw error;
    }
    this.cache.set(profileId, { profile, until: Date.now() + cacheMs });
    return profile;
  }

  /** A page of profiles, in id order. */
  async listPage(options: { pageSize: number; continuationToken?: string }): Promise<{ items: EmailServerProfile[]; continuationToken?: string }> {
    const next = await this.table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq '${partition}'` } })
      .byPage({ maxPageSize: options.pageSize, continuationToken: options.continuationToken })
      .next();
    if (next.done) return { items: [] };
    return { items: next.value.map(fromEntity), continuationToken: next.value.continuationToken };
  }

  async put(profile: EmailServerProfile): Promise<void> {
    await this.table.upsertEntity(
      {
        partitionKey: partition,
        rowKey: profile.id,
        name: profile.name,
        credential: JSON.stringify(profile.credential),
        processEmailsFrom: profile.processEmailsFrom ?? "",
        maxConcurrentConnections: profile.maxConcurrentConnections,
        requestTimeoutSeconds: profile.requestTimeoutSeconds,
        polling: JSON.stringify(profile.polling),
        pushSafetyNetSeconds: JSON.stringify(profile.pushSafetyNetSeconds),
        ownerEmail: profile.ownerEmail ?? "",
        saveSentToSentItems: profile.saveSentToSentItems,
        alertOwnerWhenMajorityFail: profile.alertOwnerWhenMajorityFail,
        createdAt: profile.createdAt,
        updatedAt: profile.updatedAt,
      },
      "Replace",
    );
    this.cache.set(profile.id, { profile, until: Date.now() + cacheMs });
  }

  async remove(profileId: string): Promise<void> {
    this.cache.delete(profileId);
    try {
      await this.table.deleteEntity(partition, profileId);
    } catch (error) {
      if (!hasStatus(error, 404)) throw error;
    }
  }
}
