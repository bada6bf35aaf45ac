/**
 * A worker process for multi-worker runs: its own runtime (own MSAL cache, own connection slots,
 * own HTTP connections) over the shared backend, running its share of the mailboxes' incoming
 * cycles 16 at a time until a whole pass finds nothing new. Started by worker-pool.ts.
 *
 * In:  { env, mailboxes: [{ id, slot }], concurrency, graphLatency? } then { op: "go" }
 * Out: { ready } then { done: { cycles, items, counts, cpuMs, table, outcomes, wallMs } }
 */
import { performance } from "node:perf_hooks";
import { incomingEngine } from "../../../shared/sync/incoming/incoming-engine.js";
import { runWorkload } from "../../../shared/sync/workload-runner.js";
import type { Environment } from "../../../shared/config/settings.js";
import { createBenchRuntime } from "./fixtures.js";
import { cpuMs, pool } from "./stats.js";
import { countTableRequests } from "./table-counter.js";

interface Start {
  env: Environment;
  mailboxes: Array<{ id: string; slot: number }>;
  concurrency: number;
}

const start = await new Promise<Start>((resolve) => process.once("message", (m) => resolve(m as Start)));
const { runtime, queue } = await createBenchRuntime(start.env);
for (const m of start.mailboxes) queue.remember({ mailboxId: m.id, workload: "incoming", slot: m.slot, reason: "scheduled" });
const counter = countTableRequests(runtime);
process.send!({ ready: true });
await new Promise<void>((resolve) => process.once("message", () => resolve()));

const cpuBefore = process.cpuUsage();
const started = performance.now();
let cycles = 0;
let items = 0;
const outcomes: Record<string, number> = {};
const counts: Record<string, number> = {};
let pending = start.mailboxes.map((m) => m.id);
while (pending.length > 0) {
  const busy: string[] = [];
  await pool(pending, start.concurrency, async (id) => {
    const report = await runWorkload(runtime, incomingEngine, queue.next(id));
    cycles++;
    items += report.items;
    for (const [kind, count] of Object.entries(report.counts ?? {})) counts[kind] = (counts[kind] ?? 0) + count;
    outcomes[report.outcome] = (outcomes[report.outcome] ?? 0) + 1;
    // Done with a mailbox once a cycle completes with nothing new.
    if (report.items > 0 || report.outcome !== "completed") busy.push(id);
  });
  pending = busy;
}
process.send!({ done: { cycles, items, counts, cpuMs: cpuMs(process.cpuUsage(cpuBefore)), table: counter.snapshot(), outcomes, wallMs: performance.now() - started } });
process.disconnect();
