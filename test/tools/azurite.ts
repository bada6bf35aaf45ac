/**
 * Azurite, the Azure Storage emulator, started in this process: Table and Blob services on
 * loopback ports, in memory or persisted under a folder. Used by the tests and the local host.
 * Azurite's server classes are internal, so this file pins how they are constructed (azurite ~3.35).
 */
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** Azurite's well-known development account. */
export const devAccountName = "devstoreaccount1";
export const devAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteOptions {
  /** Folder for persisted data; omit (or inMemory) to keep everything in memory. */
  location?: string;
  inMemory?: boolean;
  tablePort?: number;
  blobPort?: number;
}

export interface Azurite {
  connectionString: string;
  tableEndpoint: string;
  blobEndpoint: string;
  stop(): Promise<void>;
}

interface AzuriteServer {
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const inMemory = options.inMemory ?? !options.location;
  const dir = options.location ?? path.join(process.cwd(), ".local", "azurite");
  if (!inMemory) mkdirSync(dir, { recursive: true });
  const TableServer = require("azurite/dist/src/table/TableServer.js").default;
  const TableConfiguration = require("azurite/dist/src/table/TableConfiguration.js").default;
  const BlobServer = require("azurite/dist/src/blob/BlobServer.js").default;
  const BlobConfiguration = require("azurite/dist/src/blob/BlobConfiguration.js").default;

  // Positional arguments: host, port, keepAliveTimeout, metadata db path, debug log, access log,
  // access log stream, debug log path, loose, skipApiVersionCheck, cert, key, pwd, oauth,
  // disableProductStyleUrl, inMemoryPersistence.
  const table: AzuriteServer = new TableServer(
    new TableConfiguration("127.0.0.1", options.tablePort ?? 0, undefined, path.join(dir, "__azurite_db_table__.json"), false, false, undefined, undefined, false, true, "", "", "", undefined, false, inMemory),
  );
  // Blob adds extent db path and persistence locations after the metadata path.
  const blob: AzuriteServer = new BlobServer(
    new BlobConfiguration(
      "127.0.0.1", options.blobPort ?? 0, undefined,
      path.join(dir, "__azurite_db_blob__.json"), path.join(dir, "__azurite_db_blob_extent__.json"),
      [{ locationId: "Default", locationPath: path.join(dir, "__blobstorage__"), maxConcurrency: 10 }],
      false, undefined, false, undefined, false, true, "", "", "", undefined, false, inMemory,
    ),
  );
  await table.start();
  await blob.start();
  const tableEndpoint = `${table.getHttpServerAddress()}/${devAccountName}`;
  const blobEndpoint = `${blob.getHttpServerAddress()}/${devAccountName}`;
  return {
    tableEndpoint,
    blobEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${devAccountName};AccountKey=${devAccountKey};TableEndpoint=${tableEndpoint};BlobEndpoint=${blobEndpoint};`,
    async stop() {
      await Promise.allSettled([table.close(), blob.close()]);
    },
  };
}
