/**
 * Ingest: mail delivered to the simulator (bulk, all at once) until every message is a stored
 * activity, by 1..N worker processes running incoming cycles 16 at a time. Emails per second are
 * counted from the end of delivery to the end of the last cycle that found something; table
 * transactions and Graph requests are per stored email.
 */
import { performance } from "node:perf_hooks";
import type { TrackingSettings } from "../../../shared/domain/tracking/tracking-settings.js";
import type { Runtime } from "../../../shared/runtime.js";
import type { DeliverMessageInput } from "../../tools/exchange-simulator/index.js";
import { startBackend } from "../support/backend.js";
import { createBenchRuntime, putBenchProfile, putBenchTracking, seedMailboxes } from "../support/fixtures.js";
import { round } from "../support/stats.js";
import { emptyCounts } from "../support/table-counter.js";
import { startWorkers } from "../support/worker-pool.js";

export interface IngestResult {
  workers: number;
  mailboxes: number;
  emails: number;
  bodyBytes: number;
  graphLatencyMs?: [number, number];
  seconds: number;
  emailsPerSecond: number;
  emailsPerSecondPerMailbox: number;
  workerCpuMsPerEmail: number;
  backendCpuMsPerEmail: number;
  tableTransactionsPerEmail: number;
  tableBatchOperationsPerEmail: number;
  graphRequestsPerEmail: number;
  cycles: number;
  outcomes: Record<string, number>;
  /** Messages that became activities and messages left alone, by the cycle reports. */
  tracked: number;
  untracked: number;
}

/** The mail of an ingest run: the i-th message to a mailbox (received times are set by the scenario). */
export type IngestMessage = (i: number, box: { id: string; address: string }) => Omit<DeliverMessageInput, "receivedDateTime">;

export const plainIngestMessage = (bodyBytes: number): IngestMessage => (i, box) => ({
  mailbox: box.address,
  subject: `Ingest ${i}`,
  body: { contentType: "html", content: bodyOf(bodyBytes, i) },
  from: { address: `customer${i % 97}@fabrikam.example`, name: `Customer ${i % 97}` },
  to: [{ address: box.address }],
});

export function bodyOf(bytes: number, i: number): string {
  const sentence = `<p>Message ${i}: thanks for your order; the quote and the delivery schedule follow below. </p>`;
  return `<html><body>${sentence.repeat(Math.max(1, Math.ceil(bytes / sentence.length)))}</body></html>`.slice(0, bytes);
}

export async function runIngestScenario(options: {
  workers: number;
  mailboxes: number;
  emailsPerMailbox: number;
  bodyBytes?: number;
  graphLatencyMs?: [number, number];
  concurrency?: number;
  /** The organization's tracking settings for the run (default: every message tracked). */
  tracking?: Partial<TrackingSettings>;
  /** Store-side setup before the mail arrives (records, earlier activities). */
  prepare?: (runtime: Runtime, mailboxes: Array<{ id: string; address: string; mailboxId: string }>) => Promise<void>;
  message?: IngestMessage;
  log: (line: string) => void;
}): Promise<IngestResult> {
  const bodyBytes = options.bodyBytes ?? 4096;
  const backend = await startBackend({ azurite: "memory" });
  try {
    const { runtime, queue } = await createBenchRuntime(backend.env);
    await putBenchProfile(runtime, "bench");
    await putBenchTracking(runtime, options.tracking);
    const simBoxes = await backend.addMailboxes("ingest", options.mailboxes);
    const ids = await seedMailboxes(runtime, queue, simBoxes, "bench");
    // seedMailboxes names each mailbox record after its address.
    await options.prepare?.(runtime, simBoxes.map((box) => ({ ...box, mailboxId: `mbx-${box.address.split("@")[0]}` })));
    const message = options.message ?? plainIngestMessage(bodyBytes);
    const pool = await startWorkers(options.workers, backend.env, ids.map((id) => ({ id, slot: queue.next(id).slot })), options.concurrency ?? 16);
    if (options.graphLatencyMs) await backend.sim.setLatency({ minMs: options.graphLatencyMs[0], maxMs: options.graphLatencyMs[1] });

    const total = options.mailboxes * options.emailsPerMailbox;
    const base = Date.now() - 3_600_000;
    for (let offset = 0; offset < total; offset += 500) {
      const batch: DeliverMessageInput[] = [];
      for (let i = offset; i < Math.min(total, offset + 500); i++) {
        const box = simBoxes[i % simBoxes.length]!;
        batch.push({ ...message(i, box), receivedDateTime: new Date(base + i * 10).toISOString() } as DeliverMessageInput);
      }
      await backend.deliverBatch(batch);
    }
    await backend.sim.resetStats();
    const backendBefore = await backend.usage();
    const started = performance.now();
    const results = await pool.go();
    const seconds = (performance.now() - started) / 1000;
    const backendAfter = await backend.usage();
    const stats = await backend.sim.stats();
    const stored = results.reduce((s, r) => s + r.items, 0);
    if (stored !== total) options.log(`  warning: ${stored} of ${total} emails reported stored`);
    const table = results.reduce((acc, r) => {
      acc.total += r.table.total;
      acc.batchOperations += r.table.batchOperations;
      return acc;
    }, emptyCounts());
    const outcomes: Record<string, number> = {};
    for (const r of results) for (const [k, v] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
    const backendCpu = (backendAfter.cpu.user + backendAfter.cpu.system - backendBefore.cpu.user - backendBefore.cpu.system) / 1000;
    return {
      workers: options.workers,
      mailboxes: options.mailboxes,
      emails: total,
      bodyBytes,
      graphLatencyMs: options.graphLatencyMs,
      seconds: round(seconds, 2),
      emailsPerSecond: round(total / seconds, 1),
      emailsPerSecondPerMailbox: round(total / seconds / options.mailboxes, 2),
      workerCpuMsPerEmail: round(results.reduce((s, r) => s + r.cpuMs, 0) / total, 3),
      backendCpuMsPerEmail: round(backendCpu / total, 3),
      tableTransactionsPerEmail: round(table.total / total, 3),
      tableBatchOperationsPerEmail: round(table.batchOperations / total, 3),
      graphRequestsPerEmail: round(stats.requests / total, 3),
      cycles: results.reduce((s, r) => s + r.cycles, 0),
      outcomes,
      tracked: results.reduce((s, r) => s + (r.counts.tracked ?? 0), 0),
      untracked: results.reduce((s, r) => s + (r.counts.untracked ?? 0), 0),
    };
  } finally {
    await backend.stop();
  }
}
