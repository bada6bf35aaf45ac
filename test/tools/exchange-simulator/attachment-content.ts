/**
 * An attachment's raw content, as `$value` streams it: the bytes it was given, or, for a file
 * kept as size and SHA-256 only, content generated from that SHA-256 in 64 KiB chunks, so a
 * 150 MB file streams without ever being held. The same seed and size always give the same bytes
 * (tests compute the expected hash with generatedContent), and the chunks differ from each other.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { StoredAttachment } from "./mailbox-model.js";

const chunkBytes = 64 * 1024;

function pattern(seed: string): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; i < chunkBytes / 32; i++) blocks.push(createHash("sha256").update(`${seed}:${i}`).digest());
  return Buffer.concat(blocks);
}

/** `size` bytes generated from `seed`, chunk by chunk. */
export function generatedContent(seed: string, size: number): Readable {
  const base = pattern(seed);
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= size) {
        this.push(null);
        return;
      }
      const length = Math.min(chunkBytes, size - offset);
      const chunk = Buffer.from(base.subarray(0, length));
      // Each chunk starts with its index, so no two chunks of one file are alike.
      chunk.writeUInt32BE(offset / chunkBytes, 0);
      offset += length;
      this.push(chunk);
    },
  });
}

export function attachmentContent(attachment: StoredAttachment): Readable {
  return attachment.bytes ? Readable.from([attachment.bytes]) : generatedContent(attachment.sha256, attachment.size);
}
