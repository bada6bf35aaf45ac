/**
 * `npm run bench`: every benchmark scenario against Azurite and the Exchange Online simulator on
 * this machine; prints a table, writes test/bench/results/latest.json and the figures section of
 * BENCHMARKS.md. About 8–10 minutes on 2 cores. Cycles run as many at a time as one Functions
 * instance takes sessions (host.json maxConcurrentSessions).
 *
 *   npm run bench                          the standard run
 *   npm run bench -- --only idle,latency   some scenarios (idle, ingest, attachments, latency, realistic, scheduler, outgoing, trackedFolders, tracking)
 *   npm run bench -- --scale 5             bigger runs (mailboxes, emails and durations × 5)
 *   npm run bench -- --cpu-prof            also write a CPU profile of the idle cycles (results/profiles/)
 *   npm run bench -- --no-write            print only
 *   npm run bench -- --only push           push: delivery with and without notifications, the route's burst rate, cost (~15 min; only when asked)
 *   npm run bench -- --only fleet          50,000 and 5,000 mailboxes, push and polling, 10 minutes of steady mail and a burst each (~1.5 h; only when asked)
 *   npm run bench -- --only fleet --fleet-sizes 500 --fleet-modes push --fleet-minutes 1   a quick look
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { ensureDevCertificates } from "../tools/dev-certificates.js";
import { costModel, defaultCostAssumptions } from "./cost-model.js";
import { attachmentsMarkdown, trackedFoldersMarkdown, trackingMarkdown, writeBenchmarksSection } from "./report.js";
import { runIdleScenario, type IdleResult } from "./scenarios/idle.js";
import { runIngestScenario, type IngestResult } from "./scenarios/ingest.js";
import { runAttachmentsScenario, type AttachmentsResult } from "./scenarios/attachments.js";
import { runLatencyScenario, type LatencyGroupResult } from "./scenarios/latency.js";
import { runOutgoingScenario, type OutgoingResult } from "./scenarios/outgoing.js";
import { runSchedulerScenario, type SchedulerResult } from "./scenarios/scheduler.js";
import { runTrackedFoldersScenario, type TrackedFoldersResult } from "./scenarios/tracked-folders.js";
import { runPushScenario } from "./scenarios/push.js";
import { runFleetScenario } from "./scenarios/fleet.js";
import { fleetMarkdown, type FleetResults } from "./fleet-report.js";
import { pushMarkdown } from "./push-report.js";
import { runTrackingScenario, type TrackingResult } from "./scenarios/tracking.js";
import { machineInfo, type MachineInfo } from "./support/machine.js";
import { round } from "./support/stats.js";

const here = path.dirname(new URL(import.meta.url).pathname);
const repoRoot = path.resolve(here, "../..");

// The simulator's certificate comes from a local CA that Node trusts only through
// NODE_EXTRA_CA_CERTS set at start: start again with it (and with --expose-gc for the memory figures).
const ca = ensureDevCertificates().caPath;
if (process.env.NODE_EXTRA_CA_CERTS !== ca || typeof (globalThis as { gc?: unknown }).gc !== "function") {
  const result = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", new URL(import.meta.url).pathname, ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: ca },
  });
  process.exit(result.status ?? 1);
}

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    scale: { type: "string", default: "1" },
    "cpu-prof": { type: "boolean", default: false },
    "no-write": { type: "boolean", default: false },
    "fleet-minutes": { type: "string", default: "10" },
    "fleet-modes": { type: "string", default: "push,polling" },
    "fleet-sizes": { type: "string", default: "5000,50000" },
    "fleet-enable": { type: "string", default: "auto" },
  },
});
const scale = Math.max(0.1, Number(values.scale));
const only = values.only ? new Set(values.only.split(",").map((s) => s.trim())) : undefined;
const wanted = (name: string) => !only || only.has(name);
const log = (line: string) => process.stdout.write(`${line}\n`);
const realisticLatency: [number, number] = [100, 200];

/** How one Functions instance takes session messages (host.json): the cycles it runs side by side. */
const hostJson = JSON.parse(readFileSync(path.join(repoRoot, "host.json"), "utf8")) as { extensions?: { serviceBus?: { maxConcurrentSessions?: number; sessionIdleTimeout?: string } } };
const sessions = hostJson.extensions?.serviceBus?.maxConcurrentSessions ?? 8;
const sessionIdleSeconds = (hostJson.extensions?.serviceBus?.sessionIdleTimeout ?? "00:01:00").split(":").reduce((acc, part) => acc * 60 + Number(part), 0);

export interface BenchResults {
  takenAt: string;
  command: string;
  machine: MachineInfo & { loadAverageAtStart: number[] };
  durationSeconds: number;
  scale: number;
  idle: IdleResult[];
  ingest: IngestResult[];
  attachments?: AttachmentsResult;
  latency: LatencyGroupResult[];
  realistic: { idle?: IdleResult & { limitCyclesPerSecond: number; shareOfLimit: number }; idleAtHostSessions?: IdleResult & { limitCyclesPerSecond: number; shareOfLimit: number }; ingest?: IngestResult & { limitEmailsPerSecondPerMailbox: number; shareOfLimit: number } };
  scheduler: SchedulerResult[];
  outgoing: OutgoingResult[];
  /** Idle incoming cycles of mailboxes tracking 0, 5 and 25 folders. */
  trackedFolders: TrackedFoldersResult[];
  /** Ingest under tracking options, as ratios to the run with `all`. */
  tracking?: TrackingResult;
  cost?: ReturnType<typeof costModel>;
  capacity?: Record<string, number | string>;
}

const started = Date.now();
const results: BenchResults = {
  takenAt: new Date().toISOString(),
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
  machine: { ...machineInfo(), loadAverageAtStart: os.loadavg().map((l) => round(l, 2)) },
  durationSeconds: 0,
  scale,
  idle: [],
  ingest: [],
  latency: [],
  realistic: {},
  scheduler: [],
  outgoing: [],
  trackedFolders: [],
};
log(`machine: ${results.machine.cpuModel} · ${results.machine.cores} cores · ${results.machine.memoryGiB} GiB · Node ${results.machine.node} · load ${results.machine.loadAverageAtStart.join(" ")}`);

if (wanted("idle")) {
  for (const mailboxes of [1_000, 10_000].map((n) => Math.round(n * scale))) {
    log(`idle cycles: ${mailboxes} mailboxes`);
    const profile = values["cpu-prof"] ? path.join(here, "results/profiles", `idle-${mailboxes}.cpuprofile`) : undefined;
    results.idle.push(await runIdleScenario({ mailboxes, cycles: Math.max(mailboxes, 3_000), concurrency: sessions, profile, log }));
  }
}
if (wanted("ingest")) {
  for (const workers of [1, 2]) {
    log(`ingest: ${workers} worker process(es)`);
    results.ingest.push(await runIngestScenario({ workers, mailboxes: 40, emailsPerMailbox: Math.round(100 * scale), concurrency: sessions, log }));
  }
}
if (wanted("attachments")) {
  log("attachments: ingest with 1 MB attachments next to the raw blob upload rate, and one 20 MB attachment");
  results.attachments = await runAttachmentsScenario({ mailboxes: 8, emailsPerMailbox: Math.round(25 * scale), concurrency: 8, largeBytes: 20 * 1024 * 1024, log });
}
if (wanted("realistic")) {
  // Both folders' requests go side by side: a cycle cannot be shorter than the slower of two.
  const expectedMax = realisticLatency[0] + ((realisticLatency[1] - realisticLatency[0]) * 2) / 3;
  const withLimit = (idle: IdleResult) => {
    const limit = idle.concurrency / (expectedMax / 1000);
    log(`  ${idle.cyclesPerSecond} cycles/s with ${idle.concurrency} at a time (event-loop use ${idle.workerEventLoopUtilization}); limit ${round(limit, 1)}`);
    return { ...idle, limitCyclesPerSecond: round(limit, 1), shareOfLimit: round(idle.cyclesPerSecond / limit, 3) };
  };
  log(`realistic Graph (${realisticLatency.join("–")} ms): idle cycles, 1,000 mailboxes, 16 at a time (the worker not CPU-bound: cycle time)`);
  results.realistic.idle = withLimit(await runIdleScenario({ mailboxes: Math.round(1_000 * scale), cycles: Math.round(2_000 * scale), concurrency: 16, graphLatencyMs: realisticLatency, log }));
  if (sessions !== 16) {
    log(`realistic Graph: idle cycles, ${sessions} at a time (host.json maxConcurrentSessions)`);
    results.realistic.idleAtHostSessions = withLimit(await runIdleScenario({ mailboxes: Math.round(1_000 * scale), cycles: Math.round(3_000 * scale), concurrency: sessions, graphLatencyMs: realisticLatency, log }));
  }
  log(`realistic Graph: ingest into one mailbox`);
  const ingest = await runIngestScenario({ workers: 1, mailboxes: 1, emailsPerMailbox: Math.round(1_000 * scale), graphLatencyMs: realisticLatency, concurrency: sessions, log });
  // Delta pages follow each other (each nextLink comes from the page before): one folder can go
  // no faster than a page (50) per Graph round trip.
  const pageLimit = 50 / ((realisticLatency[0] + realisticLatency[1]) / 2 / 1000);
  results.realistic.ingest = { ...ingest, limitEmailsPerSecondPerMailbox: round(pageLimit, 1), shareOfLimit: round(ingest.emailsPerSecondPerMailbox / pageLimit, 3) };
}
if (wanted("latency")) {
  log("polling latency through the local host");
  results.latency = await runLatencyScenario({
    groups: [
      { name: "scaled default (5/10/24 s)", polling: { minSeconds: 5, defaultSeconds: 10, maxSeconds: 24 } },
      { name: "fastest (5/5/5 s)", polling: { minSeconds: 5, defaultSeconds: 5, maxSeconds: 5 } },
      { name: `fastest + Graph ${realisticLatency.join("–")} ms`, polling: { minSeconds: 5, defaultSeconds: 5, maxSeconds: 5 }, graphLatencyMs: realisticLatency },
    ],
    mailboxesPerGroup: 30,
    durationSeconds: Math.round(150 * scale),
    log,
  });
}
if (wanted("scheduler")) {
  for (const mailboxes of [10_000, 50_000].map((n) => Math.round(n * scale))) {
    log(`scheduler tick: ${mailboxes} mailboxes`);
    results.scheduler.push(await runSchedulerScenario({ mailboxes, dueShare: 0.02, log }));
  }
}
if (wanted("outgoing")) {
  log("outgoing: Send → accepted by Graph, through the local host");
  results.outgoing.push(await runOutgoingScenario({ senders: 10, sends: Math.round(40 * scale), log }));
  results.outgoing.push(await runOutgoingScenario({ senders: 10, sends: Math.round(40 * scale), graphLatencyMs: realisticLatency, log }));
}
if (wanted("trackedFolders")) {
  log("idle incoming cycles with 0, 5 and 25 tracked folders");
  results.trackedFolders = await runTrackedFoldersScenario({ folderCounts: [0, 5, 25], mailboxes: Math.round(40 * scale), cyclesPerMailbox: 10, concurrency: sessions, log });
}
if (wanted("tracking")) {
  log("tracking: the same mail ingested under different tracking settings");
  results.tracking = await runTrackingScenario({ mailboxes: 20, emailsPerMailbox: Math.round(50 * scale), concurrency: sessions, log });
}

// The fleet runs only when asked for (it takes over an hour): its own file and section.
if (only?.has("fleet")) {
  const steadySeconds = Math.round(Number(values["fleet-minutes"]) * 60);
  const fleet: FleetResults = { takenAt: results.takenAt, command: results.command, machine: results.machine, sessionsPerQueue: sessions, rows: [] };
  const largest = Math.max(...values["fleet-sizes"]!.split(",").map(Number));
  // Written after each row: an hour's figures are not lost to a later row's failure.
  const save = () => {
    if (values["no-write"]) return;
    writeFileSync(path.join(here, "results/fleet.json"), `${JSON.stringify(fleet, null, 2)}\n`);
    writeBenchmarksSection(path.join(repoRoot, "BENCHMARKS.md"), "fleet", { markdown: fleetMarkdown(fleet) });
    log(`wrote ${fleet.rows.length} row(s) to test/bench/results/fleet.json and BENCHMARKS.md's fleet section`);
  };
  for (const mode of values["fleet-modes"]!.split(",")) {
    const sizes = values["fleet-sizes"]!.split(",").map(Number);
    // Polling is the fallback, not the product's way: its row runs at the smaller fleet only, unless asked for one size alone.
    for (const size of mode.trim() === "polling" && sizes.length > 1 ? sizes.filter((n) => n < largest) : sizes) {
      // The whole --fleet-minutes of steady mail for the largest fleet; half for the others (their rates settle sooner).
      const rowSteady = size === largest ? steadySeconds : Math.max(30, Math.round(steadySeconds / 2));
      fleet.rows.push(
        await runFleetScenario({
          mailboxes: Math.max(10, Math.round(size * scale)),
          push: mode.trim() === "push",
          // Through the API up to 5,000 mailboxes; beyond, seeded: Test & Enable is CPU-bound here (24 ms of the worker's and more of Azurite's per mailbox), which would make 50,000 take over half an hour (BENCHMARKS.md).
          enable: values["fleet-enable"] === "api" || values["fleet-enable"] === "seed" ? values["fleet-enable"] : size * scale <= 5_000 ? "api" : "seed",
          idleSeconds: Math.max(30, Math.min(60, Math.round(steadySeconds / 5))),
          steadySeconds: rowSteady,
          burstSeconds: Math.min(60, steadySeconds),
          drainSeconds: 300,
          mailPerMailboxPerDay: 50,
          burstFactor: 10,
          samplesPerSecond: 2,
          log,
        }),
      );
      save();
    }
  }
  log(fleetMarkdown(fleet));
  if ([...only].every((name) => name === "fleet")) process.exit(0);
}

// Push runs only when asked for (it takes a quarter of an hour): its own file and section.
const pushResult = only?.has("push") ? await runPushScenario({ scale, log }) : undefined;

const idle1k = results.idle[0];
const realIdle = results.realistic.idle;
const ingest1 = results.ingest[0];
if (idle1k && realIdle && ingest1) {
  results.cost = costModel({
    incomingIdle: { tableTransactionsPerCycle: idle1k.tableTransactionsPerCycle, queueSendsPerCycle: idle1k.queueSendsPerCycle, wallSecondsPerCycle: realIdle.meanCycleMs / 1000 },
    outgoingIdle: { tableTransactionsPerCycle: idle1k.outgoingIdle.tableTransactionsPerCycle, queueSendsPerCycle: idle1k.outgoingIdle.queueSendsPerCycle, wallSecondsPerCycle: realIdle.outgoingIdle.meanCycleMs / 1000 },
    perEmail: { tableTransactions: ingest1.tableTransactionsPerEmail },
  }, { ...defaultCostAssumptions, executionsSharingAnInstance: sessions });
  // What 50,000 mailboxes at the default schedule ask of the workers.
  const incomingPerSecond = 50_000 / 300;
  const allPerSecond = 50_000 / 300 + 50_000 / 300 + 50_000 / 480;
  results.capacity = {
    sessionsPerInstance: sessions,
    sessionIdleTimeoutSeconds: sessionIdleSeconds,
    incomingCyclesPerSecondAt50k: round(incomingPerSecond, 1),
    allWorkloadCyclesPerSecondAt50k: round(allPerSecond, 1),
    workerCoresForIncomingAt50k: round((incomingPerSecond * idle1k.workerCpuMsPerCycle) / 1000, 2),
    workerCoresForAllAt50k: round((allPerSecond * idle1k.workerCpuMsPerCycle) / 1000, 2),
    cycleWallSecondsWithGraphLatency: round(realIdle.meanCycleMs / 1000, 3),
    cyclesPerSecondPerInstanceIfSessionsBound: round(sessions / (realIdle.meanCycleMs / 1000 + sessionIdleSeconds), 2),
    instancesForAllAt50kIfSessionsBound: Math.ceil(allPerSecond / (sessions / (realIdle.meanCycleMs / 1000 + sessionIdleSeconds))),
    cyclesPerSecondPerInstanceIfSessionsFree: round(sessions / (realIdle.meanCycleMs / 1000), 1),
    cyclesPerSecondPerCoreCpuBound: round(1000 / idle1k.workerCpuMsPerCycle, 0),
    note: `host.json: maxConcurrentSessions ${sessions}, sessionIdleTimeout ${sessionIdleSeconds} s (a session slot waits that long for another message of the mailbox after each cycle)`,
  };
}
results.durationSeconds = Math.round((Date.now() - started) / 1000);

const { printTable } = await import("./report.js");
log("");
log(printTable(results));
if (!values["no-write"]) {
  mkdirSync(path.join(here, "results"), { recursive: true });
  if (pushResult) {
    const latest = JSON.parse(readFileSync(path.join(here, "results/latest.json"), "utf8")) as BenchResults;
    const markdownText = pushMarkdown(pushResult, results.idle.length ? results : latest, { sessions, machine: results.machine, takenAt: results.takenAt });
    writeFileSync(path.join(here, "results/push.json"), `${JSON.stringify({ takenAt: results.takenAt, machine: results.machine, ...pushResult }, null, 2)}\n`);
    writeBenchmarksSection(path.join(repoRoot, "BENCHMARKS.md"), "push", { markdown: markdownText });
    log(markdownText);
    if ([...only!].every((name) => name === "push")) {
      log("wrote test/bench/results/push.json and BENCHMARKS.md's push section");
      process.exit(0);
    }
  }
  // Email tracking's figures (tracking, attachments, tracked folders) have sections of their own:
  // `--only` some of them rewrites just those, and leaves the standard run's figures as they are.
  const ownSections = ["tracking", "attachments", "trackedFolders"];
  const ownOnly = only !== undefined && [...only].every((name) => ownSections.includes(name));
  const file = ownOnly ? `results/${[...only!].sort().join("-")}.json` : "results/latest.json";
  writeFileSync(path.join(here, file), `${JSON.stringify(results, null, 2)}\n`);
  const benchmarks = path.join(repoRoot, "BENCHMARKS.md");
  if (!ownOnly) writeBenchmarksSection(benchmarks, "bench", results);
  if (results.tracking) writeBenchmarksSection(benchmarks, "tracking", { markdown: trackingMarkdown(results.tracking, results) });
  if (results.attachments) writeBenchmarksSection(benchmarks, "attachments", { markdown: attachmentsMarkdown(results.attachments, results) });
  if (results.trackedFolders.length) writeBenchmarksSection(benchmarks, "trackedFolders", { markdown: trackedFoldersMarkdown(results.trackedFolders, results) });
  log(`wrote test/bench/${file} and BENCHMARKS.md (${results.durationSeconds} s)`);
}
process.exit(0);
