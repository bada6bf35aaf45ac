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
     * Operations per cycle besides the measured sends: the trigger's receive and complete. An
     * operation is any API call to Service Bus (azure.cn pricing page; Service Bus team blog
     * "billing vs metrics", 2018). Session accept/close and empty receives are left out: ASSUMPTION.
     */
    operationsPerExecution: 2,
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
