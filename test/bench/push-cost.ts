/**
 * Cost per mailbox per month with push on, next to polling (cost-model.ts), from the same measured
 * per-cycle counts plus what push adds: the notification route's executions, its folded
 * last-notification writes and queue sends, renewals, and the renewal timer's scan. Pure.
 * ASSUMPTIONS (named here, in the output too): how much mail, how many sends and ACT changes a
 * mailbox sees a day, and that every notification costs its own cycle (no folding), which
 * overstates push's cost for busy mailboxes.
 */
import { serviceBusMonthly, triggerOperationsPerCycle, type CostLine, type MeasuredCosts } from "./cost-model.js";
import { unitPrices } from "./unit-prices.js";

export interface PushCostAssumptions {
  incomingSafetyNetSeconds: number;
  actSafetyNetSeconds: number;
  emailsPerMailboxPerDay: number;
  sendsPerMailboxPerDay: number;
  /** Exchange-side changes of events and contacts a day (each notified, each an ACT cycle). */
  actChangesPerMailboxPerDay: number;
  /** CRM-side changes of appointments, contacts and tasks a day (each queues an ACT cycle). */
  crmChangesPerMailboxPerDay: number;
  subscriptionsPerMailbox: number;
  /** Graph's lifetime (3 days asked) × the renewal point (60–75 %): a renewal about every 2 days. */
  renewalEverySeconds: number;
  /** Measured at the route: table transactions and queue sends per accepted notification. */
  perNotification: { tableTransactions: number; queueSends: number };
  /** What a cycle adds with push on: reading the mailbox's subscriptions (one query). */
  extraTableTransactionsPerCycle: number;
  /** Per renewal: the mailbox, the subscription's two rows. */
  tableTransactionsPerRenewal: number;
  /** The renewal timer: every minute, one query per shard (16), whatever the fleet. */
  timerTableTransactionsPerMonth: number;
  timerExecutionsPerMonth: number;
  executionsSharingAnInstance: number;
  fleetSizes: number[];
}

export const defaultPushCostAssumptions: Omit<PushCostAssumptions, "perNotification" | "executionsSharingAnInstance"> = {
  incomingSafetyNetSeconds: 1_800,
  actSafetyNetSeconds: 3_600,
  emailsPerMailboxPerDay: 50,
  sendsPerMailboxPerDay: 10,
  actChangesPerMailboxPerDay: 10,
  crmChangesPerMailboxPerDay: 5,
  subscriptionsPerMailbox: 3,
  renewalEverySeconds: 2 * 86_400,
  extraTableTransactionsPerCycle: 1,
  tableTransactionsPerRenewal: 4,
  timerTableTransactionsPerMonth: 16 * 60 * unitPrices.hoursPerMonth,
  timerExecutionsPerMonth: 60 * unitPrices.hoursPerMonth,
  fleetSizes: [1_000, 50_000],
};

export function pushCostModel(measured: MeasuredCosts, a: PushCostAssumptions) {
  const seconds = unitPrices.hoursPerMonth * 3600;
  const days = seconds / 86_400;
  const notifications = (a.emailsPerMailboxPerDay + a.actChangesPerMailboxPerDay) * days;
  const cycles = {
    incoming: seconds / a.incomingSafetyNetSeconds + a.emailsPerMailboxPerDay * days,
    // No idle polling: one cycle per Send.
    outgoing: a.sendsPerMailboxPerDay * days,
    act: seconds / a.actSafetyNetSeconds + (a.actChangesPerMailboxPerDay + a.crmChangesPerMailboxPerDay) * days,
  };
  const renewals = (a.subscriptionsPerMailbox * seconds) / a.renewalEverySeconds;
  const cycleExecutions = cycles.incoming + cycles.outgoing + cycles.act;
  const executions = cycleExecutions + notifications + renewals / 20; // renewals run 20 to a timer execution at most; counted generously
  const inc = measured.incomingIdle;
  const out = measured.outgoingIdle;
  const wall = (cycles.incoming + cycles.act) * inc.wallSecondsPerCycle + cycles.outgoing * out.wallSecondsPerCycle;
  const mem = unitPrices.functionsFlex.instanceMemoryGb;
  const gbSeconds = (mem * wall) / a.executionsSharingAnInstance;
  const sends = (cycles.incoming + cycles.act) * inc.queueSendsPerCycle + cycles.outgoing * out.queueSendsPerCycle + notifications * a.perNotification.queueSends;
  const serviceBusOperations = sends + cycleExecutions * triggerOperationsPerCycle();
  const emails = a.emailsPerMailboxPerDay * days;
  const tableTransactions =
    (cycles.incoming + cycles.act) * (inc.tableTransactionsPerCycle + a.extraTableTransactionsPerCycle) +
    cycles.outgoing * out.tableTransactionsPerCycle +
    emails * measured.perEmail.tableTransactions +
    notifications * a.perNotification.tableTransactions +
    renewals * a.tableTransactionsPerRenewal;
  const byFleet = a.fleetSizes.map((mailboxes) => {
    const timerShare = { executions: a.timerExecutionsPerMonth / mailboxes, tableTransactions: a.timerTableTransactionsPerMonth / mailboxes };
    const lines: CostLine[] = [
      { item: "Functions executions", perMailboxMonth: ((executions + timerShare.executions) / 1e6) * unitPrices.functionsFlex.perMillionExecutions, basis: `${Math.round(cycleExecutions)} cycles + ${Math.round(notifications)} notification posts + renewals + the renewal timer's share × $${unitPrices.functionsFlex.perMillionExecutions}/M` },
      { item: "Functions GB-s (executions sharing instances)", perMailboxMonth: gbSeconds * unitPrices.functionsFlex.perGbSecond, basis: `${Math.round(gbSeconds)} GB-s × $${unitPrices.functionsFlex.perGbSecond}` },
      { item: "Service Bus (Standard, tiered, base charge shared)", perMailboxMonth: serviceBusMonthly(serviceBusOperations * mailboxes) / mailboxes, basis: `${Math.round(serviceBusOperations)} operations per mailbox; fleet of ${mailboxes}` },
      { item: "Table transactions", perMailboxMonth: ((tableTransactions + timerShare.tableTransactions) / 10_000) * unitPrices.tableStorage.per10kTransactions, basis: `${Math.round(tableTransactions + timerShare.tableTransactions)} transactions × $${unitPrices.tableStorage.per10kTransactions}/10k` },
    ];
    const totalPerMailboxMonth = lines.reduce((s, l) => s + l.perMailboxMonth, 0);
    return { mailboxes, lines, totalPerMailboxMonth };
  });
  return { assumptions: a, cyclesPerMailboxMonth: cycles, notificationsPerMailboxMonth: notifications, renewalsPerMailboxMonth: renewals, serviceBusOperations, tableTransactions, byFleet };
}
