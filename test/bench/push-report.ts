/** The push section of BENCHMARKS.md: delivery with and without push, the route's burst, cost per mailbox. */
import type { BenchResults } from "./run.js";
import { costModel, defaultCostAssumptions } from "./cost-model.js";
import { defaultPushCostAssumptions, pushCostModel } from "./push-cost.js";
import type { PushResult } from "./scenarios/push.js";
import { round } from "./support/stats.js";

const money = (n: number) => `$${n.toFixed(4)}`;

/**
 * A quiet mailbox's notification finds its subscription's cache entry expired (60 s) and writes
 * its last-notification time: one read, one write, one queue send — more than the burst's folded
 * average, which is the busy case. The model takes the larger of the two.
 */
function quietNotification(b: PushResult["burst"]) {
  return { tableTransactions: Math.max(2, b.tableTransactionsPerNotification), queueSends: Math.max(1, b.queueSendsPerNotification) };
}

export function pushMarkdown(push: PushResult, measuredFrom: BenchResults, run: { sessions: number; machine: BenchResults["machine"]; takenAt: string }): string {
  const lines: string[] = [];
  lines.push(`Taken ${run.takenAt.slice(0, 16).replace("T", " ")} UTC with \`npm run bench -- --only push\` on ${run.machine.cpuModel} (${run.machine.cores} cores), load ${run.machine.loadAverageAtStart.join(" ")}.`);
  lines.push("");
  lines.push("**Delivery → readable through `GET /api/emails`** (local host, simulated tenant over HTTPS, 20 mailboxes each; mail at random):");
  lines.push("");
  lines.push("| run | samples | missing | p50 s | p95 s | p99 s | max s |");
  lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const d of push.delivery) lines.push(`| ${d.name} | ${d.samples} | ${d.missing} | ${d.p50Seconds} | ${d.p95Seconds} | ${d.p99Seconds} | ${d.maxSeconds} |`);
  lines.push("");
  const b = push.burst;
  lines.push(`**The notification route under a burst:** ${b.notifications.toLocaleString("en-US")} notifications for ${b.mailboxes.toLocaleString("en-US")} mailboxes in ${b.posts} POSTs of 100 (${b.postsInFlight} in flight) took ${b.seconds} s: **${b.notificationsPerSecond.toLocaleString("en-US")} notifications/s**, slowest answer ${b.maxPostMs} ms (p99 ${b.p99PostMs} ms; Graph allows 3,000); ${b.redelivered} POSTs answered 503 (their checks ran past 2.5 s while the subscription cache was cold) and were delivered again, as Graph does; ${b.accepted.toLocaleString("en-US")} notifications accepted (every one at least once: nothing lost), folded into ${b.triggersQueued.toLocaleString("en-US")} queue messages; ${b.tableTransactionsPerNotification} table transactions and ${b.queueSendsPerNotification} queue sends per notification.`);
  lines.push("");
  const idle = measuredFrom.idle[0];
  const realIdle = measuredFrom.realistic.idle;
  const ingest = measuredFrom.ingest[0];
  if (idle && realIdle && ingest) {
    const measured = {
      incomingIdle: { tableTransactionsPerCycle: idle.tableTransactionsPerCycle, queueSendsPerCycle: idle.queueSendsPerCycle, wallSecondsPerCycle: realIdle.meanCycleMs / 1000 },
      outgoingIdle: { tableTransactionsPerCycle: idle.outgoingIdle.tableTransactionsPerCycle, queueSendsPerCycle: idle.outgoingIdle.queueSendsPerCycle, wallSecondsPerCycle: realIdle.outgoingIdle.meanCycleMs / 1000 },
      perEmail: { tableTransactions: ingest.tableTransactionsPerEmail },
    };
    const polling = costModel(measured, { ...defaultCostAssumptions, executionsSharingAnInstance: run.sessions });
    const withPush = pushCostModel(measured, { ...defaultPushCostAssumptions, executionsSharingAnInstance: run.sessions, perNotification: quietNotification(b) });
    const a = withPush.assumptions;
    lines.push(`**Cost per mailbox per month** (unit prices in test/bench/unit-prices.ts; per-cycle counts measured by the standard run of ${measuredFrom.takenAt.slice(0, 10)}, a notification costing what a quiet mailbox's does: ${quietNotification(b).tableTransactions} table transactions and ${quietNotification(b).queueSends} queue send). Polling: every 300 s incoming and outgoing, 480 s ACT. Push: safety net ${a.incomingSafetyNetSeconds} s incoming and ${a.actSafetyNetSeconds} s ACT, ${a.emailsPerMailboxPerDay} emails/day each its own cycle (no folding assumed), ${a.sendsPerMailboxPerDay} sends/day, ${a.actChangesPerMailboxPerDay} Exchange-side and ${a.crmChangesPerMailboxPerDay} CRM-side ACT changes/day, ${a.subscriptionsPerMailbox} subscriptions renewed every ${a.renewalEverySeconds / 3600} h, the renewal timer's scan shared by the fleet.`);
    lines.push("");
    lines.push("| fleet | polling: cycles/month | polling $/mailbox/month | push: cycles/month | push: notifications/month | push $/mailbox/month |");
    lines.push("| ---: | ---: | ---: | ---: | ---: | ---: |");
    const pollCycles = Math.round(polling.cyclesPerMailboxMonth.incoming + polling.cyclesPerMailboxMonth.outgoing + polling.cyclesPerMailboxMonth.act);
    const pushCycles = Math.round(withPush.cyclesPerMailboxMonth.incoming + withPush.cyclesPerMailboxMonth.outgoing + withPush.cyclesPerMailboxMonth.act);
    for (const [i, fleet] of withPush.byFleet.entries()) {
      lines.push(`| ${fleet.mailboxes.toLocaleString("en-US")} | ${pollCycles.toLocaleString("en-US")} | ${money(polling.byFleet[i]!.totalPerMailboxMonth)} | ${pushCycles.toLocaleString("en-US")} | ${Math.round(withPush.notificationsPerMailboxMonth).toLocaleString("en-US")} | ${money(fleet.totalPerMailboxMonth)} |`);
    }
    lines.push("");
    const big = withPush.byFleet[withPush.byFleet.length - 1]!;
    lines.push(`Push at ${big.mailboxes.toLocaleString("en-US")} mailboxes, by line: ${big.lines.map((l) => `${l.item} ${money(l.perMailboxMonth)}`).join("; ")}. Ratio to polling: ${round(big.totalPerMailboxMonth / polling.byFleet[polling.byFleet.length - 1]!.totalPerMailboxMonth, 2)}.`);
  } else {
    lines.push("Cost: no measured per-cycle counts (run the standard `npm run bench` first).");
  }
  return lines.join("\n");
}
