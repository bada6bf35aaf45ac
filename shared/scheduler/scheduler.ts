/**
 * The scheduler's tick: find mailbox workloads that are due, queue one message each, and claim them
 * so they are not queued again until their cycle ends or the claim (lease) expires.
 *
 * Most runs are queued by the previous cycle itself (a scheduled message); the tick is the safety
 * net for new mailboxes and for cycles that crashed or whose message was lost. Its cost is one
 * server-side filtered query per shard and workload, whatever the number of mailboxes not due.
 */
import pLimit from "p-limit";
import { queueNames } from "../config/names.js";
import { queueLeaseMs } from "../domain/schedule.js";
import { workloads, type Workload } from "../domain/workloads.js";
import type { OutgoingQueueMessage } from "../queues/work-queue.js";
import type { Runtime } from "../runtime.js";
import { allMailboxShards, ConcurrencyConflict, type DueWorkload } from "../storage/mailbox-repository.js";
import { workloadMessageId } from "../sync/workload-runner.js";
import { currentTraceparent } from "../telemetry/telemetry.js";

export interface TickReport {
  due: number;
  queued: number;
  /** Claims lost to another scheduler or to a cycle that finished meanwhile. */
  conflicts: number;
  durationMs: number;
}

/** At most this many workloads are queued per shard and workload in one tick; the rest wait a tick. */
const maxPerShardPerTick = 2_000;

export async function runSchedulerTick(runtime: Runtime, options: { workloads?: readonly Workload[] } = {}): Promise<TickReport> {
  const started = runtime.now();
  const report: TickReport = { due: 0, queued: 0, conflicts: 0, durationMs: 0 };
  const claims = pLimit(32);
  const scans = pLimit(8);
  const leaseMs = queueLeaseMs(runtime.settings.cycleMaxMs);
  const jobs: Promise<void>[] = [];
  for (const workload of options.workloads ?? workloads) {
    for (const shard of allMailboxShards) {
      jobs.push(
        scans(async () => {
          const due: DueWorkload[] = [];
          for await (const page of runtime.mailboxes.dueInShard(shard, workload, started)) {
            due.push(...page);
            if (due.length >= maxPerShardPerTick) break;
          }
          if (due.length === 0) return;
          report.due += due.length;
          // Send before claiming: a crash in between re-sends the same message id next tick,
          // which the broker drops as a duplicate.
          const messages: OutgoingQueueMessage[] = due.map((d) => ({
            messageId: workloadMessageId(workload, d.mailboxId, d.nextSlot),
            sessionId: d.mailboxId,
            body: { mailboxId: d.mailboxId, workload, slot: d.nextSlot, reason: "scheduled", traceparent: currentTraceparent() },
          }));
          await runtime.queue.send(queueNames[workload], messages);
          report.queued += messages.length;
          await Promise.all(
            due.map((d) =>
              claims(async () => {
                try {
                  await runtime.mailboxes.patch(d.mailboxId, { workload: { name: workload, state: { dueAt: started + leaseMs } } }, d.etag);
                } catch (error) {
                  if (!(error instanceof ConcurrencyConflict)) throw error;
                  report.conflicts++;
                }
              }),
            ),
          );
        }),
      );
    }
  }
  await Promise.all(jobs);
  report.durationMs = runtime.now() - started;
  return report;
}
