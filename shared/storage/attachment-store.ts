/**
 * Attachment bytes in Blob Storage. CRM-authored email's are written whole or in staged blocks
 * (the records API's chunked upload) and read back whole or by range (Graph upload sessions take
 * ≤ 4 MB a request); tracked mail's are streamed in from Graph (storeOnce) and every attachment
 * streams out to the API (openRead). A 150 MB attachment never has to sit in memory at once.
 */
import type { Readable } from "node:stream";
import type { ContainerClient } from "@azure/storage-blob";
import { blobContainers } from "../config/names.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

/** Blocks of 1 MB, two in flight: a streamed upload holds about 10 MB whatever the file's size (4 MB blocks held 25–30 MB; see BENCHMARKS.md). */
const streamBlockBytes = 1 * 1024 * 1024;
const streamBlocksInFlight = 2;

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

  async exists(name: string): Promise<boolean> {
    return this.container.getBlockBlobClient(name).exists();
  }

  /**
   * Streams content into a blob that is written once: the blocks are committed only if no blob of
   * that name exists, so of two writers racing to store the same attachment one commits and the
   * other finds it stored (false); a blob is never replaced or left half-written (uncommitted
   * blocks are not content). `sizeHint` only sizes the buffers: a small file does not get 4 MB.
   */
  async storeOnce(name: string, content: Readable, contentType: string, sizeHint: number): Promise<boolean> {
    const blockBytes = Math.min(streamBlockBytes, Math.max(64 * 1024, sizeHint));
    try {
      await this.container.getBlockBlobClient(name).uploadStream(content, blockBytes, streamBlocksInFlight, {
        blobHTTPHeaders: { blobContentType: contentType },
        conditions: { ifNoneMatch: "*" },
      });
      return true;
    } catch (error) {
      // The other writer committed first (its blocks also discard ours): the content is there.
      if ((hasStatus(error, 409) || hasStatus(error, 412) || hasStatus(error, 400)) && (await this.exists(name))) return false;
      throw error;
    }
  }

  /** The blob as a stream, with what a download response needs; undefined when there is none. */
  async openRead(name: string): Promise<{ stream: Readable; contentLength: number; contentType?: string } | undefined> {
    try {
      const download = await this.container.getBlockBlobClient(name).download(0);
      return { stream: download.readableStreamBody as Readable, contentLength: download.contentLength ?? 0, contentType: download.contentType };
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }
}
