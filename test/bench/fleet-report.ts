/** The fleet section of BENCHMARKS.md: one column per run (push and polling, each at two fleet sizes), growth ratios. */
import type { MachineInfo } from "./support/machine.js";
import type { FleetRow, PhaseFigures } from "./scenarios/fleet.js";
import { round } from "./support/stats.js";

export interface FleetResults {
  takenAt: string;
  command: string;
  machine: MachineInfo & { loadAverageAtStart: number[] };
  sessionsPerQueue: number;
  rows: FleetRow[];
}

/** Every table transaction of the phase over the mail it stored: what a message costs with the fleet's idle rounds and timers shared out. */
const allTablePerEmail = (p: PhaseFigures, mailboxes: number) => (p.emailsStored > 0 ? (p.perMailboxHour.tableTransactions * mailboxes * (p.seconds / 3600)) / p.emailsStored : null);
const n = (value: number | null | undefined, digits = 2) => (value === null || value === undefined || Number.isNaN(value) ? "–" : round(value, digits).toLocaleString("en-US"));
const causes = (p: PhaseFigures) => `${n(p.cyclesPerSecondByCause.notification)} / ${n(p.cyclesPerSecondByCause.scheduled)} / ${n(p.cyclesPerSecondByCause.retry)}`;

/** The rows of the table: label and how to show one run's value. */
const figures: Array<[string, (r: FleetRow) => string, ((r: FleetRow) => number | null)?]> = [
  ["enable: how", (r) => (r.enable.method === "api" ? "API: PUT each, bulk Test & Enable" : "seeded: rows, claims, subscriptions")],
  ["enable: PUT every mailbox (seeded: write rows and subscribe), s", (r) => n(r.enable.createSeconds, 1)],
  ["enable: bulk Test & Enable, s", (r) => (r.enable.method === "api" ? n(r.enable.testAndEnableSeconds, 1) : "–")],
  ["enable: then until every mailbox's first cycle, s", (r) => n(r.enable.firstSyncSeconds, 1)],
  ["enable: total, s", (r) => n(r.enable.totalSeconds, 1)],
  // The idle phase is the minute right after enabling: no round is due yet (the first come 5 minutes
  // (polling, outgoing) to 30 (the push safety net, spread) after each mailbox's first cycle). What
  // the fleet costs doing nothing is the steady phase's scheduled cycles.
  ["idle, the minute after enabling (first rounds 5–30 min later): cycles/s (notification / scheduled / retry)", (r) => `${n(r.idle.cyclesPerSecond)} (${causes(r.idle)})`, (r) => r.idle.cyclesPerSecond],
  ["idle: worker CPU ms per cycle", (r) => (r.idle.cyclesPerSecond > 0 ? n(r.idle.workerCpuMsPerCycle) : "–")],
  ["idle: table transactions per cycle", (r) => (r.idle.cyclesPerSecond > 0 ? n(r.idle.tableTransactionsPerCycle) : "–")],
  ["steady: mail/s delivered (stored)", (r) => `${n(r.steady.emailsDelivered / r.steady.seconds, 1)} (${n(r.steady.emailsStored / r.steady.seconds, 1)})`],
  ["steady: delivery → readable p50 / p95 / p99 / max, s", (r) => `${n(r.latency.steady.p50Seconds, 1)} / ${n(r.latency.steady.p95Seconds, 1)} / ${n(r.latency.steady.p99Seconds, 1)} / ${n(r.latency.steady.maxSeconds, 1)} (${r.latency.steady.samples} samples, ${r.latency.steady.missing} missing)`, (r) => r.latency.steady.p95Seconds],
  ["steady: cycles/s (notification / scheduled / retry)", (r) => `${n(r.steady.cyclesPerSecond)} (${causes(r.steady)})`, (r) => r.steady.cyclesPerSecond],
  ["steady: worker CPU, cores", (r) => n(r.steady.workerCores, 3), (r) => r.steady.workerCores],
  ["steady: worker CPU ms per cycle / per email (all of it)", (r) => `${n(r.steady.workerCpuMsPerCycle)} / ${n(r.steady.workerCpuMsPerEmail)}`, (r) => r.steady.workerCpuMsPerEmail],
  ["steady: worker event-loop use", (r) => n(r.steady.eventLoopUtilization, 3), (r) => r.steady.eventLoopUtilization],
  ["steady: Graph requests per email (cycles that took mail in) / per idle cycle", (r) => `${n(r.steady.graphRequestsPerEmail)} / ${n(r.steady.graphRequestsPerIdleCycle)}`, (r) => r.steady.graphRequestsPerEmail],
  ["steady: table transactions per email (all of them, idle rounds and timers included)", (r) => n(allTablePerEmail(r.steady, r.mailboxes)), (r) => allTablePerEmail(r.steady, r.mailboxes)],
  ["steady: Service Bus operations per mailbox per hour", (r) => n(r.steady.serviceBusOperationsPerMailboxHour), (r) => r.steady.serviceBusOperationsPerMailboxHour],
  ["steady: Azurite / simulator CPU, cores", (r) => `${n(r.steady.azuriteCores, 3)} / ${n(r.steady.simulatorCores, 3)}`, (r) => r.steady.azuriteCores],
  ["burst: mail/s delivered", (r) => n(r.burst.emailsDelivered / r.burst.seconds, 1)],
  ["burst: delivery → readable p50 / p95 / p99 / max, s", (r) => `${n(r.latency.burst.p50Seconds, 1)} / ${n(r.latency.burst.p95Seconds, 1)} / ${n(r.latency.burst.p99Seconds, 1)} / ${n(r.latency.burst.maxSeconds, 1)} (${r.latency.burst.samples} samples, ${r.latency.burst.missing} missing)`, (r) => r.latency.burst.p95Seconds],
  ["burst: worker CPU, cores / event-loop use", (r) => `${n(r.burst.workerCores, 3)} / ${n(r.burst.eventLoopUtilization, 3)}`, (r) => r.burst.workerCores],
  ["burst: Azurite / simulator CPU, cores", (r) => `${n(r.burst.azuriteCores, 3)} / ${n(r.burst.simulatorCores, 3)}`],
  ["worker peak RSS / heap, MiB", (r) => `${r.peakRssMiB} / ${r.peakHeapMiB}`, (r) => r.peakRssMiB],
  ["cost per mailbox per month", (r) => `$${r.cost.totalPerMailboxMonth.toFixed(4)}`, (r) => r.cost.totalPerMailboxMonth],
];

export function fleetMarkdown(results: FleetResults): string {
  const lines: string[] = [];
  const m = results.machine;
  lines.push(`Taken ${results.takenAt.slice(0, 16).replace("T", " ")} UTC with \`${results.command}\` on ${m.cpuModel} (${m.cores} cores, ${m.memoryGiB} GiB), Node ${m.node}, load at start ${m.loadAverageAtStart.join(" ")}. One worker process (${results.sessionsPerQueue} sessions per queue, host.json), Azurite and the simulator each in a process of its own on the same 2 cores.`);
  lines.push("");
  const rows = results.rows;
  lines.push(`| | ${rows.map((r) => `${r.push ? "push" : "polling"}, ${r.mailboxes.toLocaleString("en-US")}`).join(" | ")} | growth ${rows.some((r) => r.push) ? "(push)" : ""} |`);
  lines.push(`| --- | ${rows.map(() => "---:").join(" | ")} | ---: |`);
  const pushRows = rows.filter((r) => r.push).sort((a, b) => a.mailboxes - b.mailboxes);
  const [small, large] = pushRows.length >= 2 ? [pushRows[0]!, pushRows[pushRows.length - 1]!] : [undefined, undefined];
  for (const [label, show, value] of figures) {
    let growth = "";
    if (small && large && value) {
      const a = value(small);
      const b = value(large);
      if (a && b) growth = `${n(b / a, 2)}×`;
    }
    lines.push(`| ${label} | ${rows.map(show).join(" | ")} | ${growth} |`);
  }
  lines.push("");
  if (small && large) lines.push(`Growth is the ${large.mailboxes.toLocaleString("en-US")}-mailbox push run's figure over the ${small.mailboxes.toLocaleString("en-US")}-mailbox one (the fleet grew ${n(large.mailboxes / small.mailboxes, 0)}×): what grows faster than the fleet is a finding.`);
  const big = rows.find((r) => r.push && r === large) ?? rows[rows.length - 1]!;
  lines.push("");
  lines.push(`Cost of the ${big.push ? "push" : "polling"} run with ${big.mailboxes.toLocaleString("en-US")} mailboxes, by line (test/bench/fleet-cost.ts, unit prices in test/bench/unit-prices.ts): ${big.cost.lines.map((l) => `${l.item} $${l.perMailboxMonth.toFixed(4)} (${l.basis})`).join("; ")}.`);
  return lines.join("\n");
}
