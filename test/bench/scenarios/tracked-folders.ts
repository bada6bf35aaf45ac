/**
 * What tracked folders add to an idle incoming cycle: mailboxes tracking 0, 5 and 25 folders under
 * their Inbox, nothing new anywhere. Each mailbox is primed (every folder's delta and the folder
 * hierarchy delta have a deltaLink), then its cycle runs again and again as the queue trigger runs
 * it. Per cycle: Graph requests (the simulator's count), table requests and worker CPU. Expected:
 * 2 requests with no tracked folder; 2 + N + 1 with N (each folder's delta, one hierarchy delta).
 */
import { performance } from "node:perf_hooks";
import type { FolderStep } from "../../../shared/domain/tracking/tracked-folders.js";
import { incomingEngine } from "../../../shared/sync/incoming/incoming-engine.js";
import { runWorkload } from "../../../shared/sync/workload-runner.js";
import { startBackend } from "../support/backend.js";
import { createBenchRuntime, putBenchProfile, seedMailboxes } from "../support/fixtures.js";
import { cpuMs, pool, round } from "../support/stats.js";
import { countTableRequests, diffCounts } from "../support/table-counter.js";

export interface TrackedFoldersResult {
  trackedFolders: number;
  mailboxes: number;
  cycles: number;
  graphRequestsPerCycle: number;
  tableTransactionsPerCycle: number;
  tableReadsPerCycle: number;
  tableWritesPerCycle: number;
  workerCpuMsPerCycle: number;
  meanCycleMs: number;
  outcomes: Record<string, number>;
}

export async function runTrackedFoldersScenario(options: { folderCounts: number[]; mailboxes: number; cyclesPerMailbox: number; concurrency: number; log: (line: string) => void }): Promise<TrackedFoldersResult[]> {
  const backend = await startBackend({ azurite: "memory" });
  try {
    const { runtime, queue } = await createBenchRuntime(backend.env);
    await putBenchProfile(runtime, "bench");
    const results: TrackedFoldersResult[] = [];
    const counter = countTableRequests(runtime);
    for (const count of options.folderCounts) {
      const simBoxes = await backend.addMailboxes(`folders${count}`, options.mailboxes);
      const ids = await seedMailboxes(runtime, queue, simBoxes, "bench");
      const idOf = (address: string) => `mbx-${address.split("@")[0]}`;
      await pool(simBoxes, 8, async (box) => {
        const inbox: FolderStep = { id: await backend.sim.folderId(box.address, "inbox"), displayName: "Inbox" };
        const topId = "bench-top";
        for (let f = 0; f < count; f++) {
          const { id } = await backend.sim.createFolder(box.address, "inbox", `Customer ${f}`);
          const at = new Date(runtime.now()).toISOString();
          await runtime.trackedFolders.put({ mailboxId: idOf(box.address), folderId: id, regarding: { type: "account", id: `acc-${f}` }, ancestry: [inbox, { id, displayName: `Customer ${f}` }], createdAt: at, updatedAt: at }, { inbox, topId });
        }
      });
      // Two cycles each: the first reads every folder (and the hierarchy) from scratch.
      for (let prime = 0; prime < 2; prime++) {
        await pool(ids, options.concurrency, async (id) => {
          const report = await runWorkload(runtime, incomingEngine, queue.next(id));
          if (report.outcome !== "completed") throw new Error(`priming ${id}: ${report.outcome} ${report.errorCode ?? report.reason ?? ""}`);
        });
      }
      await backend.sim.resetStats();
      const tableBefore = counter.snapshot();
      const cpuBefore = process.cpuUsage();
      const outcomes: Record<string, number> = {};
      let durationSum = 0;
      // Round by round: a mailbox's next cycle starts after its last one queued it, as with the queue's sessions.
      for (let round = 0; round < options.cyclesPerMailbox; round++) {
        await pool(ids, options.concurrency, async (id) => {
          const report = await runWorkload(runtime, incomingEngine, queue.next(id));
          const key = report.reason ? `${report.outcome}:${report.reason}` : report.outcome;
          outcomes[key] = (outcomes[key] ?? 0) + 1;
          durationSum += report.durationMs;
        });
      }
      const n = ids.length * options.cyclesPerMailbox;
      const cpu = cpuMs(process.cpuUsage(cpuBefore));
      const table = diffCounts(counter.snapshot(), tableBefore);
      const stats = await backend.sim.stats();
      const result: TrackedFoldersResult = {
        trackedFolders: count,
        mailboxes: ids.length,
        cycles: n,
        graphRequestsPerCycle: round(stats.requests / n, 3),
        tableTransactionsPerCycle: round(table.total / n, 3),
        tableReadsPerCycle: round(table.reads / n, 3),
        tableWritesPerCycle: round(table.writes / n, 3),
        workerCpuMsPerCycle: round(cpu / n, 3),
        meanCycleMs: round(durationSum / n, 2),
        outcomes,
      };
      options.log(`  ${count} tracked folders: ${result.graphRequestsPerCycle} Graph requests, ${result.tableTransactionsPerCycle} table requests (${result.tableReadsPerCycle} reads + ${result.tableWritesPerCycle} writes), ${result.workerCpuMsPerCycle} CPU ms, ${result.meanCycleMs} ms per idle cycle, outcomes ${JSON.stringify(outcomes)}`);
      results.push(result);
    }
    return results;
  } finally {
    await backend.stop();
  }
}
