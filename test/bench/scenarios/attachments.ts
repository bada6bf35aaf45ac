/**
 * Attachments of tracked mail: ingest of mail with one 1 MB file each (listed, streamed from the
 * simulator's `$value` into Azurite) by incoming cycles in this process, next to the raw rates of
 * its two halves at the same concurrency: uploading the same number of 1 MB blobs from memory to
 * the same Azurite, and reading every `$value` from the simulator over HTTPS and dropping it. Then
 * one 20 MB attachment alone, to show what the process holds while it streams. Memory: the peak of
 * rss and of "buffers" (V8 heap used + external + array buffers, where Node keeps Buffer bytes)
 * over the baseline, sampled after a gc (sampleMemory).
 */
import { performance } from "node:perf_hooks";
import { blobContainers } from "../../../shared/config/names.js";
import { incomingEngine } from "../../../shared/sync/incoming/incoming-engine.js";
import { runWorkload } from "../../../shared/sync/workload-runner.js";
import type { Runtime } from "../../../shared/runtime.js";
import type { DeliverMessageInput } from "../../tools/exchange-simulator/index.js";
import { startBackend } from "../support/backend.js";
import { createBenchRuntime, putBenchProfile, seedMailboxes, type RecordingQueue } from "../support/fixtures.js";
import { pool, round } from "../support/stats.js";

const MB = 1024 * 1024;

export interface MemoryPeak {
  /** Peak over the baseline, MiB. */
  rssMiB: number;
  buffersMiB: number;
}

export interface AttachmentsResult {
  mailboxes: number;
  emails: number;
  attachmentBytes: number;
  concurrency: number;
  ingest: { seconds: number; emailsPerSecond: number; attachmentMBPerSecond: number; graphRequestsPerEmail: number; memory: MemoryPeak };
  rawBlobUpload: { seconds: number; MBPerSecond: number; memory: MemoryPeak };
  rawGraphDownload: { seconds: number; MBPerSecond: number; memory: MemoryPeak };
  large: { bytes: number; seconds: number; MBPerSecond: number; memory: MemoryPeak };
}

/**
 * Peak memory over a baseline. Every sample follows a full gc, so the figures are what the
 * process holds (live), not garbage awaiting collection; the gc every 100 ms costs the timed run
 * a few per cent.
 */
function sampleMemory(): { stop(): MemoryPeak } {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const read = () => {
    gc();
    const m = process.memoryUsage();
    return { rss: m.rss, buffers: m.heapUsed + m.external + m.arrayBuffers };
  };
  const base = read();
  const peak = { ...base };
  const timer = setInterval(() => {
    const now = read();
    peak.rss = Math.max(peak.rss, now.rss);
    peak.buffers = Math.max(peak.buffers, now.buffers);
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return { rssMiB: round((peak.rss - base.rss) / MB, 1), buffersMiB: round((peak.buffers - base.buffers) / MB, 1) };
    },
  };
}

/** Incoming cycles for the mailboxes, `concurrency` at a time, until a pass finds nothing new. */
async function ingest(runtime: Runtime, queue: RecordingQueue, ids: string[], concurrency: number): Promise<number> {
  let stored = 0;
  let pending = ids;
  while (pending.length > 0) {
    const busy: string[] = [];
    await pool(pending, concurrency, async (id) => {
      const report = await runWorkload(runtime, incomingEngine, queue.next(id));
      stored += report.items;
      if (report.items > 0 || report.outcome !== "completed") busy.push(id);
    });
    pending = busy;
  }
  return stored;
}

export async function runAttachmentsScenario(options: { mailboxes: number; emailsPerMailbox: number; concurrency: number; largeBytes: number; log: (line: string) => void }): Promise<AttachmentsResult> {
  const backend = await startBackend({ azurite: "memory" });
  try {
    const { runtime, queue } = await createBenchRuntime(backend.env);
    await putBenchProfile(runtime, "bench");
    const boxes = await backend.addMailboxes("attach", options.mailboxes);
    const ids = await seedMailboxes(runtime, queue, boxes, "bench");
    const emails = options.mailboxes * options.emailsPerMailbox;
    const base = Date.now() - 3_600_000;
    const batch: DeliverMessageInput[] = Array.from({ length: emails }, (_, i) => {
      const box = boxes[i % boxes.length]!;
      return {
        mailbox: box.address,
        subject: `Quote ${i}`,
        body: { contentType: "html", content: `<p>Quote ${i} attached.</p>` },
        from: { address: `customer${i % 13}@fabrikam.example` },
        to: [{ address: box.address }],
        receivedDateTime: new Date(base + i * 10).toISOString(),
        attachedFiles: [{ name: `quote-${i}.pdf`, contentType: "application/pdf", size: MB }],
      };
    });
    for (let i = 0; i < batch.length; i += 200) await backend.deliverBatch(batch.slice(i, i + 200));

    // The same Azurite, the same number of 1 MB blobs, the same concurrency, from memory.
    options.log(`  raw blob upload: ${emails} × 1 MB, ${options.concurrency} at a time`);
    const container = runtime.storage.container(blobContainers.largeText);
    const bytes = Buffer.alloc(MB, 7);
    let memory = sampleMemory();
    let started = performance.now();
    await pool(Array.from({ length: emails }, (_, i) => i), options.concurrency, async (i) => {
      await container.getBlockBlobClient(`bench-raw/${i}`).upload(bytes, bytes.length);
    });
    let seconds = (performance.now() - started) / 1000;
    const rawBlobUpload = { seconds: round(seconds, 2), MBPerSecond: round(emails / seconds, 1), memory: memory.stop() };

    // The other half of the path alone: every attachment's $value from the simulator, read and dropped.
    options.log(`  raw Graph download: ${emails} × 1 MB $value, ${options.concurrency} at a time`);
    const values: string[] = [];
    for (const box of boxes) {
      for (const message of await backend.sim.listMessages(box.address, "inbox")) {
        const listed = await runtime.graph.get<{ value: Array<{ id: string }> }>(`/users/${box.id}/messages/${encodeURIComponent(String(message.id))}/attachments?$select=id`);
        values.push(`/users/${box.id}/messages/${encodeURIComponent(String(message.id))}/attachments/${encodeURIComponent(listed.value[0]!.id)}/$value`);
      }
    }
    memory = sampleMemory();
    started = performance.now();
    await pool(values, options.concurrency, async (path) => {
      await runtime.graph.getStream(path, async (body) => {
        for await (const _chunk of body) void _chunk;
      });
    });
    seconds = (performance.now() - started) / 1000;
    const rawGraphDownload = { seconds: round(seconds, 2), MBPerSecond: round(values.length / seconds, 1), memory: memory.stop() };

    options.log(`  ingest: ${emails} emails with a 1 MB attachment, ${options.concurrency} mailbox cycles at a time`);
    // Attachments come with tracked mail only: the organization tracks every message here.
    const org = await runtime.orgSettings.get({ fresh: true });
    await runtime.orgSettings.put({ ...org, defaultTrackOption: "all" });
    await backend.sim.resetStats();
    memory = sampleMemory();
    started = performance.now();
    const stored = await ingest(runtime, queue, ids, options.concurrency);
    seconds = (performance.now() - started) / 1000;
    const ingestMemory = memory.stop();
    const stats = await backend.sim.stats();
    if (stored !== emails) options.log(`  warning: ${stored} of ${emails} emails stored`);
    const imported = (await Promise.all(ids.map(async (id) => (await runtime.emails.listForMailbox(id, { pageSize: 1000 })).items))).flat();
    const withFiles = (await Promise.all(imported.map(async (e) => (await runtime.emailAttachments.read(e.id)).attachments.length))).filter((n) => n > 0).length;
    if (withFiles !== emails) options.log(`  warning: ${withFiles} of ${emails} emails have their attachment stored`);

    options.log(`  one ${round(options.largeBytes / MB, 0)} MB attachment`);
    const [largeBox] = await backend.addMailboxes("attach-large", 1);
    const [largeId] = await seedMailboxes(runtime, queue, [largeBox!], "bench");
    await backend.sim.deliverMessage({ mailbox: largeBox!.address, subject: "Large", from: { address: "big@fabrikam.example" }, attachedFiles: [{ name: "large.bin", size: options.largeBytes }] });
    const settings = await runtime.orgSettings.get({ fresh: true });
    // The organization's limit is raised so the file is stored, not left out.
    await runtime.orgSettings.put({ ...settings, attachments: { ...settings.attachments, maxFileSizeBytes: 128 * MB } });
    memory = sampleMemory();
    started = performance.now();
    await ingest(runtime, queue, [largeId!], 1);
    const largeSeconds = (performance.now() - started) / 1000;
    const large = { bytes: options.largeBytes, seconds: round(largeSeconds, 2), MBPerSecond: round(options.largeBytes / MB / largeSeconds, 1), memory: memory.stop() };

    return {
      mailboxes: options.mailboxes,
      emails,
      attachmentBytes: MB,
      concurrency: options.concurrency,
      ingest: { seconds: round(seconds, 2), emailsPerSecond: round(emails / seconds, 1), attachmentMBPerSecond: round(emails / seconds, 1), graphRequestsPerEmail: round(stats.requests / emails, 2), memory: ingestMemory },
      rawBlobUpload,
      rawGraphDownload,
      large,
    };
  } finally {
    await backend.stop();
  }
}
