/** The one chunk rule of the records API's attachment upload (shared/domain/attachment-upload.ts). */
import { describe, expect, it } from "vitest";
import { chunkCount, chunkOf, missingRanges, uploadChunkBytes as C } from "../../shared/domain/attachment-upload.js";

describe("chunkOf", () => {
  const range = (first: number, last: number, total: number) => ({ first, last, total });
  it.each([
    ["a whole small attachment", range(0, 9, 10), 10, 10, { index: 0 }],
    ["the first full chunk", range(0, C - 1, C + 10), C + 10, C, { index: 0 }],
    ["the short last chunk", range(C, C + 9, C + 10), C + 10, 10, { index: 1 }],
    ["an exact multiple's last chunk", range(C, 2 * C - 1, 2 * C), 2 * C, C, { index: 1 }],
    ["a short first chunk of a small attachment", range(0, 4, 10), 10, 5, /must be bytes 0-9/],
    ["a chunk starting off the grid", range(5, 9, 10), 10, 5, /must be bytes 0-9/],
    ["a short first chunk of a large one", range(0, 4, C + 10), C + 10, 5, new RegExp(`must be bytes 0-${C - 1}`)],
    ["a chunk longer than the grid", range(0, C, C + 10), C + 10, C + 1, new RegExp(`must be bytes 0-${C - 1}`)],
    ["another total", range(0, 9, 11), 10, 10, /announced size 10/],
    ["a range past the end", range(0, 10, 10), 10, 11, /within bytes 0-9/],
    ["a reversed range", range(9, 0, 10), 10, 10, /within bytes 0-9/],
    ["a body of another length", range(0, 9, 10), 10, 9, /body holds 9 bytes, the range 10/],
  ])("%s", (_what, given, size, length, expected) => {
    const result = chunkOf(given, size, length);
    if (expected instanceof RegExp) expect("problem" in result && result.problem).toMatch(expected);
    else expect(result).toEqual(expected);
  });
});

describe("missingRanges", () => {
  it.each([
    [[], 10, ["0-"]],
    [[0], 10, []],
    [[0], 2 * C + 1, [`${C}-`]],
    [[2], 2 * C + 1, [`0-${2 * C - 1}`]],
    [[1], 2 * C + 1, [`0-${C - 1}`, `${2 * C}-`]],
    [[0, 1, 2], 2 * C + 1, []],
    [[0, 0, 2], 2 * C + 1, [`${C}-${2 * C - 1}`]],
  ])("received %j of %i bytes → %j", (received, size, expected) => {
    expect(missingRanges(received, size)).toEqual(expected);
  });

  it("counts chunks", () => {
    expect([chunkCount(1), chunkCount(C), chunkCount(C + 1), chunkCount(150 * 1024 * 1024)]).toEqual([1, 1, 2, 5]);
  });
});
