/**
 * Exchange Online allows an app 4 concurrent requests per mailbox; a 5th is answered 429
 * (MailboxConcurrency). The 4 hold across every worker by construction: each Graph request goes in
 * one of the mailbox's lanes, each lane has a fixed share, and the shares sum to 4.
 *
 * - `incoming` (2): the incoming cycle. Only one incoming cycle of a mailbox runs at a time across
 *   all workers (the incoming-email queue's Service Bus session is the mailbox), so the share
 *   enforced here, in the one process that runs it, is the lane's total.
 * - `act` (1): the ACT cycle, exclusive across workers the same way (act-sync session).
 * - `shared` (1): the outgoing cycle and every caller that runs outside a session — the API (Test
 *   & Enable, Track now, tracked folders), push subscription create/renew/delete, alert notices.
 *   Those can run in any worker at once, so the lane is also leased across workers per mailbox
 *   (storage/mailbox-lane-leases.ts), taken when a request needs it and handed back once idle.
 *   Outgoing cycles run only when mail is to be sent, so the lease costs nothing on the cycles
 *   that run most (incoming, ACT), least of all an idle incoming cycle.
 *
 * A caller that does not declare a lane gets `shared`: a new Graph caller is safe by default.
 */
import type { Workload } from "../domain/workloads.js";

export const maxConcurrentRequestsPerMailbox = 4;

export type MailboxLane = "incoming" | "act" | "shared";

export const laneShares: Readonly<Record<MailboxLane, number>> = { incoming: 2, act: 1, shared: 1 };

/** The lane each workload's cycle uses (outgoing shares the leased lane: it runs seldom). */
export const workloadLane: Readonly<Record<Workload, MailboxLane>> = { incoming: "incoming", act: "act", outgoing: "shared" };

/** Holds a lane of a mailbox for this process against every other worker (the `shared` lane). */
export interface LaneLeases {
  /** Resolves once this process holds the mailbox's lane; the returned function lets it go. */
  hold(mailboxKey: string): Promise<() => void>;
}

interface LaneState {
  running: number;
  waiting: Array<() => void>;
}

export class MailboxRequestGate {
  private readonly active = new Map<string, LaneState>();

  /** Without leases the `shared` lane holds within this process only (tests of one connection). */
  constructor(private readonly leases?: LaneLeases) {}

  async run<T>(mailboxKey: string | undefined, lane: MailboxLane, work: () => Promise<T>): Promise<T> {
    if (!mailboxKey) return work();
    const key = `${lane}|${mailboxKey}`;
    let entry = this.active.get(key);
    if (!entry) {
      entry = { running: 0, waiting: [] };
      this.active.set(key, entry);
    }
    if (entry.running >= laneShares[lane]) await new Promise<void>((resolve) => entry!.waiting.push(resolve));
    entry.running++;
    try {
      if (lane !== "shared" || !this.leases) return await work();
      const letGo = await this.leases.hold(mailboxKey);
      try {
        return await work();
      } finally {
        letGo();
      }
    } finally {
      entry.running--;
      const next = entry.waiting.shift();
      if (next) next();
      else if (entry.running === 0) this.active.delete(key);
    }
  }
}

/** The mailbox a Graph path or link addresses (`/users/{key}/...`), case-insensitive. */
export function mailboxKeyOf(pathOrLink: string): string | undefined {
  const match = /\/users\/([^/?]+)/i.exec(pathOrLink);
  return match ? decodeURIComponent(match[1]!).toLowerCase() : undefined;
}
