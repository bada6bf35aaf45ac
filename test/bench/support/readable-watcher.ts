/**
 * Delivery → readable: polls GET /api/emails of each mailbox with mail pending until each
 * delivered subject shows, handing its latency to `onReadable`; once delivery has stopped it waits
 * for the rest, at most `waitMs` after the oldest was delivered (what is left is missing).
 */
import type { LocalHostChild } from "./local-host-child.js";
import { sleep } from "./stats.js";

export interface PendingDelivery {
  mailboxId: string;
  subject: string;
  /** Epoch ms. */
  deliveredAt: number;
}

export async function watchUntilReadable<P extends PendingDelivery>(
  host: Pick<LocalHostChild, "api">,
  pending: Set<P>,
  options: { delivering: () => boolean; waitMs: number; intervalMs?: number; onReadable: (delivery: P, seconds: number) => void },
): Promise<void> {
  for (;;) {
    const byMailbox = new Map<string, P[]>();
    for (const p of pending) byMailbox.set(p.mailboxId, [...(byMailbox.get(p.mailboxId) ?? []), p]);
    await Promise.all(
      [...byMailbox].map(async ([mailboxId, waiting]) => {
        const list = await host.api("GET", `emails?mailboxId=${mailboxId}&pageSize=50`);
        const seen = new Set((list.body.items as Array<{ subject: string }>).map((e) => e.subject));
        const now = Date.now();
        for (const p of waiting) {
          if (!seen.has(p.subject)) continue;
          pending.delete(p);
          options.onReadable(p, (now - p.deliveredAt) / 1000);
        }
      }),
    );
    if (!options.delivering()) {
      const oldest = Math.min(...[...pending].map((p) => p.deliveredAt));
      if (pending.size === 0 || Date.now() - oldest > options.waitMs) return;
    }
    await sleep(options.intervalMs ?? 200);
  }
}
