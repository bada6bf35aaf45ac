/**
 * What a cycle's end does to the mailbox: success resets the failure count; a postponement
 * (throttling) changes nothing but the next run; a failure that is retried is counted and its next
 * run waits (domain/schedule.ts retryDelayMs); a platform outage (backOff) never disables and raises
 * its alert once it has lasted; a permanent failure — or the 10th transient one of the mailbox's own
 * — disables the workload for the mailbox, or for every mailbox of the profile when the cause is
 * the server's, and raises the catalog's alert.
 */
import { raiseAlert } from "../alerts/alert-service.js";
import { backOffAlertDue, classifyFailure, escalate, type Classification } from "../domain/error-classification.js";
import { workloadBlocker, type Mailbox, type WorkloadState } from "../domain/mailbox.js";
import type { EmailServerProfile } from "../domain/profile.js";
import { recordItems, type CycleEnd } from "../domain/schedule.js";
import type { Workload } from "../domain/workloads.js";
import { SettingsError } from "../config/settings.js";
import { GraphRequestError, TokenRequestError } from "../graph/graph-errors.js";
import type { Runtime } from "../runtime.js";
import { ConcurrencyConflict, type MailboxPatch } from "../storage/mailbox-repository.js";

export interface CycleFailure {
  classification: Classification;
  errorCode: string;
  message: string;
  retryState(state: WorkloadState, now: number): Partial<WorkloadState>;
  afterRetry(runtime: Runtime, mailbox: Mailbox, profile: EmailServerProfile, workload: Workload): Promise<void>;
}

const defaultPostponeMs = 60_000;

/** Turns an error from the edges into a postponement or a failure; undefined for anything else. */
export function interpretError(error: unknown, failuresSoFar: number): { kind: "postpone"; end: CycleEnd } | { kind: "failure"; failure: CycleFailure } | undefined {
  let facts;
  if (error instanceof SettingsError) return { kind: "failure", failure: failureFrom({ cause: "InvalidCredentials", action: "disable", scope: "server", alert: "CredentialsInvalid" }, "MissingSetting", error.message) };
  if (error instanceof GraphRequestError) facts = { source: "graph" as const, status: error.status, code: error.code };
  else if (error instanceof TokenRequestError) facts = { source: "token" as const, status: error.status, code: error.code, oauthError: error.oauthError };
  else return undefined;
  const classification = escalate(classifyFailure(facts), failuresSoFar);
  if (classification.action === "postpone") {
    const retryAfterMs = error instanceof GraphRequestError ? error.retryAfterMs : undefined;
    return { kind: "postpone", end: { kind: "throttled", retryAfterMs: retryAfterMs ?? defaultPostponeMs } };
  }
  return { kind: "failure", failure: failureFrom(classification, facts.code, error.message, failuresSoFar + 1) };
}

function failureFrom(classification: Classification, errorCode: string, message: string, failuresInARow = 1): CycleFailure {
  return {
    classification,
    errorCode,
    message,
    retryState: (state, now) => ({
      status: "Failure",
      lastRunAt: new Date(now).toISOString(),
      lastError: { code: errorCode, message, at: new Date(now).toISOString() },
      transientFailures: state.transientFailures + 1,
    }),
    afterRetry: async (runtime, mailbox, profile, workload) => {
      // An outage goes on without disabling anything: say so once it has lasted (hourly at most).
      if (backOffAlertDue(classification, failuresInARow)) await raiseAlert(runtime, classification.alert, { mailbox, profile, workload, errorCode });
      await checkProfileMajority(runtime, profile, mailbox);
    },
  };
}

export function successState(state: WorkloadState, end: CycleEnd, now: number): Partial<WorkloadState> {
  const at = new Date(now).toISOString();
  if (end.kind === "throttled") return { lastRunAt: at };
  const items = "items" in end ? end.items : 0;
  return { status: "Success", lastRunAt: at, lastSuccessAt: at, lastError: undefined, transientFailures: 0, recentItems: recordItems(state.recentItems, items) };
}

/** Disables the workload (for one mailbox or the whole profile) and raises the alert. */
export async function applyFailure(
  runtime: Runtime,
  input: { mailbox: Mailbox; profile: EmailServerProfile; workload: Workload; failure: CycleFailure; etag: string },
): Promise<void> {
  const { mailbox, profile, workload, failure } = input;
  const now = runtime.now();
  const disabled: Partial<WorkloadState> = {
    enabled: false,
    status: "Failure",
    dueAt: null,
    lastRunAt: new Date(now).toISOString(),
    lastError: { code: failure.errorCode, message: failure.message, at: new Date(now).toISOString() },
    transientFailures: 0,
  };
  const targets = failure.classification.scope === "server" ? await profileMailboxes(runtime, profile.id) : [mailbox];
  for (const target of targets) {
    if (!target.workloads[workload].enabled && target.id !== mailbox.id) continue;
    await runtime.mailboxes.patch(target.id, { workload: { name: workload, state: disabled } });
  }
  await raiseAlert(runtime, failure.classification.alert, { mailbox, profile, workload, errorCode: failure.errorCode });
  await checkProfileMajority(runtime, profile, mailbox);
}

export async function profileMailboxes(runtime: Runtime, profileId: string): Promise<Mailbox[]> {
  const all: Mailbox[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await runtime.mailboxes.listPage({ pageSize: 1000, continuationToken, profileId });
    all.push(...page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return all;
}

const majorityCheckedAt = new Map<string, number>();
/** The rule scans the profile's mailboxes, so each worker evaluates it at most once a minute per profile. */
const majorityCheckEveryMs = 60 * 1000;

/** "More than half of a profile's mailboxes failed within an hour" → one profile alert. */
async function checkProfileMajority(runtime: Runtime, profile: EmailServerProfile, mailbox: Mailbox): Promise<void> {
  if (!profile.alertOwnerWhenMajorityFail) return;
  const now = runtime.now();
  if (now - (majorityCheckedAt.get(profile.id) ?? 0) < majorityCheckEveryMs) return;
  majorityCheckedAt.set(profile.id, now);
  const mailboxes = await profileMailboxes(runtime, profile.id);
  const hourAgo = now - 60 * 60 * 1000;
  const failed = mailboxes.filter((m) => Object.values(m.workloads).some((w) => w.lastError && Date.parse(w.lastError.at) >= hourAgo)).length;
  if (mailboxes.length > 0 && failed * 2 > mailboxes.length) {
    await raiseAlert(runtime, "ProfileMajorityFailing", { profile, mailbox: { ...mailbox, profileId: profile.id }, detail: `${failed} of ${mailboxes.length} mailboxes` });
  }
}

/** Writes the cycle's outcome unless the mailbox was changed so that it may no longer run. */
export async function storeOutcome(runtime: Runtime, workload: Workload, mailboxId: string, etag: string, patch: MailboxPatch): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await runtime.mailboxes.patch(mailboxId, patch, etag);
      return;
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict)) throw error;
      const fresh = await runtime.mailboxes.get(mailboxId);
      if (!fresh) return;
      const org = await runtime.orgSettings.get();
      // "Maps no folder" was read against the ETag that just failed: a mapping may have been added
      // since (domain/tracking/tracked-folders.ts mayTrackFolders), so it is not stored on a retry.
      if (patch.tracksFolders === false) patch = { ...patch, tracksFolders: undefined };
      // So was the cursors' stamp: the admin API may have removed the cursors it names since.
      if (patch.incomingCursorsStamp) patch = { ...patch, incomingCursorsStamp: undefined };
      if (workloadBlocker(fresh.mailbox, workload, { requireApproval: org.requireApprovedMailboxes })) {
        await runtime.mailboxes.patch(mailboxId, { workload: { name: workload, state: { dueAt: null } } }, fresh.etag).catch((e: unknown) => {
          if (!(e instanceof ConcurrencyConflict)) throw e;
        });
        return;
      }
      etag = fresh.etag;
    }
  }
  throw new ConcurrencyConflict(mailboxId);
}
