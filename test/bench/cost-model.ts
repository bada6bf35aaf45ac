/**
 * Azure cost per mailbox per month at the default schedule, from measured counts and the named
 * unit prices (unit-prices.ts). Pure: figures in, figures out.
 */
import { unitPrices } from "./unit-prices.js";

export interface MeasuredCosts {
  incomingIdle: { tableTransactionsPerCycle: number; queueSendsPerCycle: number; wallSecondsPerCycle: number };
  outgoingIdle: { tableTransactionsPerCycle: number; queueSendsPerCycle: number; wallSecondsPerCycle: number };
  /** Per stored email (ingest). */
  perEmail: { tableTransactions: number };
}

export interface CostAssumptions {
  incomingEverySeconds: number;
  outgoingEverySeconds: number;
  actEverySeconds: number;
  emailsPerMailboxPerDay: number;
  /** Executions that overlap on one instance (billed instance time is shared); 1 = each alone. */
  executionsSharingAnInstance: number;
  fleetSizes: number[];
}

export const defaultCostAssumptions: CostAssumptions = {
  incomingEverySeconds: 300,
  outgoingEverySeconds: 300,
  actEverySeconds: 480,
  emailsPerMailboxPerDay: 50,
  executionsSharingAnInstance: 16,
  fleetSizes: [1_000, 50_000],
};

export interface CostLine {
  item: string;
  perMailboxMonth: number;
  basis: string;
}

export interface CostResult {
  assumptions: CostAssumptions;
  cyclesPerMailboxMonth: { incoming: number; outgoing: number; act: number };
  executions: number;
  gbSeconds: { shared: number; alone: number };
  serviceBusOperations: number;
  tableTransactions: number;
  byFleet: Array<{ mailboxes: number; lines: CostLine[]; totalPerMailboxMonth: number; totalMonth: number }>;
}

/** What the session trigger bills per cycle besides the sends (unit-prices.ts, bus.operations()). */
export function triggerOperationsPerCycle(): number {
  return Object.values(unitPrices.serviceBusStandard.sessionTriggerOperationsPerCycle).reduce((a, b) => a + b, 0);
}

/**
 * Operations an instance's idle trigger listeners bill in a month when no session is available:
 * every slot (maxConcurrentSessions) of every session-triggered function polls about once a minute.
 */
export function idleListenerOperationsPerInstanceMonth(sessionsPerInstance: number, sessionFunctions = 3): number {
  return sessionsPerInstance * sessionFunctions * unitPrices.serviceBusStandard.idleAcceptsPerSlotPerMinute * 60 * unitPrices.hoursPerMonth;
}

export function serviceBusMonthly(operations: number): number {
  const p = unitPrices.serviceBusStandard;
  let cost = p.basePerHour * unitPrices.hoursPerMonth;
  let remaining = Math.max(0, operations - p.includedOperations);
  let floor: number = p.includedOperations;
  for (const tier of p.tiers) {
    const inTier = Math.min(remaining, tier.upTo - floor);
    cost += (inTier / 1e6) * tier.perMillion;
    remaining -= inTier;
    floor = tier.upTo;
    if (remaining <= 0) break;
  }
  return cost;
}

export function costModel(measured: MeasuredCosts, assumptions: CostAssumptions = defaultCostAssumptions): CostResult {
  const seconds = unitPrices.hoursPerMonth * 3600;
  const cycles = {
    incoming: seconds / assumptions.incomingEverySeconds,
    outgoing: seconds / assumptions.outgoingEverySeconds,
    // ACT is not measured yet (its engine is being built): assumed to cost what an idle incoming cycle does.
    act: seconds / assumptions.actEverySeconds,
  };
  const executions = cycles.incoming + cycles.outgoing + cycles.act;
  const wall = cycles.incoming * measured.incomingIdle.wallSecondsPerCycle + cycles.outgoing * measured.outgoingIdle.wallSecondsPerCycle + cycles.act * measured.incomingIdle.wallSecondsPerCycle;
  const mem = unitPrices.functionsFlex.instanceMemoryGb;
  const gbSeconds = { shared: (mem * wall) / assumptions.executionsSharingAnInstance, alone: mem * wall };
  const sends = cycles.incoming * measured.incomingIdle.queueSendsPerCycle + cycles.outgoing * measured.outgoingIdle.queueSendsPerCycle + cycles.act * measured.incomingIdle.queueSendsPerCycle;
  const serviceBusOperations = sends + executions * triggerOperationsPerCycle();
  const emails = (assumptions.emailsPerMailboxPerDay * seconds) / 86_400;
  const tableTransactions =
    cycles.incoming * measured.incomingIdle.tableTransactionsPerCycle +
    cycles.outgoing * measured.outgoingIdle.tableTransactionsPerCycle +
    cycles.act * measured.incomingIdle.tableTransactionsPerCycle +
    emails * measured.perEmail.tableTransactions;
  const byFleet = assumptions.fleetSizes.map((mailboxes) => {
    const lines: CostLine[] = [
      { item: "Functions executions", perMailboxMonth: (executions / 1e6) * unitPrices.functionsFlex.perMillionExecutions, basis: `${Math.round(executions)} executions × $${unitPrices.functionsFlex.perMillionExecutions}/M` },
      { item: "Functions GB-s (executions sharing instances)", perMailboxMonth: gbSeconds.shared * unitPrices.functionsFlex.perGbSecond, basis: `${Math.round(gbSeconds.shared)} GB-s (${mem} GB × cycle wall time ÷ ${assumptions.executionsSharingAnInstance}) × $${unitPrices.functionsFlex.perGbSecond}` },
      { item: "Service Bus (Standard, tiered, base charge shared)", perMailboxMonth: serviceBusMonthly(serviceBusOperations * mailboxes) / mailboxes, basis: `${Math.round(serviceBusOperations)} operations per mailbox; fleet of ${mailboxes}` },
      { item: "Table transactions", perMailboxMonth: (tableTransactions / 10_000) * unitPrices.tableStorage.per10kTransactions, basis: `${Math.round(tableTransactions)} transactions × $${unitPrices.tableStorage.per10kTransactions}/10k` },
    ];
    const totalPerMailboxMonth = lines.reduce((s, l) => s + l.perMailboxMonth, 0);
    return { mailboxes, lines, totalPerMailboxMonth, totalMonth: totalPerMailboxMonth * mailboxes };
  });
  return { assumptions, cyclesPerMailboxMonth: cycles, executions, gbSeconds, serviceBusOperations, tableTransactions, byFleet };
}
