/** What the Functions session trigger and the senders would be billed for on a queue. */
/**
 * Billable operations ("any API call"; Service Bus pricing FAQ) the Functions Service Bus trigger
 * makes with sessions, prefetchCount 0 and autoCompleteMessages (host.json): a session is accepted
 * (AcceptNextSession), each message is one receive and one complete or abandon; once the session
 * has nothing more, a last receive waits sessionIdleTimeout and comes back empty, and the session
 * is closed. A handler longer than the lock renews it. Sends count per message (scheduled apart).
 */
export interface SessionTriggerOperations {
  accepts: number;
  receives: number;
  emptyReceives: number;
  completes: number;
  abandons: number;
  closes: number;
  lockRenewals: number;
  sends: number;
  scheduledSends: number;
}

export function emptyOperations(): SessionTriggerOperations {
  return { accepts: 0, receives: 0, emptyReceives: 0, completes: 0, abandons: 0, closes: 0, lockRenewals: 0, sends: 0, scheduledSends: 0 };
}

export function totalOperations(ops: SessionTriggerOperations): number {
  return Object.values(ops).reduce((sum, n) => sum + n, 0);
}
