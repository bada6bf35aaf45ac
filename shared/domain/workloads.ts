/** The three workloads of a mailbox: scheduled, queued and failing independently. */
export const workloads = ["incoming", "outgoing", "act"] as const;
export type Workload = (typeof workloads)[number];


/** Per-workload status as server-side sync shows it. */
export type WorkloadStatus = "NotRun" | "Success" | "Failure";
