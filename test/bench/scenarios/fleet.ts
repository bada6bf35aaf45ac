/**
 * The fleet (`--only fleet`): a whole organization on one small machine. N mailboxes on the local
 * host's parts — the simulator in one process, Azurite in another, one worker process running the
 * product's functions (fleet-worker.ts: the in-process bus taking host.json's sessions per queue,
 * the timers every minute, the API and the push route over HTTP) — enabled as an admin would (the
 * API: settings, a profile, PUT each mailbox, bulk Test & Enable), then:
 *   idle    no mail: what the fleet costs doing nothing (safety-net or polling rounds);
 *   steady  mail at the realistic rate (50 per mailbox per day, Poisson);
 *   burst   10× that for a minute;
 *   drain   until every sampled message is readable.
 * Delivery → readable is sampled (about two messages a second, each watched through
 * GET /api/emails until it shows). The worker's CPU, event-loop use and memory, the table requests
 * of its runtime, its bus traffic, the cycles by cause, and Azurite's and the simulator's CPU
 * apart, are taken at each phase's edges.
 */
import { freePort } from "../../support/free-port.js";
import { performance } from "node:perf_hooks";
import { startBackend, type Backend } from "../support/backend.js";
import { startFleetWorker, type FleetWorker } from "../support/fleet-worker-client.js";
import type { CycleCause, FleetSnapshot } from "../support/fleet-worker.js";
import { watchUntilReadable, type PendingDelivery } from "../support/readable-watcher.js";
import { cpuMs, pool, quantile, round, sleep } from "../support/stats.js";
import { fleetCost, type FleetCost } from "../fleet-cost.js";
import { totalOperations } from "../../../shared/queues/trigger-operations.js";
import { loadSettings } from "../../../shared/config/settings.js";
import { newMailbox } from "../../../shared/domain/mailbox.js";
import { InProcessServiceBus } from "../../../shared/queues/in-process-bus.js";
import { alignSubscriptions } from "../../../shared/push/subscription-service.js";
import { createRuntime } from "../../../shared/runtime.js";
import { createMailbox } from "../../../shared/sync/mailbox-mapping.js";

export interface FleetOptions {
  mailboxes: number;
  push: boolean;
  /**
   * "api": as an admin would (PUT each mailbox, bulk Test & Enable). "seed": the mailbox rows and
   * their claims written through the repositories and the subscriptions made by the product's
   * subscription service, from the bench process, then made due for the scheduler — for fleets
   * where enabling through the API would take most of the hour on this machine's two cores.
   */
  enable: "api" | "seed";
  idleSeconds: number;
  steadySeconds: number;
  burstSeconds: number;
  drainSeconds: number;
  mailPerMailboxPerDay: number;
  burstFactor: number;
  /** Messages watched until readable, per second of delivery (the rest are delivered unwatched). */
  samplesPerSecond: number;
  log: (line: string) => void;
}

export interface Latency {
  samples: number;
  missing: number;
  p50Seconds: number;
  p95Seconds: number;
  p99Seconds: number;
  maxSeconds: number;
}

export interface PhaseFigures {
  seconds: number;
  emailsDelivered: number;
  emailsStored: number;
  cyclesPerSecond: number;
  cyclesPerSecondByCause: Record<CycleCause, number>;
  workerCores: number;
  workerCpuMsPerCycle: number;
  workerCpuMsPerEmail: number | null;
  eventLoopUtilization: number;
  graphRequestsPerEmail: number | null;
  graphRequestsPerIdleCycle: number | null;
  tableTransactionsPerCycle: number;
  /** Beyond what the phase's idle cycles cost at the idle phase's rate. */
  tableTransactionsPerEmail: number | null;
  serviceBusOperationsPerMailboxHour: number;
  notificationPostsPerSecond: number;
  azuriteCores: number;
  simulatorCores: number;
  /** Per mailbox per hour, for the cost model. */
  perMailboxHour: { executions: number; tableTransactions: number; serviceBusOperations: number };
}

export interface FleetRow {
  mailboxes: number;
  push: boolean;
  enable: { method: "api" | "seed"; createSeconds: number; testAndEnableSeconds: number; firstSyncSeconds: number; totalSeconds: number; failed: number; subscriptions: number | null };
  idle: PhaseFigures;
  steady: PhaseFigures;
  burst: PhaseFigures;
  latency: { steady: Latency; burst: Latency };
  peakRssMiB: number;
  peakHeapMiB: number;
  cost: FleetCost;
}

function cycleSums(s: FleetSnapshot) {
  const all = Object.values(s.cycles);
  const add = (pick: (t: (typeof all)[number]) => number) => all.reduce((acc, t) => acc + pick(t), 0);
  const byCause = { notification: 0, scheduled: 0, retry: 0, send: 0 } as Record<CycleCause, number>;
  for (const t of all) for (const [cause, n] of Object.entries(t.byCause)) byCause[cause as CycleCause] += n;
  return {
    cycles: add((t) => t.cycles),
    items: add((t) => t.items),
    graph: add((t) => t.graphRequests),
    graphIdle: add((t) => t.graphRequestsOfIdleCycles),
    idleCycles: add((t) => t.idleCycles),
    byCause,
  };
}

interface Edge {
  worker: FleetSnapshot;
  azuriteCpuMs: number;
  simulatorCpuMs: number;
  delivered: number;
  at: number;
}

function phase(a: Edge, b: Edge, mailboxes: number, idleTablePerCycle: number | null): PhaseFigures {
  const seconds = (b.at - a.at) / 1000;
  const ca = cycleSums(a.worker);
  const cb = cycleSums(b.worker);
  const cycles = cb.cycles - ca.cycles;
  const items = cb.items - ca.items;
  const idleCycles = cb.idleCycles - ca.idleCycles;
  const cpu = b.worker.cpuMs - a.worker.cpuMs;
  const active = b.worker.elu.active - a.worker.elu.active;
  const idle = b.worker.elu.idle - a.worker.elu.idle;
  const table = b.worker.table.total - a.worker.table.total;
  const serviceBusOperations = totalOperations(b.worker.serviceBus) - totalOperations(a.worker.serviceBus);
  const posts = b.worker.notificationPosts - a.worker.notificationPosts;
  const hours = seconds / 3600;
  const graphBusy = cb.graph - ca.graph - (cb.graphIdle - ca.graphIdle);
  const tableForMail = idleTablePerCycle === null ? null : table - idleCycles * idleTablePerCycle;
  const byCause = Object.fromEntries(Object.keys(cb.byCause).map((k) => [k, round((cb.byCause[k as CycleCause] - ca.byCause[k as CycleCause]) / seconds, 2)])) as Record<CycleCause, number>;
  return {
    seconds: round(seconds, 1),
    emailsDelivered: b.delivered - a.delivered,
    emailsStored: items,
    cyclesPerSecond: round(cycles / seconds, 2),
    cyclesPerSecondByCause: byCause,
    workerCores: round(cpu / (seconds * 1000), 3),
    workerCpuMsPerCycle: round(cpu / Math.max(1, cycles), 2),
    workerCpuMsPerEmail: items > 0 ? round(cpu / items, 2) : null,
    eventLoopUtilization: round(active / Math.max(1, active + idle), 3),
    graphRequestsPerEmail: items > 0 ? round(graphBusy / items, 2) : null,
    graphRequestsPerIdleCycle: idleCycles > 0 ? round((cb.graphIdle - ca.graphIdle) / idleCycles, 2) : null,
    tableTransactionsPerCycle: round(table / Math.max(1, cycles), 2),
    tableTransactionsPerEmail: items > 0 && tableForMail !== null ? round(tableForMail / items, 2) : null,
    serviceBusOperationsPerMailboxHour: round(serviceBusOperations / mailboxes / hours, 2),
    notificationPostsPerSecond: round(posts / seconds, 2),
    azuriteCores: round((b.azuriteCpuMs - a.azuriteCpuMs) / (seconds * 1000), 3),
    simulatorCores: round((b.simulatorCpuMs - a.simulatorCpuMs) / (seconds * 1000), 3),
    perMailboxHour: {
      executions: (cycles + posts) / mailboxes / hours,
      tableTransactions: table / mailboxes / hours,
      serviceBusOperations: serviceBusOperations / mailboxes / hours,
    },
  };
}

function latency(values: number[], missing: number): Latency {
  return {
    samples: values.length,
    missing,
    p50Seconds: round(quantile(values, 0.5), 2),
    p95Seconds: round(quantile(values, 0.95), 2),
    p99Seconds: round(quantile(values, 0.99), 2),
    maxSeconds: values.length ? round(Math.max(...values), 2) : NaN,
  };
}

const check = (what: string, r: { status: number; body: unknown }) => {
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
};

/** The tenant's mailboxes in the simulator, and the product's settings and profile through the API. */
async function fleetTenant(worker: FleetWorker, sim: Backend, mailboxes: number) {
  const created = await sim.addMailboxes("fleet", mailboxes);
  const addresses = created.map((m) => m.address);
  const ids = addresses.map((_, i) => `fleet-${i}`);
  // Every message tracked (the dearest option): the figures per email are an upper bound, and each sampled message shows in GET /api/emails.
  check("settings", await worker.api("PUT", "settings", { requireApprovedMailboxes: false, defaultTrackOption: "all", autoTrackSentFolderItems: true }));
  check("profile", await worker.api("PUT", "profiles/fleet", { name: "Fleet", maxConcurrentConnections: 300 }));
  return { created, addresses, ids };
}

/** Waits until every mailbox's incoming workload has completed a cycle. */
async function untilFirstCycles(worker: FleetWorker, sim: Backend, mailboxes: number, push: boolean, log: (line: string) => void) {
  const started = performance.now();
  for (;;) {
    const snapshot = await worker.snapshot();
    if (snapshot.incomingSynced >= mailboxes) break;
    if (performance.now() - started > 30 * 60_000) throw new Error(`only ${snapshot.incomingSynced} of ${mailboxes} mailboxes had a first incoming cycle after 30 minutes`);
    await sleep(2_000);
  }
  const firstSyncSeconds = (performance.now() - started) / 1000;
  const subscriptions = push ? (await sim.sim.listSubscriptions()).length : null;
  log(`  first incoming cycle of every mailbox ${round(firstSyncSeconds, 1)} s later${push ? `; ${subscriptions} subscriptions` : ""}`);
  return { firstSyncSeconds, subscriptions };
}

async function enableFleet(worker: FleetWorker, sim: Backend, storage: Backend, mailboxes: number, push: boolean, log: (line: string) => void): Promise<{ ids: string[]; addresses: string[]; enable: FleetRow["enable"] }> {
  const started = performance.now();
  const { addresses, ids } = await fleetTenant(worker, sim, mailboxes);
  // Where each phase's CPU went: the worker, Azurite, the simulator (cores).
  const cpuNow = async () => Promise.all([worker.snapshot().then((w) => [w.cpuMs, w.table.total]), storage.usage().then((u) => cpuMs(u.cpu)), sim.usage().then((u) => cpuMs(u.cpu)), sim.sim.stats().then((st) => st.requests)]);
  const cores = (a: Awaited<ReturnType<typeof cpuNow>>, b: typeof a, seconds: number) =>
    `worker ${round((b[0][0]! - a[0][0]!) / seconds / 1000, 2)}, Azurite ${round((b[1] - a[1]) / seconds / 1000, 2)}, simulator ${round((b[2] - a[2]) / seconds / 1000, 2)} cores; per mailbox: worker ${round((b[0][0]! - a[0][0]!) / mailboxes, 1)} ms CPU, ${round((b[0][1]! - a[0][1]!) / mailboxes, 1)} table transactions, ${round((b[3] - a[3]) / mailboxes, 1)} Graph requests`;
  let cpu0 = await cpuNow();
  const t0 = performance.now();
  await pool(ids, 64, async (id, i) => {
    check(`mailbox ${id}`, await worker.api("PUT", `mailboxes/${id}`, { emailAddress: addresses[i], profileId: "fleet", syncMethods: { incoming: "ServerSideSync", outgoing: "ServerSideSync", act: "None" } }));
  });
  const createSeconds = (performance.now() - t0) / 1000;
  let cpu1 = await cpuNow();
  log(`  ${mailboxes} mailboxes created through the API in ${round(createSeconds, 1)} s (${cores(cpu0, cpu1, createSeconds)})`);
  cpu0 = cpu1;
  const t1 = performance.now();
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += 200) chunks.push(ids.slice(i, i + 200));
  let failed = 0;
  // As an admin's script would: several bulk requests at once (each tests 10 mailboxes at a time).
  await pool(chunks, 12, async (chunk) => {
    const r = await worker.api("POST", "mailboxes/test-and-enable", { mailboxIds: chunk });
    check("test-and-enable", r);
    failed += (r.body.items as Array<{ workloads: { incoming: { status: string } } }>).filter((item) => item.workloads.incoming.status !== "Success").length;
  });
  const testAndEnableSeconds = (performance.now() - t1) / 1000;
  cpu1 = await cpuNow();
  log(`  Test & Enable in ${round(testAndEnableSeconds, 1)} s, ${failed} failed (${cores(cpu0, cpu1, testAndEnableSeconds)})`);
  const { firstSyncSeconds, subscriptions } = await untilFirstCycles(worker, sim, mailboxes, push, log);
  return { ids, addresses, enable: { method: "api", createSeconds: round(createSeconds, 1), testAndEnableSeconds: round(testAndEnableSeconds, 1), firstSyncSeconds: round(firstSyncSeconds, 1), totalSeconds: round((performance.now() - started) / 1000, 1), failed, subscriptions } };
}

const fleetWorkloads = ["incoming", "outgoing"] as const;

/** Mailbox rows, claims and subscriptions written from the bench process (see FleetOptions.enable). */
async function seedFleet(worker: FleetWorker, sim: Backend, storage: Backend, port: number, mailboxes: number, push: boolean, log: (line: string) => void): Promise<{ ids: string[]; addresses: string[]; enable: FleetRow["enable"] }> {
  const started = performance.now();
  const { created, addresses, ids } = await fleetTenant(worker, sim, mailboxes);
  const env = { ...sim.env, SyncStorage: storage.connectionString!, PUSH_NOTIFICATION_URL: push ? `http://127.0.0.1:${port}` : "" };
  const runtime = createRuntime(loadSettings(env, { serviceBus: false }), { queue: new InProcessServiceBus(), env });
  const t0 = performance.now();
  const now = runtime.now();
  await pool(ids, 64, async (id, i) => {
    const mailbox = newMailbox(
      { id, emailAddress: addresses[i]!, profileId: "fleet", approved: true, exchangeUserId: created[i]!.id, methods: { incoming: "ServerSideSync", outgoing: "ServerSideSync", act: "None" }, enabled: { incoming: true, outgoing: true } },
      now,
    );
    // Not due until its subscriptions exist, as Test & Enable orders it: a first cycle that ran
    // before them would find none and make its own.
    for (const workload of fleetWorkloads) mailbox.workloads[workload].dueAt = null;
    await createMailbox(runtime, mailbox);
    await alignSubscriptions(runtime, id);
  });
  const due = runtime.now();
  await pool(ids, 64, async (id) => {
    for (const workload of fleetWorkloads) await runtime.mailboxes.patch(id, { workload: { name: workload, state: { nextSlot: due, dueAt: due } } });
  });
  const createSeconds = (performance.now() - t0) / 1000;
  log(`  ${mailboxes} mailboxes seeded (rows, claims, subscriptions, then due) in ${round(createSeconds, 1)} s`);
  const { firstSyncSeconds, subscriptions } = await untilFirstCycles(worker, sim, mailboxes, push, log);
  return { ids, addresses, enable: { method: "seed", createSeconds: round(createSeconds, 1), testAndEnableSeconds: 0, firstSyncSeconds: round(firstSyncSeconds, 1), totalSeconds: round((performance.now() - started) / 1000, 1), failed: 0, subscriptions } };
}

export async function runFleetScenario(options: FleetOptions): Promise<FleetRow> {
  const { mailboxes, log } = options;
  const sim = await startBackend({ azurite: "none" });
  const storage = await startBackend({ azurite: "memory" });
  const port = await freePort();
  const worker = await startFleetWorker({ tenant: sim, storage: storage.connectionString!, port, env: { PUSH_NOTIFICATION_URL: options.push ? `http://127.0.0.1:${port}` : "" } });
  try {
    log(`fleet: ${mailboxes} mailboxes, ${options.push ? "push" : "polling"}, enabled ${options.enable === "api" ? "through the API" : "by seeding"}`);
    const { ids, addresses, enable } = options.enable === "api" ? await enableFleet(worker, sim, storage, mailboxes, options.push, log) : await seedFleet(worker, sim, storage, port, mailboxes, options.push, log);

    let delivered = 0;
    const edge = async (): Promise<Edge> => {
      const [w, a, s] = await Promise.all([worker.snapshot(), storage.usage(), sim.usage()]);
      return { worker: w, azuriteCpuMs: cpuMs(a.cpu), simulatorCpuMs: cpuMs(s.cpu), delivered, at: Date.now() };
    };

    log(`  idle for ${options.idleSeconds} s`);
    const e0 = await edge();
    await sleep(options.idleSeconds * 1000);
    const e1 = await edge();
    const idle = phase(e0, e1, mailboxes, null);
    const idleTablePerCycle = idle.cyclesPerSecond > 0 ? (e1.worker.table.total - e0.worker.table.total) / (cycleSums(e1.worker).cycles - cycleSums(e0.worker).cycles) : null;

    type Sample = PendingDelivery & { burst: boolean };
    const pending = new Set<Sample>();
    const readable: { steady: number[]; burst: number[] } = { steady: [], burst: [] };
    let delivering = true;
    let seq = 0;
    const deliverFor = async (seconds: number, perSecond: number, burst: boolean) => {
      const sampleShare = Math.min(1, options.samplesPerSecond / perSecond);
      const until = performance.now() + seconds * 1000;
      let nextAt = performance.now();
      while (performance.now() < until) {
        const batch: Array<{ mailbox: string; subject: string; sample?: Sample }> = [];
        const tickEnd = performance.now() + 100;
        while (nextAt < tickEnd && nextAt < until) {
          nextAt += (-Math.log(1 - Math.random()) / perSecond) * 1000;
          const i = Math.floor(Math.random() * mailboxes);
          const n = ++seq;
          const watched = Math.random() < sampleShare;
          batch.push({ mailbox: addresses[i]!, subject: `${watched ? "Fleet sample" : "Fleet mail"} ${n}`, sample: watched ? { mailboxId: ids[i]!, subject: `Fleet sample ${n}`, deliveredAt: 0, burst } : undefined });
        }
        if (batch.length > 0) {
          const at = Date.now();
          await sim.deliverBatch(batch.map((m) => ({ mailbox: m.mailbox, subject: m.subject, from: { address: "customer@fabrikam.example" }, to: [{ address: m.mailbox }], body: { contentType: "text", content: "Order status, please." } })));
          delivered += batch.length;
          for (const m of batch) if (m.sample) pending.add({ ...m.sample, deliveredAt: at });
        }
        await sleep(Math.max(0, tickEnd - performance.now()));
      }
    };
    const watcher = watchUntilReadable(worker, pending, {
      delivering: () => delivering,
      waitMs: options.drainSeconds * 1000,
      intervalMs: 500,
      onReadable: (sample, seconds) => (sample.burst ? readable.burst : readable.steady).push(seconds),
    });
    const rate = (mailboxes * options.mailPerMailboxPerDay) / 86_400;
    log(`  steady: ${round(rate, 1)} messages/s for ${options.steadySeconds} s`);
    await deliverFor(options.steadySeconds, rate, false);
    const e2 = await edge();
    log(`  burst: ${round(rate * options.burstFactor, 1)} messages/s for ${options.burstSeconds} s`);
    await deliverFor(options.burstSeconds, rate * options.burstFactor, true);
    const e3 = await edge();
    delivering = false;
    await watcher;
    const missingSteady = [...pending].filter((p) => !p.burst).length;
    const missingBurst = pending.size - missingSteady;
    const steady = phase(e1, e2, mailboxes, idleTablePerCycle);
    const burst = phase(e2, e3, mailboxes, idleTablePerCycle);
    const final = await worker.snapshot();
    const row: FleetRow = {
      mailboxes,
      push: options.push,
      enable,
      idle,
      steady,
      burst,
      latency: { steady: latency(readable.steady, missingSteady), burst: latency(readable.burst, missingBurst) },
      peakRssMiB: round(final.peakRssBytes / 2 ** 20, 0),
      peakHeapMiB: round(final.peakHeapUsedBytes / 2 ** 20, 0),
      cost: fleetCost({ mailboxes, perMailboxHour: steady.perMailboxHour }),
    };
    log(`  readable p50/p95/p99/max: steady ${row.latency.steady.p50Seconds}/${row.latency.steady.p95Seconds}/${row.latency.steady.p99Seconds}/${row.latency.steady.maxSeconds} s, burst ${row.latency.burst.p50Seconds}/${row.latency.burst.p95Seconds}/${row.latency.burst.p99Seconds}/${row.latency.burst.maxSeconds} s; worker ${steady.workerCores} cores steady, ${burst.workerCores} burst; peak RSS ${row.peakRssMiB} MiB; $${round(row.cost.totalPerMailboxMonth, 4)}/mailbox/month`);
    return row;
  } finally {
    await worker.stop();
    await Promise.all([sim.stop(), storage.stop()]);
  }
}
