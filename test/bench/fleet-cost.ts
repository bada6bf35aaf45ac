/**
 * What a fleet costs per mailbox per month, from what the fleet benchmark measured per mailbox per
 * hour at the realistic mail rate (executions, table transactions, Service Bus operations) and the
 * instances it took, at the named unit prices (unit-prices.ts). Pure.
 *
 * Functions time is billed for the whole instance while it runs executions: the fleet kept its one
 * instance busy all the time, so it is charged for every second of the month (an upper bound:
 * Flex Consumption bills only while executions run).
 */
import { serviceBusMonthly, type CostLine } from "./cost-model.js";
import { unitPrices } from "./unit-prices.js";

export interface FleetCostInput {
  mailboxes: number;
  perMailboxHour: { executions: number; tableTransactions: number; serviceBusOperations: number };
  /** Function app instances the fleet needs (the benchmark ran on one). */
  instances?: number;
}

export interface FleetCost {
  lines: CostLine[];
  totalPerMailboxMonth: number;
  totalMonth: number;
}

export function fleetCost(input: FleetCostInput): FleetCost {
  const hours = unitPrices.hoursPerMonth;
  const { mailboxes, perMailboxHour } = input;
  const instances = input.instances ?? 1;
  const executions = perMailboxHour.executions * hours;
  const tableTransactions = perMailboxHour.tableTransactions * hours;
  const serviceBusOperations = perMailboxHour.serviceBusOperations * hours;
  const gbSeconds = (instances * unitPrices.functionsFlex.instanceMemoryGb * hours * 3600) / mailboxes;
  const lines: CostLine[] = [
    { item: "Functions executions", perMailboxMonth: (executions / 1e6) * unitPrices.functionsFlex.perMillionExecutions, basis: `${Math.round(executions)} executions (cycles and notification posts) × $${unitPrices.functionsFlex.perMillionExecutions}/M` },
    { item: "Functions instance time", perMailboxMonth: gbSeconds * unitPrices.functionsFlex.perGbSecond, basis: `${instances} instance × ${unitPrices.functionsFlex.instanceMemoryGb} GB busy all month ÷ ${mailboxes} mailboxes × $${unitPrices.functionsFlex.perGbSecond}/GB-s` },
    { item: "Service Bus (Standard)", perMailboxMonth: serviceBusMonthly(serviceBusOperations * mailboxes) / mailboxes, basis: `${Math.round(serviceBusOperations)} operations per mailbox (sends, and the session trigger's accepts, receives, completes, empty receives, closes); base charge shared by ${mailboxes}` },
    { item: "Table transactions", perMailboxMonth: (tableTransactions / 10_000) * unitPrices.tableStorage.per10kTransactions, basis: `${Math.round(tableTransactions)} transactions × $${unitPrices.tableStorage.per10kTransactions}/10k` },
  ];
  const totalPerMailboxMonth = lines.reduce((s, l) => s + l.perMailboxMonth, 0);
  return { lines, totalPerMailboxMonth, totalMonth: totalPerMailboxMonth * mailboxes };
}
