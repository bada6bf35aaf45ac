/**
 * How a mailbox's push looks to admins (GET /api/mailboxes/{id} `push`): per workload whether its
 * notifications are healthy, and each subscription's expiry and last notification. No secret.
 */
import { pushWorkloads, subscriptionKinds, workloadPushHealth } from "../domain/push/subscriptions.js";
import type { Runtime } from "../runtime.js";
import { pushEnabled } from "./subscription-service.js";

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export async function pushView(runtime: Runtime, mailboxId: string) {
  if (!pushEnabled(runtime)) return { enabled: false };
  const subs = await runtime.pushSubscriptions.forMailbox(mailboxId);
  const now = runtime.now();
  const workloads = Object.fromEntries(
    pushWorkloads
      .filter((w) => subs.some((s) => subscriptionKinds[w].includes(s.kind)))
      .map((w) => {
        const health = workloadPushHealth(w, subs, now);
        return [
          w,
          {
            state: health.healthy ? "healthy" : health.problem,
            subscriptions: subs
              .filter((s) => subscriptionKinds[w].includes(s.kind))
              .map((s) => ({ resource: s.kind, state: s.status, expiresAt: iso(s.expiresAt), lastNotificationAt: iso(s.lastNotificationAt), problem: s.problem ?? null })),
          },
        ];
      }),
  );
  return { enabled: true, workloads };
}
