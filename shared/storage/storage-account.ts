/**
 * The product's storage account: tables for state and records, a container for large text.
 * Locally a connection string (Azurite); in Azure the table and blob endpoints with a managed identity.
 */
import { azureCredential } from "../config/azure-credential.js";
import { TableClient, TableServiceClient } from "@azure/data-tables";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import type { StorageConnection } from "../config/settings.js";
import { blobContainers, tableNames } from "../config/names.js";

export type TableName = (typeof tableNames)[keyof typeof tableNames];

export class StorageAccount {
  private readonly tables = new Map<string, TableClient>();
  private readonly blobService: BlobServiceClient;
  private readonly tableService: TableServiceClient;

  constructor(private readonly connection: StorageConnection) {
    if (connection.kind === "connectionString") {
      this.tableService = TableServiceClient.fromConnectionString(connection.connectionString, { allowInsecureConnection: isInsecure(connection.connectionString) });
      this.blobService = BlobServiceClient.fromConnectionString(connection.connectionString);
    } else {
      const credential = azureCredential(connection.managedIdentityClientId);
      this.tableService = new TableServiceClient(connection.tableServiceUri, credential);
      this.blobService = new BlobServiceClient(connection.blobServiceUri, credential);
    }
  }

  table(name: TableName): TableClient {
    let client = this.tables.get(name);
    if (!client) {
      if (this.connection.kind === "connectionString") {
        client = TableClient.fromConnectionString(this.connection.connectionString, name, { allowInsecureConnection: isInsecure(this.connection.connectionString) });
      } else {
        client = new TableClient(this.connection.tableServiceUri, name, azureCredential(this.connection.managedIdentityClientId));
      }
      this.tables.set(name, client);
    }
    return client;
  }

  container(name: (typeof blobContainers)[keyof typeof blobContainers]): ContainerClient {
    return this.blobService.getContainerClient(name);
  }

  /** Creates every table and container the product uses; safe to call on every start. */
  async ensureCreated(): Promise<void> {
    await Promise.all([
      ...Object.values(tableNames).map((name) => this.tableService.createTable(name)),
      ...Object.values(blobContainers).map((name) => this.container(name).createIfNotExists()),
    ]);
  }
}

/** True when a Table/Blob call failed with the given HTTP status. */
export function hasStatus(error: unknown, status: number): boolean {
  return typeof error === "object" && error !== null && (error as { statusCode?: number }).statusCode === status;
}

/** The emulator speaks plain http; the SDK refuses that unless told. */
function isInsecure(connectionString: string): boolean {
  return /TableEndpoint=http:\/\//i.test(connectionString) || /UseDevelopmentStorage=true/i.test(connectionString);
}
