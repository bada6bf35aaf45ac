/**
 * Turns benchmark results into a console table and into the generated section of BENCHMARKS.md
 * (between `<!-- bench:begin -->` and `<!-- bench:end -->`; the rest of the file is prose kept by
 * hand). Every figure here comes from the results object: nothing is typed in.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { BenchResults } from "./run.js";
import type { TrackingResult } from "./scenarios/tracking.js";
import { idleListenerOperationsPerInstanceMonth, triggerOperationsPerCycle } from "./cost-model.js";
import { unitPrices } from "./unit-prices.js";

const fmt = (v: number | undefined, digits = 2) => (v === undefined || Number.isNaN(v) ? "–" : v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 }));
const usd = (v: number) => `$${v < 0.01 ? v.toFixed(5) : v.toFixed(4)}`;
const mark = (ok: boolean) => (ok ? "meets" : "**misses**");

function table(header: string[], rows: Array<Array<string | number>>): string {
  const lines = [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`];
  for (const row of rows) lines.push(`| ${row.map((c) => (typeof c === "number" ? fmt(c) : c)).join(" | ")} |`);
  return lines.join("\n");
}

export function markdown(r: BenchResults): string {
  const out: string[] = [];
  out.push(`Taken ${r.takenAt.slice(0, 16).replace("T", " ")} UTC with \`${r.command}\` (${r.durationSeconds} s) on ${r.machine.cpuModel}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, ${r.machine.os}, Node ${r.machine.node}; load average at start ${r.machine.loadAverageAtStart.join(" / ")}. Azurite and the simulator ran in a child process, so worker CPU is the engine's (with the Azure SDK, MSAL and Graph client it drives); figures from \`test/bench/results/latest.json\`.`);
  if (r.idle.length) {
    out.push("", `### Idle incoming cycles (${r.idle[0]!.concurrency} at a time as in host.json, one worker process)`, "");
    out.push(table(
      ["mailboxes", "cycles", "cycles/s (this machine)", "worker CPU ms/cycle", "CPU-bound cycles/s per core", "backend CPU ms/cycle", "event-loop use", "Graph req/cycle", "table tx/cycle (reads + writes)", "queue sends/cycle", "outcomes"],
      r.idle.map((i) => [i.mailboxes, i.cycles, i.cyclesPerSecond, i.workerCpuMsPerCycle, i.cpuBoundCyclesPerSecondPerCore, i.backendCpuMsPerCycle, i.workerEventLoopUtilization, i.graphRequestsPerCycle, `${fmt(i.tableTransactionsPerCycle)} (${fmt(i.tableReadsPerCycle)} + ${fmt(i.tableWritesPerCycle)})`, i.queueSendsPerCycle, JSON.stringify(i.outcomes)]),
    ));
    const first = r.idle[0]!;
    out.push("", `Table requests per idle cycle, by table (${first.mailboxes} mailboxes): ${Object.entries(first.tableByTablePerCycle).map(([t, c]) => `${t} ${fmt(c.reads, 3)} reads / ${fmt(c.writes, 3)} writes`).join("; ")}.`);
    out.push(`Idle outgoing cycles (nothing Pending Send, ${first.outgoingIdle.cycles} cycles): ${fmt(first.outgoingIdle.workerCpuMsPerCycle)} worker CPU ms, ${fmt(first.outgoingIdle.graphRequestsPerCycle)} Graph requests, ${fmt(first.outgoingIdle.tableTransactionsPerCycle)} table transactions (${fmt(first.outgoingIdle.tableReadsPerCycle)} reads + ${fmt(first.outgoingIdle.tableWritesPerCycle)} writes), ${fmt(first.outgoingIdle.queueSendsPerCycle)} queue sends per cycle.`);
    out.push("", "Against the targets: " + [
      `one Graph request per synced folder (2 folders): ${fmt(first.graphRequestsPerCycle)} per cycle — ${mark(first.graphRequestsPerCycle <= 2.001)}`,
      `at most one table write: ${fmt(first.tableWritesPerCycle, 3)} writes per cycle (the fraction above 1 is connection-slot lease renewals) — ${mark(first.tableWritesPerCycle <= 1.05)}`,
      `under 2 ms CPU: ${fmt(first.workerCpuMsPerCycle)} ms per cycle in the worker process — ${mark(first.workerCpuMsPerCycle < 2)} (see the profile reading below)`,
    ].join("; ") + ".");
  }
  if (r.ingest.length) {
    out.push("", "### Ingest (delivery → stored activity; each worker process runs as many cycles at a time as host.json's sessions)", "");
    out.push(table(
      ["worker processes", "mailboxes", "emails (body bytes)", "seconds", "emails/s", "worker CPU ms/email", "backend CPU ms/email", "table tx/email", "entity ops in batches/email", "Graph req/email", "cycles"],
      r.ingest.map((i) => [i.workers, i.mailboxes, `${i.emails} (${i.bodyBytes})`, i.seconds, i.emailsPerSecond, i.workerCpuMsPerEmail, i.backendCpuMsPerEmail, i.tableTransactionsPerEmail, i.tableBatchOperationsPerEmail, i.graphRequestsPerEmail, i.cycles]),
    ));
    out.push("", "On 2 cores shared with Azurite and the simulator, a second worker process adds contention, not capacity: the backend's CPU per email is of the same order as the worker's.");
  }
  const ri = r.realistic.idle;
  const rg = r.realistic.ingest;
  if (ri || rg) {
    out.push("", "### Realistic Graph (100–200 ms per request, 4 concurrent requests per mailbox enforced)", "");
    if (ri) out.push(`Idle cycles, ${ri.mailboxes} mailboxes, ${ri.concurrency} at a time (a worker with CPU to spare): ${fmt(ri.cyclesPerSecond)} cycles/s, worker CPU ${fmt(ri.workerCpuMsPerCycle)} ms and event-loop use ${fmt(ri.workerEventLoopUtilization)}, mean cycle ${fmt(ri.meanCycleMs)} ms. The limit those latencies allow with ${ri.concurrency} concurrent cycles (each waits for the slower of its two folder requests, ${fmt((ri.concurrency * 1000) / ri.limitCyclesPerSecond, 0)} ms on average) is ${fmt(ri.limitCyclesPerSecond)} cycles/s: the engine reaches ${fmt(ri.shareOfLimit * 100, 0)} % of it. Outgoing idle cycle with the same latency: ${fmt(ri.outgoingIdle.meanCycleMs)} ms.`);
    const rh = r.realistic.idleAtHostSessions;
    if (rh) out.push("", `With ${rh.concurrency} at a time (host.json's sessions) on this machine: ${fmt(rh.cyclesPerSecond)} cycles/s, ${fmt(rh.shareOfLimit * 100, 0)} % of the ${fmt(rh.limitCyclesPerSecond)} cycles/s the latency allows, mean cycle ${fmt(rh.meanCycleMs)} ms, event-loop use ${fmt(rh.workerEventLoopUtilization)}: the worker is CPU-bound here (${fmt(rh.workerCpuMsPerCycle)} ms per cycle on cores shared with the backend), so the cycle time above (16 at a time) is the one the models below use.`);
    if (rg) out.push("", `Ingest into one mailbox (${rg.emails} emails): ${fmt(rg.emailsPerSecondPerMailbox)} emails/s. Delta pages follow one another (each nextLink comes from the previous page), so one folder can go no faster than one page of 50 per round trip: ${fmt(rg.limitEmailsPerSecondPerMailbox)} emails/s; the engine reaches ${fmt(rg.shareOfLimit * 100, 0)} % of it. The next page is asked for while a page is written, so a page costs the longer of the two: the gap is the writes (${fmt(rg.tableTransactionsPerEmail)} table transactions and ${fmt(rg.workerCpuMsPerEmail)} ms worker CPU per email, ${fmt(rg.backendCpuMsPerEmail)} ms in Azurite).`);
  }
  if (r.latency.length) {
    out.push("", "### Polling latency (delivery → readable through GET /api/emails), local host with real timers", "");
    out.push(table(
      ["profile (min/default/max)", "mailboxes", "samples", "missing", "p50 s", "p95 s", "p99 s", "max s", "p50 / default", "p95 / default", "p99 / default", "within default + 5 s"],
      r.latency.map((l) => [l.name, l.mailboxes, l.samples, l.missing, l.p50Seconds, l.p95Seconds, l.p99Seconds, l.maxSeconds, l.p50Intervals, l.p95Intervals, l.p99Intervals, `${fmt(l.withinIntervalPlus5s * 100, 1)} %`]),
    ));
    const scaled = r.latency[0]!;
    out.push("", `Against the target (p95 within one schedule interval + 5 s): ${r.latency.map((l) => `${l.name}: p95 ${fmt(l.p95Seconds)} s vs ${l.polling.defaultSeconds + 5} s — ${mark(l.p95Seconds <= l.polling.defaultSeconds + 5)}`).join("; ")}. Mail arrives about every 3 default intervals per mailbox; a mailbox with nothing in its last 6 cycles drifts to the profile's maximum (${scaled.polling.maxSeconds} s here, 720 s at the real defaults), which is what the scaled-default p95/p99 show.`);
  }
  if (r.scheduler.length) {
    out.push("", "### Scheduler tick", "");
    out.push(table(
      ["mailboxes", "due", "tick ms (due)", "table requests (due)", "heap Δ MiB (due)", "peak RSS MiB", "tick ms (none due)", "table requests (none due)"],
      r.scheduler.map((s) => [s.mailboxes, s.dueTick.due, s.dueTick.durationMs, s.dueTick.tableRequests, s.dueTick.heapDeltaMiB, Math.max(s.dueTick.peakRssMiB, s.steadyTick.peakRssMiB), s.steadyTick.durationMs, s.steadyTick.tableRequests]),
    ));
    out.push("", "Azurite answers the shard queries by scanning its in-memory partition, so tick time here grows with the table; Table Storage filters on the server. Requests per tick: one query page per shard (16) plus one claim per due mailbox.");
  }
  if (r.outgoing.length) {
    out.push("", "### Outgoing (Send request → accepted by Graph), local host", "");
    out.push(table(["Graph latency", "senders", "sends", "p50 s", "p95 s", "max s", "not sent"], r.outgoing.map((o) => [o.graphLatencyMs ? `${o.graphLatencyMs.join("–")} ms` : "none", o.senders, o.sends, o.p50Seconds, o.p95Seconds, o.maxSeconds, o.notSent])));
  }
  if (r.capacity) {
    const c = r.capacity;
    out.push("", "### Capacity at 50,000 mailboxes (derived from the figures above)", "");
    out.push(`At the default schedule 50,000 mailboxes ask for ${c.incomingCyclesPerSecondAt50k} incoming cycles/s (${c.allWorkloadCyclesPerSecondAt50k} with outgoing every 5 min and ACT every 8 min). CPU: ${c.workerCoresForIncomingAt50k} cores for incoming (${c.workerCoresForAllAt50k} for all three) at the measured worker CPU per cycle. Sessions: with host.json's ${c.sessionsPerInstance} sessions and a ${c.sessionIdleTimeoutSeconds} s session idle timeout, a session slot is held ${c.cycleWallSecondsWithGraphLatency} s (cycle, with Graph latency) + ${c.sessionIdleTimeoutSeconds} s (waiting for another message of the same mailbox), so an instance runs ${c.cyclesPerSecondPerInstanceIfSessionsBound} cycles/s and 50,000 mailboxes need ${c.instancesForAllAt50kIfSessionsBound} instances (infra default maximumInstanceCount 40); without the idle wait an instance would run ${c.cyclesPerSecondPerInstanceIfSessionsFree} cycles/s. Either way the CPU per cycle caps a core at about ${c.cyclesPerSecondPerCoreCpuBound} cycles/s. This is a model from the documented SessionIdleTimeout semantics, not a measurement in Azure.`);
  }
  if (r.cost) {
    const k = r.cost;
    out.push("", "### Cost model (per mailbox per month, default schedule)", "");
    out.push(`Cycles per mailbox per month: incoming ${fmt(k.cyclesPerMailboxMonth.incoming, 0)}, outgoing ${fmt(k.cyclesPerMailboxMonth.outgoing, 0)}, ACT ${fmt(k.cyclesPerMailboxMonth.act, 0)} (ACT assumed to cost an idle incoming cycle until it can be measured); ${k.assumptions.emailsPerMailboxPerDay} emails a day. Executions ${fmt(k.executions, 0)}; GB-s ${fmt(k.gbSeconds.shared, 0)} when ${k.assumptions.executionsSharingAnInstance} executions share an instance's billed time, ${fmt(k.gbSeconds.alone, 0)} if each ran alone (upper bound: ${usd(k.gbSeconds.alone * unitPrices.functionsFlex.perGbSecond)}); Service Bus operations ${fmt(k.serviceBusOperations, 0)} (the session trigger's ${triggerOperationsPerCycle()} per cycle — accept, receive, complete, empty receive, close — plus the sends; idle trigger listeners add about ${fmt(idleListenerOperationsPerInstanceMonth(Number(r.capacity?.sessionsPerInstance ?? 64)) / 1e6, 1)}M a month per instance that sits with no session to take, not in the per-mailbox figure); table transactions ${fmt(k.tableTransactions, 0)}. Unit prices are assumptions named in \`test/bench/unit-prices.ts\`.`);
    for (const fleet of k.byFleet) {
      out.push("", `Fleet of ${fleet.mailboxes.toLocaleString("en-US")} mailboxes: **${usd(fleet.totalPerMailboxMonth)} per mailbox per month** (${usd(fleet.totalMonth)} a month in all).`, "");
      out.push(table(["item", "per mailbox per month", "basis"], fleet.lines.map((l) => [l.item, usd(l.perMailboxMonth), l.basis])));
    }
  }
  return out.join("\n");
}

/** Attachments of tracked mail (their own section of BENCHMARKS.md: `--only attachments` writes just it). */
export function attachmentsMarkdown(a: NonNullable<BenchResults["attachments"]>, r?: Pick<BenchResults, "takenAt" | "command" | "machine">): string {
  const out: string[] = [];
  if (r) out.push(takenLine(r), "");
  const mem = (m: { rssMiB: number; buffersMiB: number }) => `+${fmt(m.buffersMiB, 1)} MiB buffers (heap + external + array buffers), +${fmt(m.rssMiB, 1)} MiB rss`;
  out.push("", "### Attachments of tracked mail (incoming cycles in the bench process; Azurite and the simulator in the child)", "");
  out.push(table(
    ["what", "count", "seconds", "MB/s", "emails/s", "Graph req/email", "peak memory over baseline"],
    [
      [`ingest, one 1 MB attachment per email (${a.mailboxes} mailboxes, ${a.concurrency} cycles at a time)`, a.emails, a.ingest.seconds, a.ingest.attachmentMBPerSecond, a.ingest.emailsPerSecond, a.ingest.graphRequestsPerEmail, mem(a.ingest.memory)],
      [`raw blob upload of 1 MB from memory, ${a.concurrency} at a time, same Azurite`, a.emails, a.rawBlobUpload.seconds, a.rawBlobUpload.MBPerSecond, "", "", mem(a.rawBlobUpload.memory)],
      [`raw Graph download of each $value over HTTPS, read and dropped, ${a.concurrency} at a time`, a.emails, a.rawGraphDownload.seconds, a.rawGraphDownload.MBPerSecond, "", "", mem(a.rawGraphDownload.memory)],
      [`one ${fmt(a.large.bytes / 1048576, 0)} MB attachment, streamed`, 1, a.large.seconds, a.large.MBPerSecond, "", "", mem(a.large.memory)],
    ],
  ));
  return out.join("\n");
}

/** Idle incoming cycles with tracked folders (their own section of BENCHMARKS.md). */
export function trackedFoldersMarkdown(list: BenchResults["trackedFolders"], r?: Pick<BenchResults, "takenAt" | "command" | "machine">): string {
  const out: string[] = [];
  if (r) out.push(takenLine(r), "");
  out.push("", `### Idle incoming cycles with tracked folders (${list[0]!.mailboxes} mailboxes per row)`, "");
  out.push(table(
    ["tracked folders", "cycles", "Graph requests / cycle", "table requests / cycle (reads + writes)", "worker CPU ms / cycle", "mean cycle ms", "outcomes"],
    list.map((t) => [t.trackedFolders, t.cycles, t.graphRequestsPerCycle, `${fmt(t.tableTransactionsPerCycle)} (${fmt(t.tableReadsPerCycle)} + ${fmt(t.tableWritesPerCycle)})`, t.workerCpuMsPerCycle, t.meanCycleMs, JSON.stringify(t.outcomes)]),
  ));
  out.push("", "Each tracked folder costs its own message delta per idle cycle; one folder hierarchy delta (mailFolders/delta) per cycle covers renames, moves and deletes of them all, and is not asked when the mailbox tracks none.");
  return out.join("\n");
}

function takenLine(r: Pick<BenchResults, "takenAt" | "command" | "machine">): string {
  return `Taken ${r.takenAt.slice(0, 16).replace("T", " ")} UTC with \`${r.command}\` on ${r.machine.cpuModel}, ${r.machine.cores} cores; load average at start ${r.machine.loadAverageAtStart.join(" / ")}.`;
}

/** The tracking scenario's figures (their own section of BENCHMARKS.md). */
export function trackingMarkdown(t: TrackingResult, r?: Pick<BenchResults, "takenAt" | "command" | "machine">): string {
  const out: string[] = [];
  const first = t.runs[0]!;
  if (r) out.push(takenLine(r), "");
  out.push(`### Ingest with tracking (${first.mailboxes} mailboxes, ${first.emails} emails per run, one worker process; the same mail each run: a quarter replies to earlier activities, half the rest from CRM contacts)`, "");
  out.push(table(
    ["settings", "tracked", "untracked", "seconds", "emails/s", "worker CPU ms/email", "table tx/email", "Graph req/email", "s/email vs all", "CPU/email vs all"],
    t.runs.map((r) => [r.name, r.tracked, r.untracked, r.seconds, r.emailsPerSecond, r.workerCpuMsPerEmail, r.tableTransactionsPerEmail, r.graphRequestsPerEmail, r.secondsPerEmailRatio, r.workerCpuRatio]),
  ));
  out.push("", `Correlation (every message tracked, with its lookups against without): ${fmt(t.correlationSlowdown)}× the time per email and ${fmt(t.correlationCpuRatio)}× the worker CPU per email — against the bound of 1.5×: ${mark(t.correlationSlowdown <= 1.5)}. Per email means per delivered message, tracked or not; untracked mail costs the filter's lookups and one id-only write. Wall-clock figures move with the machine's load (each run is a fresh backend, one after the other); worker CPU and table requests per email are the steadier comparison.`);
  return out.join("\n");
}

export function printTable(r: BenchResults): string {
  return [markdown(r), ...(r.tracking ? ["", trackingMarkdown(r.tracking, r)] : [])].join("\n");
}

/** Replaces the generated section `name` of BENCHMARKS.md (creating the markers if missing). */
export function writeBenchmarksSection(file: string, name: string, results: BenchResults | { markdown: string }): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const body = "markdown" in results ? results.markdown : markdown(results);
  const block = `${begin}\n${body}\n${end}`;
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const start = current.indexOf(begin);
  const stop = current.indexOf(end);
  const next = start >= 0 && stop > start ? current.slice(0, start) + block + current.slice(stop + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}
