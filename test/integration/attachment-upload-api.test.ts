/** The records API's chunked attachment upload over real HTTP against Azurite: one chunk rule for every chunk. */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadChunkBytes } from "../../shared/domain/attachment-upload.js";
import { attachmentBlobName } from "../../shared/storage/attachment-store.js";
import { outgoingEngine } from "../../shared/sync/outgoing/outgoing-engine.js";
import { startApiServer } from "../support/api-server.js";
import { startSyncHarness, type HarnessMailbox, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: Awaited<ReturnType<typeof startApiServer>>;
let sender: HarnessMailbox;

beforeAll(async () => {
  h = await startSyncHarness();
  api = await startApiServer(h.runtime);
  sender = await h.addMailbox("uploader", { outgoing: true });
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

async function announce(subject: string, size: number) {
  const email = await api.call("POST", "emails", { senderMailboxId: sender.id, to: [{ address: "pat@fabrikam.example" }], subject });
  const announced = await api.call("POST", `emails/${email.body.id}/attachments`, { name: "data.bin", size });
  expect(announced.status).toBe(201);
  return { emailId: email.body.id as string, id: announced.body.id as string, uploadUrl: announced.body.uploadUrl as string, chunkBytes: announced.body.chunkBytes as number };
}

async function put(uploadUrl: string, bytes: Buffer, first: number, total: number) {
  const response = await fetch(`${api.url}${uploadUrl}`, { method: "PUT", headers: { Authorization: api.authorization, "Content-Range": `bytes ${first}-${first + bytes.length - 1}/${total}` }, body: bytes });
  return { status: response.status, body: (await response.json()) as any };
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

const patterned = (size: number) => {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4096) bytes.writeUInt32LE(i, i);
  return bytes.fill(7, size - Math.min(size, 10));
};

describe("chunked attachment upload", () => {
  it("a short first chunk of a one-chunk attachment is refused at once, not after answering 5-", async () => {
    const upload = await announce("Small", 10);
    expect(upload.chunkBytes).toBe(uploadChunkBytes);
    const bytes = patterned(10);
    const short = await put(upload.uploadUrl, bytes.subarray(0, 5), 0, 10);
    expect(short.status).toBe(400);
    expect(short.body.error).toMatchObject({ field: "Content-Range", message: expect.stringMatching(/must be bytes 0-9: chunks start at multiples of 33554432 bytes/) });
    expect(await put(upload.uploadUrl, bytes, 0, 10)).toEqual({ status: 200, body: { complete: true, nextExpectedRanges: [] } });
    expect(await h.runtime.attachments.read(attachmentBlobName(upload.emailId, upload.id))).toEqual(bytes);
  });

  it("chunks may come in any order and again; the attachment is complete once every chunk is there", async () => {
    const size = uploadChunkBytes + 10;
    const bytes = patterned(size);
    const upload = await announce("Two chunks", size);
    const last = bytes.subarray(uploadChunkBytes);
    const missingFirst = { status: 200, body: { complete: false, nextExpectedRanges: [`0-${uploadChunkBytes - 1}`] } };
    expect(await put(upload.uploadUrl, last, uploadChunkBytes, size)).toEqual(missingFirst);
    expect(await put(upload.uploadUrl, last, uploadChunkBytes, size)).toEqual(missingFirst);
    const short = await put(upload.uploadUrl, bytes.subarray(0, 5), 0, size);
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(new RegExp(`must be bytes 0-${uploadChunkBytes - 1}`));
    expect(await put(upload.uploadUrl, bytes.subarray(0, uploadChunkBytes), 0, size)).toEqual({ status: 200, body: { complete: true, nextExpectedRanges: [] } });
    expect((await api.call("POST", `emails/${upload.emailId}/send`)).status).toBe(200);
    await h.runCycle(outgoingEngine, sender.id);
    const [sent] = h.sim.sentLog(sender.address).filter((s: any) => s.subject.startsWith("Two chunks")) as Array<{ attachments: Array<{ size: number; sha256: string }> }>;
    expect(sent!.attachments).toEqual([expect.objectContaining({ size, sha256: sha256(bytes) })]);
  }, 60_000);

  it("in order, each answer names the next chunk", async () => {
    const size = uploadChunkBytes + 3;
    const bytes = patterned(size);
    const upload = await announce("In order", size);
    expect(await put(upload.uploadUrl, bytes.subarray(0, uploadChunkBytes), 0, size)).toEqual({ status: 200, body: { complete: false, nextExpectedRanges: [`${uploadChunkBytes}-`] } });
    expect(await put(upload.uploadUrl, bytes.subarray(uploadChunkBytes), uploadChunkBytes, size)).toEqual({ status: 200, body: { complete: true, nextExpectedRanges: [] } });
    expect(sha256(await h.runtime.attachments.read(attachmentBlobName(upload.emailId, upload.id)))).toBe(sha256(bytes));
  }, 60_000);
});
