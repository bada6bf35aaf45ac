/**
 * Idle incoming cycles: N mailboxes with nothing new. Mailboxes are seeded through the
 * repositories, each primed once (so both folders have a deltaLink), then every mailbox's cycle is
 * run again and again, the way the queue trigger runs it (runWorkload with the message the
 * previous cycle queued), 16 at a time like one Functions instance (host.json
 * maxConcurrentSessions). Azurite and the simulator run in a child process: the worker's
 * cpuUsage() is the engine's own (plus the Azure SDK and Graph client it drives).
 */
import { performance } from "node:perf_hooks";
import { incomingEngine } from "../../../shared/sync/incoming/incoming-engine.js";
import { outgoingEngine } from "../../../shared/sync/outgoing/outgoing-engine.js";
import { runWorkload } from "../../../shared/sync/workload-runner.js";
import type { CycleReport } from "../../../shared/telemetry/cycle-report.js";
import { startBackend } from "../support/backend.js";
import { createBenchRuntime, putBenchProfile, seedMailboxes } from "../support/fixtures.js";
import { profileSection } from "../support/profiler.js";
import { cpuMs, pool, round } from "../support/stats.js";
import { countTableRequests, diffCounts } from "../support/table-counter.js";

export interface IdleResult {
  mailboxes: number;
  graphLatencyMs?: [number, number];
  concurrency: number;
  cycles: number;
  wallSeconds: number;
  cyclesPerSecond: number;
  workerCpuMsPerCycle: number;
  /** 1000 / workerCpuMsPerCycle: the rate one core could sustain if storage and Graph were remote. */
  cpuBoundCyclesPerSecondPerCore: number;
  backendCpuMsPerCycle: number;
  workerEventLoopUtilization: number;
  graphRequestsPerCycle: number;
  tableTransactionsPerCycle: number;
  tableReadsPerCycle: number;
  tableWritesPerCycle: number;
  tableBatchesPerCycle: number;
  tableByTablePerCycle: Record<string, { reads: number; writes: number; batches: number }>;
  queueSendsPerCycle: number;
  meanCycleMs: number;
  outcomes: Record<string, number>;
  seedSeconds: number;
  primeSeconds: number;
  /** Idle outgoing cycles (nothing Pending Send) on the same mailboxes. */
  outgoingIdle: { cycles: number; workerCpuMsPerCycle: number; graphRequestsPerCycle: number; tableTransactionsPerCycle: number; tableReadsPerCycle: number; tableWritesPerCycle: number; queueSendsPerCycle: number; meanCycleMs: number; outcomes: Record<string, number> };
}

export async function runIdleScenario(options: { mailboxes: number; concurrency?: number; cycles?: number; profile?: string; graphLatencyMs?: [number, number]; log: (line: string) => void }): Promise<IdleResult> {
  const concurrency = options.concurrency ?? 16;
  const backend = await startBackend({ azurite: "memory" });
  try {
    const { runtime, queue } = await createBenchRuntime(backend.env);
    await putBenchProfile(runtime, "bench");
    const seedStarted = performance.now();
    const simBoxes = await backend.addMailboxes("idle", options.mailboxes);
    const ids = await seedMailboxes(runtime, queue, simBoxes, "bench", { outgoing: true });
    for (const id of ids) queue.remember({ ...queue.next(id), workload: "outgoing" });
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    options.log(`  seeded ${ids.length} mailboxes in ${round(seedSeconds, 1)} s`);

    // One cycle each: a first delta round per folder, so every folder has a deltaLink.
    const primeStarted = performance.now();
    await pool(ids, concurrency, async (id) => {
      const report = await runWorkload(runtime, incomingEngine, queue.next(id));
      if (report.outcome !== "completed") throw new Error(`priming ${id}: ${report.outcome} ${report.errorCode ?? report.reason ?? ""}`);
    });
    const primeSeconds = (performance.now() - primeStarted) / 1000;
    options.log(`  primed in ${round(primeSeconds, 1)} s`);

    if (options.graphLatencyMs) await backend.sim.setLatency({ minMs: options.graphLatencyMs[0], maxMs: options.graphLatencyMs[1] });
    const counter = countTableRequests(runtime);
    const targetCycles = options.cycles ?? Math.max(ids.length, 2000);
    const order = Array.from({ length: targetCycles }, (_, i) => ids[i % ids.length]!);
    await backend.sim.resetStats();
    const queueBefore = queue.sent;
    const tableBefore = counter.snapshot();
    const backendBefore = await backend.usage();
    const eluBefore = performance.eventLoopUtilization();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const outcomes: Record<string, number> = {};
    let durationSum = 0;
    await profileSection(options.profile, () =>
      pool(order, concurrency, async (id) => {
        const report: CycleReport = await runWorkload(runtime, incomingEngine, queue.next(id));
        outcomes[report.outcome] = (outcomes[report.outcome] ?? 0) + 1;
        durationSum += report.durationMs;
      }),
    );
    const wallMs = performance.now() - started;
    const cpu = cpuMs(process.cpuUsage(cpuBefore));
    const elu = performance.eventLoopUtilization(eluBefore);
    const backendAfter = await backend.usage();
    const table = diffCounts(counter.snapshot(), tableBefore);
    const stats = await backend.sim.stats();
    const n = order.length;
    const incomingSends = queue.sent - queueBefore;

    // Idle outgoing cycles: the same mailboxes, nothing Pending Send.
    const outgoingOrder = ids.slice(0, Math.min(ids.length, 2000));
    await backend.sim.resetStats();
    const oTable = counter.snapshot();
    const oQueue = queue.sent;
    const oCpu = process.cpuUsage();
    const oOutcomes: Record<string, number> = {};
    let oDuration = 0;
    await pool(outgoingOrder, concurrency, async (id) => {
      const report = await runWorkload(runtime, outgoingEngine, queue.next(id, "outgoing"));
      oOutcomes[report.outcome] = (oOutcomes[report.outcome] ?? 0) + 1;
      oDuration += report.durationMs;
    });
    const on = outgoingOrder.length;
    const oCounts = diffCounts(counter.snapshot(), oTable);
    const oStats = await backend.sim.stats();
    const outgoingIdle = {
      cycles: on,
      workerCpuMsPerCycle: round(cpuMs(process.cpuUsage(oCpu)) / on, 3),
      graphRequestsPerCycle: round(oStats.requests / on, 3),
      tableTransactionsPerCycle: round(oCounts.total / on, 3),
      tableReadsPerCycle: round(oCounts.reads / on, 3),
      tableWritesPerCycle: round(oCounts.writes / on, 3),
      queueSendsPerCycle: round((queue.sent - oQueue) / on, 3),
      meanCycleMs: round(oDuration / on, 2),
      outcomes: oOutcomes,
    };
    const byTable = Object.fromEntries(
      Object.entries(table.byTable)
        .filter(([, c]) => c.reads + c.writes + c.batches > 0)
        .map(([name, c]) => [name, { reads: round(c.reads / n, 3), writes: round(c.writes / n, 3), batches: round(c.batches / n, 3) }]),
    );
    return {
      mailboxes: ids.length,
      graphLatencyMs: options.graphLatencyMs,
      concurrency,
      cycles: n,
      wallSeconds: round(wallMs / 1000, 2),
      cyclesPerSecond: round(n / (wallMs / 1000), 1),
      workerCpuMsPerCycle: round(cpu / n, 3),
      cpuBoundCyclesPerSecondPerCore: round(1000 / (cpu / n), 0),
      backendCpuMsPerCycle: round((cpuMs(backendAfter.cpu) - cpuMs(backendBefore.cpu)) / n, 3),
      workerEventLoopUtilization: round(elu.utilization, 3),
      graphRequestsPerCycle: round(stats.requests / n, 3),
      tableTransactionsPerCycle: round(table.total / n, 3),
      tableReadsPerCycle: round(table.reads / n, 3),
      tableWritesPerCycle: round(table.writes / n, 3),
      tableBatchesPerCycle: round(table.batches / n, 3),
      tableByTablePerCycle: byTable,
      queueSendsPerCycle: round(incomingSends / n, 3),
      meanCycleMs: round(durationSum / n, 2),
      outcomes,
      seedSeconds: round(seedSeconds, 1),
      primeSeconds: round(primeSeconds, 1),
      outgoingIdle,
    };
  } finally {
    await backend.stop();
  }
}
