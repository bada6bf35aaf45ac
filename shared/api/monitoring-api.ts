/**
 * GET /api/monitoring: the console's dashboard in one answer. Mailboxes by workload and status,
 * failing and awaiting approval (each a filter of GET /api/mailboxes, so the console links every
 * number to its list), push health when mailboxes report it, item-level failures in retention,
 * and the last 24 hours per hour: items synced, cycles, failed and throttled cycles, delivery
 * latency. Counts and ids only: nothing here is mail content.
 */
import { workloads, type Workload, type WorkloadStatus } from "../domain/workloads.js";
import { hourOf } from "../monitoring/hourly-tally.js";
import type { Runtime } from "../runtime.js";
import { retentionCutoff } from "./failure-api.js";

type StatusCounts = Record<WorkloadStatus | "disabled", number>;

/** A mailbox's push health, when the mailbox view carries one (issue 12): its status word. */
export function pushLabel(push: unknown): string | undefined {
  if (!push || typeof push !== "object") return undefined;
  const { status, state, healthy } = push as { status?: unknown; state?: unknown; healthy?: unknown };
  if (typeof status === "string") return status;
  if (typeof state === "string") return state;
  if (typeof healthy === "boolean") return healthy ? "healthy" : "unhealthy";
  return undefined;
}

export async function monitoringSummary(runtime: Runtime) {
  const byWorkload = Object.fromEntries(workloads.map((w) => [w, { NotRun: 0, Success: 0, Failure: 0, disabled: 0 }])) as Record<Workload, StatusCounts>;
  let total = 0;
  let failing = 0;
  let awaitingApproval = 0;
  const push: Record<string, number> = {};
  let continuationToken: string | undefined;
  do {
    const page = await runtime.mailboxes.listPage({ pageSize: 1000, continuationToken });
    for (const mailbox of page.items) {
      total++;
      if (!mailbox.approved) awaitingApproval++;
      let fails = false;
      for (const w of workloads) {
        const state = mailbox.workloads[w];
        if (state.method !== "ServerSideSync") continue;
        byWorkload[w][state.status]++;
        if (!state.enabled) byWorkload[w].disabled++;
        if (state.status === "Failure") fails = true;
      }
      if (fails) failing++;
      const label = pushLabel((mailbox as { push?: unknown }).push);
      if (label) push[label] = (push[label] ?? 0) + 1;
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);

  const now = runtime.now();
  const from = hourOf(now - 23 * 60 * 60 * 1000);
  const hours = await runtime.syncStats.perHour(from);
  const itemFailures = (await runtime.failures.since(retentionCutoff(runtime))).length;
  return {
    at: new Date(now).toISOString(),
    mailboxes: { total, failing, awaitingApproval, byWorkload },
    push,
    itemFailures: { total: itemFailures, retentionDays: runtime.settings.itemFailureRetentionDays },
    perHour: hours.map((h) => ({
      hour: `${h.hour}:00:00Z`,
      items: h.items,
      cycles: h.cycles,
      failed: h.failed,
      throttled: h.throttled,
      throttleWaitSeconds: Math.round(h.throttleWaitMs / 1000),
      latencyAverageSeconds: h.latencyCount ? Math.round(h.latencySumMs / h.latencyCount / 100) / 10 : null,
      latencyMaxSeconds: h.latencyCount ? Math.round(h.latencyMaxMs / 100) / 10 : null,
    })),
  };
}
