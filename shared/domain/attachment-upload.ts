/**
 * Chunked upload of a CRM email's attachment through the records API, and the one rule every
 * chunk follows: the attachment is cut at fixed offsets. Chunk n is bytes n × uploadChunkBytes
 * through (n + 1) × uploadChunkBytes − 1, so every chunk is uploadChunkBytes long except the last,
 * which holds the rest (an attachment up to uploadChunkBytes is one chunk).
 *
 * Fixed offsets rather than Graph's "any multiple of 320 KiB, in order": a chunk is then known by
 * its offset alone, so chunks may come in any order or in parallel, a retried chunk replaces
 * itself, and what is missing is always a list of whole chunks. (The engine later uploads the
 * attachment to Graph in its own ≤ 4 MB pieces; the two chunkings are independent.)
 */

/** 32 MiB: well within the Functions host's 100 MB request limit. */
export const uploadChunkBytes = 32 * 1024 * 1024;

export function chunkCount(size: number): number {
  return Math.ceil(size / uploadChunkBytes);
}

/** The bytes chunk `index` of an attachment of `size` bytes covers, inclusive. */
export function chunkBounds(index: number, size: number): { first: number; last: number } {
  return { first: index * uploadChunkBytes, last: Math.min((index + 1) * uploadChunkBytes, size) - 1 };
}

const rule = `chunks start at multiples of ${uploadChunkBytes} bytes and are that long, except the last, which holds the rest`;

/** Which chunk a Content-Range (first-last/total) with a body of `length` bytes is, or why it is none. */
export function chunkOf(range: { first: number; last: number; total: number }, size: number, length: number): { index: number } | { problem: string } {
  if (range.total !== size) return { problem: `the total must be the announced size ${size}` };
  if (range.first > range.last || range.last >= size) return { problem: `the range must lie within bytes 0-${size - 1}` };
  const index = Math.floor(range.first / uploadChunkBytes);
  const expected = chunkBounds(index, size);
  if (range.first !== expected.first || range.last !== expected.last) {
    return { problem: `the chunk from byte ${expected.first} must be bytes ${expected.first}-${expected.last}: ${rule}` };
  }
  if (length !== range.last - range.first + 1) return { problem: `the body holds ${length} bytes, the range ${range.last - range.first + 1}` };
  return { index };
}

/**
 * What is still to come, as Graph's nextExpectedRanges: "first-last" per run of missing chunks,
 * "first-" for a run that reaches the end. Empty once every chunk has arrived.
 */
export function missingRanges(received: Iterable<number>, size: number): string[] {
  const have = new Set(received);
  const ranges: string[] = [];
  const count = chunkCount(size);
  for (let index = 0; index < count; index++) {
    if (have.has(index)) continue;
    let end = index;
    while (end + 1 < count && !have.has(end + 1)) end++;
    const first = chunkBounds(index, size).first;
    ranges.push(end === count - 1 ? `${first}-` : `${first}-${chunkBounds(end, size).last}`);
    index = end;
  }
  return ranges;
}
