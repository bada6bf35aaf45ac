/**
 * The scheduler's tick over a large mailboxes table: N mailbox rows, a share of them due, seeded in
 * entity group transactions (100 rows per shard partition) from a mailbox written by the
 * repository, so the rows are exactly what the product writes. Measures the tick that queues and
 * claims the due ones, then the steady-state tick that finds none due; duration, table requests,
 * and the worker's heap and RSS.
 */
import { performance } from "node:perf_hooks";
import { tableNames } from "../../../shared/config/names.js";
import { newMailbox } from "../../../shared/domain/mailbox.js";
import { dueKey } from "../../../shared/domain/schedule.js";
import { runSchedulerTick } from "../../../shared/scheduler/scheduler.js";
import { mailboxShard } from "../../../shared/storage/mailbox-repository.js";
import { startBackend } from "../support/backend.js";
import { createBenchRuntime, putBenchProfile } from "../support/fixtures.js";
import { pool, round } from "../support/stats.js";
import { countTableRequests, diffCounts } from "../support/table-counter.js";

export interface TickFigures {
  due: number;
  queued: number;
  conflicts: number;
  durationMs: number;
  tableRequests: number;
  heapDeltaMiB: number;
  peakRssMiB: number;
}

export interface SchedulerResult {
  mailboxes: number;
  dueShare: number;
  seedSeconds: number;
  dueTick: TickFigures;
  steadyTick: TickFigures;
}

export async function runSchedulerScenario(options: { mailboxes: number; dueShare: number; log: (line: string) => void }): Promise<SchedulerResult> {
  const backend = await startBackend({ azurite: "memory" });
  try {
    const { runtime, queue } = await createBenchRuntime(backend.env);
    await putBenchProfile(runtime, "bench");
    const now = Date.now();
    const template = newMailbox(
      { id: "template", emailAddress: "template@contoso.example", profileId: "bench", approved: true, methods: { incoming: "ServerSideSync" }, enabled: { incoming: true } },
      now,
    );
    await runtime.mailboxes.put(template);
    const table = runtime.storage.table(tableNames.mailboxes);
    const raw = await table.getEntity<Record<string, unknown>>(mailboxShard("template"), "template");
    await table.deleteEntity(mailboxShard("template"), "template");
    const { etag: _etag, timestamp: _timestamp, "odata.metadata": _meta, ...fields } = raw as Record<string, unknown>;
    const seedStarted = performance.now();
    const byShard = new Map<string, Array<Record<string, unknown>>>();
    const dueEvery = Math.max(1, Math.round(1 / options.dueShare));
    for (let i = 0; i < options.mailboxes; i++) {
      const id = `sched-${String(i).padStart(6, "0")}`;
      const due = i % dueEvery === 0;
      const slot = due ? now - 60_000 : now + 120_000 + (i % 600) * 1000;
      const entity = { ...fields, partitionKey: mailboxShard(id), rowKey: id, emailAddress: `${id}@contoso.example`, incomingNextSlot: slot, incomingDueAt: dueKey(due ? slot : slot + 540_000) };
      const list = byShard.get(entity.partitionKey) ?? [];
      list.push(entity);
      byShard.set(entity.partitionKey, list);
    }
    const batches: Array<Array<Record<string, unknown>>> = [];
    for (const list of byShard.values()) for (let i = 0; i < list.length; i += 100) batches.push(list.slice(i, i + 100));
    await pool(batches, 8, async (batch) => {
      await table.submitTransaction(batch.map((e) => ["upsert", e as { partitionKey: string; rowKey: string }, "Replace"]));
    });
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    options.log(`  seeded ${options.mailboxes} mailbox rows in ${round(seedSeconds, 1)} s`);
    const counter = countTableRequests(runtime);

    const measure = async (): Promise<TickFigures> => {
      (globalThis as { gc?: () => void }).gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      let peakRss = process.memoryUsage().rss;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
      const before = counter.snapshot();
      const started = performance.now();
      const report = await runSchedulerTick(runtime, { workloads: ["incoming"] });
      const durationMs = performance.now() - started;
      clearInterval(sampler);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      const heapAfter = process.memoryUsage().heapUsed;
      return {
        due: report.due,
        queued: report.queued,
        conflicts: report.conflicts,
        durationMs: round(durationMs, 0),
        tableRequests: diffCounts(counter.snapshot(), before).total,
        heapDeltaMiB: round((heapAfter - heapBefore) / 1024 ** 2, 1),
        peakRssMiB: round(peakRss / 1024 ** 2, 0),
      };
    };
    const dueTick = await measure();
    const steadyTick = await measure();
    if (queue.sent !== dueTick.queued) options.log(`  warning: ${queue.sent} messages sent for ${dueTick.queued} queued`);
    return { mailboxes: options.mailboxes, dueShare: options.dueShare, seedSeconds: round(seedSeconds, 1), dueTick, steadyTick };
  } finally {
    await backend.stop();
  }
}
