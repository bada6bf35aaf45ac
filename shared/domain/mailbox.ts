/**
 * A mailbox: one CRM user or queue mapped to one Exchange mailbox, with a state per workload.
 * Pure types and rules; storage lives in storage/mailbox-repository.ts.
 */
import type { SendWindow } from "./outgoing-email.js";
import type { Workload, WorkloadStatus } from "./workloads.js";

export type SyncMethod = "ServerSideSync" | "None";
export type OwnerType = "user" | "queue";

export interface WorkloadError {
  code: string;
  message: string;
  at: string;
}

export interface WorkloadState {
  method: SyncMethod;
  enabled: boolean;
  status: WorkloadStatus;
  /** The slot (due time, ms) the next scheduled run is for; messages for other slots are stale. */
  nextSlot: number;
  /** When the scheduler must queue the workload if nothing else has: the index it scans. */
  dueAt: number | null;
  lastRunAt?: string;
  lastSuccessAt?: string;
  lastError?: WorkloadError;
  transientFailures: number;
  /** Items processed by the last few cycles, newest first (drives the adaptive schedule). */
  recentItems: number[];
}

export interface Mailbox {
  id: string;
  emailAddress: string;
  /** The Exchange (Entra) user id, resolved on the first successful contact. */
  exchangeUserId?: string;
  profileId: string;
  ownerType: OwnerType;
  ownerId: string;
  approved: boolean;
  /** Lower bound on received time for incoming mail; advances to the last processed email. */
  processEmailsFrom?: string;
  workloads: Record<Workload, WorkloadState>;
  /** Recent sends, for Exchange Online's sending limits. */
  sendWindow?: SendWindow;
  /** When a cycle or Test & Enable last saw this deployment's ownership stamp on the mailbox. */
  ownershipCheckedAt?: string;
  /**
   * Whether the owner maps folders to records (trackedfolders table), so an incoming cycle of a
   * mailbox that maps none skips reading them. Undefined (rows stored before, or replaced whole by
   * the admin API): not known, the cycle reads them and stores the answer.
   */
  tracksFolders?: boolean;
  /**
   * The stamp of the incoming cursors as the last cycle that ended well left them
   * (storage/cursor-repository.ts): the worker holding that set takes it from memory. Undefined
   * (rows stored before, replaced whole by the admin API, or an outcome written on a retry): the
   * cycle queries them.
   */
  incomingCursorsStamp?: string;
  createdAt: string;
  updatedAt: string;
}

export function newWorkloadState(method: SyncMethod, enabled: boolean, now: number): WorkloadState {
  const runnable = method === "ServerSideSync" && enabled;
  return {
    method,
    enabled,
    status: "NotRun",
    nextSlot: runnable ? now : 0,
    dueAt: runnable ? now : null,
    transientFailures: 0,
    recentItems: [],
  };
}

/** Whether a workload may run now, and if not, why (used for skipping and for alerts). */
export function workloadBlocker(
  mailbox: Mailbox,
  workload: Workload,
  options: { requireApproval: boolean },
): "notApproved" | "methodNone" | "disabled" | "queueHasNoAct" | null {
  const state = mailbox.workloads[workload];
  if (state.method === "None") return "methodNone";
  if (workload === "act" && mailbox.ownerType === "queue") return "queueHasNoAct";
  if (options.requireApproval && !mailbox.approved) return "notApproved";
  if (!state.enabled) return "disabled";
  return null;
}

/** The later of the profile's and the mailbox's Process Emails From (either may be unset). */
export function effectiveProcessEmailsFrom(profileValue?: string, mailboxValue?: string): string | undefined {
  if (!profileValue) return mailboxValue;
  if (!mailboxValue) return profileValue;
  return Date.parse(profileValue) >= Date.parse(mailboxValue) ? profileValue : mailboxValue;
}

/**
 * Where a mailbox's first incoming sync starts: the effective Process Emails From, else the
 * mailbox's creation — to the second, because Exchange keeps received times to the second: mail
 * received at 10:00:49.5 shows as 10:00:49 and must not fall before a mailbox created at 10:00:49.06.
 */
export function firstSyncFrom(profileValue: string | undefined, mailboxValue: string | undefined, createdAt: string): string {
  return effectiveProcessEmailsFrom(profileValue, mailboxValue) ?? new Date(Math.floor(Date.parse(createdAt) / 1000) * 1000).toISOString();
}

export interface NewMailboxInput {
  id: string;
  emailAddress: string;
  profileId: string;
  ownerType?: OwnerType;
  ownerId?: string;
  approved?: boolean;
  exchangeUserId?: string;
  processEmailsFrom?: string;
  methods?: Partial<Record<Workload, SyncMethod>>;
  enabled?: Partial<Record<Workload, boolean>>;
}

/** A new mailbox; each enabled Server-Side Sync workload is due at once. */
export function newMailbox(input: NewMailboxInput, now: number): Mailbox {
  const at = new Date(now).toISOString();
  const state = (workload: Workload) =>
    newWorkloadState(input.methods?.[workload] ?? "None", input.enabled?.[workload] ?? false, now);
  return {
    id: input.id,
    emailAddress: input.emailAddress.toLowerCase(),
    exchangeUserId: input.exchangeUserId,
    profileId: input.profileId,
    ownerType: input.ownerType ?? "user",
    ownerId: input.ownerId ?? input.id,
    approved: input.approved ?? false,
    processEmailsFrom: input.processEmailsFrom,
    workloads: { incoming: state("incoming"), outgoing: state("outgoing"), act: state("act") },
    createdAt: at,
    updatedAt: at,
  };
}
