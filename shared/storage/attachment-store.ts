/**
 * Attachment bytes of CRM-authored email, in Blob Storage: written whole or in staged blocks (the
 * records API's chunked upload), read back whole or by range (Graph upload sessions take ≤ 4 MB
 * a request), so a 150 MB attachment never has to sit in memory at once.
 */
import type { ContainerClient } from "@azure/storage-blob";
import { blobContainers } from "../config/names.js";
import type { StorageAccount } from "./storage-account.js";

const blockId = (index: number) => Buffer.from(`block-${String(index).padStart(6, "0")}`).toString("base64");
const blockIndex = (id: string) => Number(/^block-(\d{6})$/.exec(Buffer.from(id, "base64").toString("latin1"))?.[1] ?? NaN);

export function attachmentBlobName(emailId: string, attachmentId: string): string {
  return `attachments/${emailId}/${attachmentId}`;
}

export class AttachmentStore {
  private readonly container: ContainerClient;

  constructor(storage: StorageAccount) {
    this.container = storage.container(blobContainers.largeText);
  }

  async put(name: string, bytes: Buffer, contentType: string): Promise<void> {
    await this.container.getBlockBlobClient(name).upload(bytes, bytes.length, { blobHTTPHeaders: { blobContentType: contentType } });
  }

  /** Stages one chunk; the same index can be staged again (a retried chunk). */
  async stage(name: string, index: number, bytes: Buffer): Promise<void> {
    await this.container.getBlockBlobClient(name).stageBlock(blockId(index), bytes, bytes.length);
  }

  /** Indexes of the chunks staged and not yet committed. */
  async stagedChunks(name: string): Promise<number[]> {
    const list = await this.container.getBlockBlobClient(name).getBlockList("uncommitted");
    return (list.uncommittedBlocks ?? []).map((block) => blockIndex(block.name)).filter((index) => Number.isInteger(index));
  }

  async commit(name: string, chunks: number, contentType: string): Promise<void> {
    await this.container.getBlockBlobClient(name).commitBlockList(Array.from({ length: chunks }, (_, i) => blockId(i)), { blobHTTPHeaders: { blobContentType: contentType } });
  }

  async read(name: string, offset = 0, count?: number): Promise<Buffer> {
    return this.container.getBlockBlobClient(name).downloadToBuffer(offset, count);
  }
}
