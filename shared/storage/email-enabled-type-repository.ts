/**
 * The email-enabled record types an organization declares beyond the built-in ones, in their own
 * row of the organization settings table (so they change without rewriting the other settings).
 * Cached briefly: the address book reads them on every resolve.
 */
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import type { EmailEnabledTypeDeclaration } from "../domain/party-records.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

const cacheMs = 30_000;
const rowKey = "emailEnabledTypes";

export class EmailEnabledTypeRepository {
  private readonly table: TableClient;
  private cached?: { value: EmailEnabledTypeDeclaration[]; until: number };

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.orgSettings);
  }

  async list(options: { fresh?: boolean } = {}): Promise<EmailEnabledTypeDeclaration[]> {
    if (!options.fresh && this.cached && this.cached.until > Date.now()) return this.cached.value;
    let value: EmailEnabledTypeDeclaration[] = [];
    try {
      const row = await this.table.getEntity<{ types?: string }>("org", rowKey);
      value = row.types ? (JSON.parse(row.types) as EmailEnabledTypeDeclaration[]) : [];
    } catch (error) {
      if (!hasStatus(error, 404)) throw error;
    }
    this.cached = { value, until: Date.now() + cacheMs };
    return value;
  }

  async find(typeName: string, options: { fresh?: boolean } = {}): Promise<EmailEnabledTypeDeclaration | undefined> {
    return (await this.list(options)).find((declared) => declared.typeName === typeName);
  }

  async put(types: EmailEnabledTypeDeclaration[]): Promise<void> {
    await this.table.upsertEntity({ partitionKey: "org", rowKey, types: JSON.stringify(types) }, "Replace");
    this.cached = { value: types, until: Date.now() + cacheMs };
  }
}
