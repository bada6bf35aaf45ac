/**
 * The renewal timer's tick: first, when the notification URL changed (push switched on or off, or
 * a new address), a page of mailboxes is reconciled (subscriptions created against the new URL, or
 * deleted); then each shard is asked for subscriptions whose renewal is due (renewDueAt, spread
 * over the lifetime by subscription id) and at most a bounded batch is handled per tick, so renewal
 * load stays flat. A subscription Graph no longer has (404), one it removed, or one that expired is
 * recreated, and its mailbox workload gets a delta round now for whatever the gap missed.
 */
import pLimit from "p-limit";
import { pushWorkloads, workloadOfKind, type PushSubscription } from "../domain/push/subscriptions.js";
import type { Runtime } from "../runtime.js";
import { allMailboxShards } from "../storage/mailbox-repository.js";
import { queuePushRounds } from "./push-trigger.js";
import { ensureSubscriptions, renew, subscribe, unsubscribe, wantsSubscriptions } from "./subscription-service.js";

export interface RenewalReport {
  reconciled: number;
  renewed: number;
  recreated: number;
  failed: number;
  removed: number;
}

/** Subscriptions handled per shard and tick (16 shards): ~460,000 a day, far above the need. */
const perShardPerTick = 20;
/** Mailboxes reconciled per tick after the notification URL changed. */
const reconcilePageSize = 100;

export async function runRenewalTick(runtime: Runtime): Promise<RenewalReport> {
  const report: RenewalReport = { reconciled: 0, renewed: 0, recreated: 0, failed: 0, removed: 0 };
  const reconciliation = await reconcileOnePage(runtime, report);
  // Push off and nothing left to take down: no subscription exists, nothing to scan.
  if (!runtime.settings.pushNotificationUrl && reconciliation === "settled") return report;
  const now = runtime.now();
  const scans = pLimit(4);
  const work = pLimit(8);
  await Promise.all(
    allMailboxShards.map((shard) =>
      scans(async () => {
        const due = await runtime.pushSubscriptions.dueInShard(shard, now, perShardPerTick);
        await Promise.all(due.map((sub) => work(() => handleDue(runtime, sub, report))));
      }),
    ),
  );
  return report;
}

async function handleDue(runtime: Runtime, sub: PushSubscription, report: RenewalReport): Promise<void> {
  const workload = workloadOfKind(sub.kind);
  const mailbox = (await runtime.mailboxes.get(sub.mailboxId))?.mailbox;
  const profile = mailbox ? await runtime.profiles.get(mailbox.profileId) : undefined;
  if (!mailbox || !profile || !(await wantsSubscriptions(runtime, mailbox, workload))) {
    // The mailbox went, or the workload was disabled, without its subscriptions.
    if (mailbox) await unsubscribe(runtime, mailbox, [workload]);
    else await runtime.pushSubscriptions.remove(sub);
    report.removed++;
    return;
  }
  const live = sub.status === "active" && sub.subscriptionId && (sub.expiresAt ?? 0) > runtime.now();
  if (live) {
    const outcome = await renew(runtime, mailbox, profile, sub);
    if (outcome === "renewed") report.renewed++;
    if (outcome === "failed") report.failed++;
    if (outcome !== "gone") return;
  }
  // Gone, removed, expired or never created: create it again, then a delta round for the gap.
  const created = await subscribe(runtime, mailbox, profile, sub.kind, sub);
  if (created.status !== "active") {
    report.failed++;
    return;
  }
  report.recreated++;
  if (sub.problem !== "notSubscribed" || sub.subscriptionId) await queuePushRounds(runtime, [{ mailboxId: mailbox.id, workload }]);
}

/**
 * When PUSH_NOTIFICATION_URL differs from the URL the subscriptions were made for, one page of
 * mailboxes moves to it per tick: subscriptions created (or recreated for the new URL), or deleted
 * when push was switched off. "settled" when nothing is left to do.
 */
async function reconcileOnePage(runtime: Runtime, report: RenewalReport): Promise<"settled" | "running"> {
  const target = runtime.settings.pushNotificationUrl ?? "";
  const state = await runtime.pushSubscriptions.reconciliation();
  if (state.url === target && state.target === undefined) return "settled";
  const continuationToken = state.target === target ? state.continuationToken : undefined;
  const page = await runtime.mailboxes.listPage({ pageSize: reconcilePageSize, continuationToken });
  const limit = pLimit(4);
  await Promise.all(
    page.items.map((mailbox) =>
      limit(async () => {
        const profile = await runtime.profiles.get(mailbox.profileId);
        for (const workload of pushWorkloads) {
          if (target && profile && (await wantsSubscriptions(runtime, mailbox, workload))) {
            // Subscriptions made for another URL would notify it: replace them all.
            if (state.url !== "") await unsubscribe(runtime, mailbox, [workload]);
            await ensureSubscriptions(runtime, mailbox, profile, workload);
          } else {
            await unsubscribe(runtime, mailbox, [workload]);
          }
        }
        report.reconciled++;
      }),
    ),
  );
  if (page.continuationToken) {
    await runtime.pushSubscriptions.saveReconciliation({ url: state.url, target, continuationToken: page.continuationToken });
    return "running";
  }
  await runtime.pushSubscriptions.saveReconciliation({ url: target });
  return "settled";
}
