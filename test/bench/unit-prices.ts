/**
 * Unit prices for the cost model: every price the model uses, in one place. ASSUMPTIONS: public
 * list prices (USD, pay-as-you-go, a US region) as found on the dates given; Azure changes them,
 * and enterprise agreements, regions and currencies differ. Check the pricing pages before
 * relying on a figure. Free grants are left out (they are per subscription, not per mailbox).
 */
export const unitPrices = {
  functionsFlex: {
    /**
     * On-demand execution time, per GB-second of instance memory while it executes functions.
     * Source: modal.com/blog/azure-function-pricing-guide ("Flex Consumption … Execution Time:
     * $0.000026 per GB-second"), 2025-05-22; azure.microsoft.com/pricing/details/functions.
     */
    perGbSecond: 0.000026,
    /**
     * On-demand executions, per million. Source: azure.microsoft.com/pricing/details/functions
     * (Flex Consumption, on demand: $0.40 per million executions), as remembered on 2026-11-22 —
     * the stored copy of the page shows no USD figures; ASSUMPTION.
     */
    perMillionExecutions: 0.4,
    /** Instance memory the deployment uses (infra/main.bicep instanceMemoryMB, default 2048). */
    instanceMemoryGb: 2,
  },
  serviceBusStandard: {
    /**
     * Standard tier base charge per hour (includes the first 13M operations a month). Source:
     * azure.microsoft.com/pricing/details/service-bus (Standard: base charge, 13M ops included,
     * tiers 13M–100M, 100M–2,500M, over 2,500M; the stored copy masks USD; azure.cn lists the same
     * tiers in CNY), 2026-11-22. USD values: ASSUMPTION ($0.0135/h, $0.80, $0.50, $0.20 per million).
     */
    basePerHour: 0.0135,
    includedOperations: 13_000_000,
    tiers: [
      { upTo: 100_000_000, perMillion: 0.8 },
      { upTo: 2_500_000_000, perMillion: 0.5 },
      { upTo: Number.POSITIVE_INFINITY, perMillion: 0.2 },
    ],
    /**
     * Operations the session trigger makes per cycle besides the measured sends (host.json: sessions,
     * prefetchCount 0, autoCompleteMessages, sessionIdleTimeout 1 s; a mailbox has one message
     * waiting, so each cycle takes a session of its own). An operation is any API call; a receive,
     * a complete, an abandon and a lock renewal are one each, and a receive that comes back empty
     * is billed too (Service Bus pricing FAQ; "null messages in response to receive requests",
     * Service Bus pricing FAQ 2014). Accept: AcceptNextSession is a call (whether the service bills
     * it is asked but not answered in Azure/azure-sdk-for-net#28603): ASSUMPTION 1. Close: the
     * session link's detach: ASSUMPTION 1. Lock renewals: none, cycles end well inside the queues'
     * 5-minute lockDuration (infra/main.bicep). Counted by the in-process bus (bus.operations()).
     * This was 2 (receive + complete) until issue 16.
     */
    sessionTriggerOperationsPerCycle: { accept: 1, receive: 1, complete: 1, emptyReceive: 1, close: 1 },
    /**
     * Idle listeners: with no session available, each of an instance's maxConcurrentSessions slots
     * per session-triggered function keeps an AcceptNextSession pending; the service answers an
     * empty one after about a minute (Azure/azure-sdk-for-net#30962: "a max of 1 minute and 5
     * seconds"; azure-functions-servicebus-extension#202: a timeout every minute). ASSUMPTION: one
     * billed operation per idle slot per minute.
     */
    idleAcceptsPerSlotPerMinute: 1,
  },
  tableStorage: {
    /**
     * Standard general-purpose v2, LRS: per 10,000 transactions (each REST request is one; an
     * entity group transaction is one request). Source: azure.microsoft.com/pricing/details/storage/tables,
     * 2026-11-22 as remembered; "each individual Blob, Table and Queue REST request … is considered
     * as a potential transaction" (Azure Storage team blog, 2010). ASSUMPTION.
     */
    per10kTransactions: 0.00036,
  },
  /** Hours in a billing month (Azure's convention). */
  hoursPerMonth: 730,
} as const;
