/**
 * Where push meets the cycle: after a push workload's cycle, its next scheduled round is the safety
 * net (profile `pushSafetyNetSeconds`) while its subscriptions are healthy, and the polling schedule
 * when they are not. A safety-net round that finds changes no notification announced counts
 * against the subscriptions; twice in a row and notifications count as missing (alert), until a
 * notification arrives again.
 */
import { raiseAlert } from "../alerts/alert-service.js";
import type { Mailbox } from "../domain/mailbox.js";
import type { EmailServerProfile } from "../domain/profile.js";
import {
  isPushWorkload,
  safetyNetNextRun,
  subscriptionKinds,
  unannouncedRoundsLimit,
  workloadPushHealth,
  type PushSubscription,
  type PushWorkload,
} from "../domain/push/subscriptions.js";
import type { CycleEnd } from "../domain/schedule.js";
import type { Workload } from "../domain/workloads.js";
import type { WorkloadMessageBody } from "../queues/work-queue.js";
import type { Runtime } from "../runtime.js";
import { pushEnabled, wantsSubscriptions } from "./subscription-service.js";

export interface FinishedCycle {
  mailbox: Mailbox;
  profile: EmailServerProfile;
  workload: Workload;
  reason: WorkloadMessageBody["reason"];
  end: CycleEnd;
  now: number;
}

export async function nextRunWithPush(runtime: Runtime, cycle: FinishedCycle, polled: number): Promise<number> {
  const { mailbox, profile, workload, end, now } = cycle;
  if (!isPushWorkload(workload) || !pushEnabled(runtime)) return polled;
  const kinds = subscriptionKinds[workload];
  let subs = (await runtime.pushSubscriptions.forMailbox(mailbox.id)).filter((s) => kinds.includes(s.kind));
  const missing = kinds.filter((kind) => !subs.some((s) => s.kind === kind));
  if (missing.length > 0 && (await wantsSubscriptions(runtime, mailbox, workload))) {
    // Enabled before push was on, or its row lost: the renewal timer creates it on its next tick.
    for (const kind of missing) await runtime.pushSubscriptions.save({ mailboxId: mailbox.id, kind, renewDueAt: now, status: "failed", problem: "notSubscribed", failures: 0, unannouncedRounds: 0 });
    return polled;
  }
  const items = "items" in end ? end.items : 0;
  if (cycle.reason === "scheduled" && end.kind === "completed" && items > 0 && workloadPushHealth(workload, subs, now).healthy) {
    subs = await countUnannounced(runtime, mailbox, profile, workload, subs);
  }
  const health = workloadPushHealth(workload, subs, now);
  if (!health.healthy) return polled;
  const first = !mailbox.workloads[workload].lastSuccessAt;
  return safetyNetNextRun(now, end, polled, profile.pushSafetyNetSeconds[workload], { first, random: Math.random() });
}

/** The round found changes: a subscription with no notification since the previous round missed them. */
async function countUnannounced(runtime: Runtime, mailbox: Mailbox, profile: EmailServerProfile, workload: PushWorkload, subs: PushSubscription[]): Promise<PushSubscription[]> {
  // The workload's previous round, as the mailbox was read at this cycle's start.
  const previousRound = Date.parse(mailbox.workloads[workload].lastRunAt ?? "") || 0;
  if (previousRound === 0) return subs;
  const updated: PushSubscription[] = [];
  for (const sub of subs) {
    if ((sub.lastNotificationAt ?? 0) >= previousRound) {
      updated.push(sub);
      continue;
    }
    const unannouncedRounds = sub.unannouncedRounds + 1;
    await runtime.pushSubscriptions.update(mailbox.id, sub.kind, { unannouncedRounds });
    if (unannouncedRounds === unannouncedRoundsLimit) {
      await raiseAlert(runtime, "PushNotificationsMissing", { mailbox, profile, workload, detail: `in ${unannouncedRounds} safety-net rounds in a row (${sub.kind})` });
    }
    updated.push({ ...sub, unannouncedRounds });
  }
  return updated;
}
