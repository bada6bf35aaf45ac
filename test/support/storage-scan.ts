/**
 * Every table and every blob container of an Azurite account, searched for strings: what the
 * privacy tests use to show that untracked mail left nothing behind. Lists the account's tables
 * and containers (not the product's list of names), so a table added later is scanned too.
 */
import { TableClient, TableServiceClient } from "@azure/data-tables";
import { BlobServiceClient } from "@azure/storage-blob";

export interface StorageHit {
  where: string;
  needle: string;
}

export async function scanStorage(connectionString: string, needles: readonly string[]): Promise<{ hits: StorageHit[]; tables: number; entities: number; blobs: number }> {
  const lowered = needles.map((n) => n.toLowerCase());
  const hits: StorageHit[] = [];
  const search = (where: string, text: string) => {
    const haystack = text.toLowerCase();
    lowered.forEach((needle, i) => {
      if (haystack.includes(needle)) hits.push({ where, needle: needles[i]! });
    });
  };
  let tables = 0;
  let entities = 0;
  let blobs = 0;
  const service = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
  for await (const table of service.listTables()) {
    tables++;
    const client = TableClient.fromConnectionString(connectionString, table.name!, { allowInsecureConnection: true });
    for await (const entity of client.listEntities<Record<string, unknown>>()) {
      entities++;
      search(`table ${table.name} ${entity.partitionKey}/${entity.rowKey}`, JSON.stringify(entity));
    }
  }
  const blobService = BlobServiceClient.fromConnectionString(connectionString);
  for await (const container of blobService.listContainers({ includeMetadata: true })) {
    const client = blobService.getContainerClient(container.name);
    for await (const blob of client.listBlobsFlat({ includeMetadata: true, includeTags: true })) {
      blobs++;
      const where = `blob ${container.name}/${blob.name}`;
      search(where, `${blob.name} ${JSON.stringify(blob.metadata ?? {})} ${JSON.stringify(blob.properties.contentDisposition ?? "")}`);
      search(where, (await client.getBlobClient(blob.name).downloadToBuffer()).toString("utf8"));
    }
  }
  return { hits, tables, entities, blobs };
}
