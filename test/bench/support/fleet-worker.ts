/**
 * The fleet benchmark's worker: the product's function definitions on the local host's parts (the
 * in-process bus taking host.json's sessions per queue, the timers every minute as in Azure, the
 * HTTP functions on a port) over Table/Blob Storage in another process, so its CPU is the
 * product's own. Started by fleet-worker-client.ts (fork with IPC).
 *
 * In:  { start: { env, port } }, then { id, op: "snapshot" }
 * Out: { ready: { apiUrl } }, then { id, result: FleetSnapshot }
 *
 * What it counts, without touching the product's code: every cycle's report (local host onCycle),
 * with the reason of the message that started it (the bus's handlers are wrapped when they
 * subscribe); table requests by the runtime's pipelines; the bus's operations; CPU, event-loop use,
 * and the peaks of RSS and heap, sampled every 250 ms.
 */
import { performance } from "node:perf_hooks";
import type { Environment } from "../../../shared/config/settings.js";
import { InProcessServiceBus, type QueueHandler } from "../../../shared/queues/in-process-bus.js";
import type { WorkloadMessageBody } from "../../../shared/queues/work-queue.js";
import { emptyOperations, type SessionTriggerOperations } from "../../../shared/queues/trigger-operations.js";
import { queueNames } from "../../../shared/config/names.js";
import type { CycleReport } from "../../../shared/telemetry/cycle-report.js";
import { startLocalHost } from "../../tools/local-host/local-host.js";
import { countTableRequests, type TableCounts } from "./table-counter.js";

/** Why a cycle ran: a change notification, the safety-net (or polling) round, a retry after a failure or a wait, a Send. */
export type CycleCause = "notification" | "scheduled" | "retry" | "send";

export interface CycleTotals {
  cycles: number;
  /** Cycles that took in (or sent) something. */
  busy: number;
  items: number;
  graphRequests: number;
  graphRequestsOfIdleCycles: number;
  idleCycles: number;
  durationMs: number;
  byCause: Record<CycleCause, number>;
  byOutcome: Record<string, number>;
}

export interface FleetSnapshot {
  at: number;
  cpuMs: number;
  /** Event loop: active and idle time since start (performance.eventLoopUtilization). */
  elu: { active: number; idle: number };
  peakRssBytes: number;
  peakHeapUsedBytes: number;
  rssBytes: number;
  heapUsedBytes: number;
  table: TableCounts;
  bus: { sends: number; deliveries: number; settled: number };
  /** What Service Bus would bill, summed over the work queues (the bus counts it as the session trigger would incur it). */
  serviceBus: SessionTriggerOperations;
  cycles: Record<string, CycleTotals>;
  /** Mailboxes whose incoming cycle has completed at least once. */
  incomingSynced: number;
  /** Notification POSTs the push route answered. */
  notificationPosts: number;
}

interface Start {
  env: Environment;
  port: number;
}

const start = await new Promise<Start>((resolve) => process.once("message", (m: { start: Start }) => resolve(m.start)));

const emptyTotals = (): CycleTotals => ({ cycles: 0, busy: 0, items: 0, graphRequests: 0, graphRequestsOfIdleCycles: 0, idleCycles: 0, durationMs: 0, byCause: { notification: 0, scheduled: 0, retry: 0, send: 0 }, byOutcome: {} });
const cycles: Record<string, CycleTotals> = {};
const running = new Map<string, CycleCause>();
const lastOutcome = new Map<string, string>();
const incomingSynced = new Set<string>();
const bus = { sends: 0, deliveries: 0, settled: 0 };

// The bus's handlers, wrapped as they subscribe: the cause of each cycle, and the bus's traffic.
const subscribe = InProcessServiceBus.prototype.subscribe;
InProcessServiceBus.prototype.subscribe = function (this: InProcessServiceBus, queueName: string, handler: QueueHandler, options?: { maxConcurrentCalls?: number }) {
  return subscribe.call(this, queueName, async (body, delivery) => {
    bus.deliveries++;
    const message = body as WorkloadMessageBody;
    const key = `${message.workload}:${message.mailboxId}`;
    const previous = lastOutcome.get(key);
    const cause: CycleCause =
      message.reason === "push" ? "notification" : message.reason === "nudge" ? "send" : delivery.deliveryCount > 1 || previous === "failed" || previous === "throttled" ? "retry" : "scheduled";
    running.set(key, cause);
    try {
      await handler(body, delivery);
    } finally {
      running.delete(key);
      bus.settled++;
    }
  }, options);
};
const send = InProcessServiceBus.prototype.send;
InProcessServiceBus.prototype.send = function (this: InProcessServiceBus, queueName, messages) {
  bus.sends += messages.length;
  return send.call(this, queueName, messages);
};

function onCycle(report: CycleReport): void {
  const key = `${report.workload}:${report.mailboxId}`;
  const totals = (cycles[report.workload] ??= emptyTotals());
  totals.cycles++;
  totals.byCause[running.get(key) ?? "scheduled"]++;
  totals.byOutcome[report.outcome] = (totals.byOutcome[report.outcome] ?? 0) + 1;
  totals.items += report.items;
  totals.graphRequests += report.graphRequests;
  totals.durationMs += report.durationMs;
  if (report.items > 0) totals.busy++;
  else if (report.outcome === "completed") {
    totals.idleCycles++;
    totals.graphRequestsOfIdleCycles += report.graphRequests;
  }
  lastOutcome.set(key, report.outcome);
  if (report.workload === "incoming" && report.outcome === "completed") incomingSynced.add(report.mailboxId);
}

const host = await startLocalHost({
  env: { ...process.env, ...start.env } as Environment,
  host: "127.0.0.1",
  httpPort: start.port,
  dataDir: "",
  inMemory: true,
  // The timers as Azure runs them: every minute.
  schedulerIntervalMs: 60_000,
  realMailboxes: [],
  log: (line) => process.stdout.write(`[fleet worker] ${line}\n`),
  verbose: false,
  storageConnectionString: start.env.SyncStorage,
  onCycle,
});
const table = countTableRequests(host.runtime);

let notificationPosts = 0;
const intake = host.runtime.notificationIntake;
const acceptChanges = intake.acceptChanges.bind(intake);
intake.acceptChanges = async (runtime, body) => {
  notificationPosts++;
  return acceptChanges(runtime, body);
};

const cpuStart = process.cpuUsage();
const eluStart = performance.eventLoopUtilization();
let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  const memory = process.memoryUsage();
  peakRss = Math.max(peakRss, memory.rss);
  peakHeap = Math.max(peakHeap, memory.heapUsed);
  return memory;
};
setInterval(sample, 250).unref();

function snapshot(): FleetSnapshot {
  const cpu = process.cpuUsage(cpuStart);
  const elu = performance.eventLoopUtilization(eluStart);
  const memory = sample();
  return {
    at: Date.now(),
    cpuMs: (cpu.user + cpu.system) / 1000,
    elu: { active: elu.active, idle: elu.idle },
    peakRssBytes: peakRss,
    peakHeapUsedBytes: peakHeap,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    table: table.snapshot(),
    bus: { ...bus },
    serviceBus: Object.values(queueNames).reduce((total, name) => {
      const ops = host.bus.operations(name);
      for (const key of Object.keys(total) as Array<keyof SessionTriggerOperations>) total[key] += ops[key];
      return total;
    }, emptyOperations()),
    cycles: structuredClone(cycles),
    incomingSynced: incomingSynced.size,
    notificationPosts,
  };
}

process.on("message", (message: { id?: number; op?: string }) => {
  if (message.op === "snapshot") process.send!({ id: message.id, result: snapshot() });
});
process.on("disconnect", () => void host.stop().then(() => process.exit(0)));
process.send!({ ready: { apiUrl: host.url } });
