/**
 * Test & Enable: probe each Server-Side Sync workload of a mailbox against Exchange Online, record
 * Success or Failure per workload with the cause, and enable (and schedule at once) what passed.
 *
 * First the mapping: the record must hold its address and owner in the index (another record took
 * them → every workload fails, and the alert names the holder). Then the mailbox: the user resolves
 * (the mailbox exists and is in the cloud) and no other deployment's ownership stamp is on its Inbox
 * unless the admin takes ownership (one Exchange mailbox syncs with one organization, for every
 * workload). Probes: incoming reads the Inbox (Mail.ReadWrite, in scope); outgoing submits a message
 * with no recipients, which Exchange refuses as invalid only when the app may send (Mail.Send) —
 * nothing is sent; ACT reads the calendar, the contacts and the To Do lists. When something passed, this deployment's stamp is set.
 */
import { raiseAlert } from "../alerts/alert-service.js";
import type { AlertCode } from "../domain/alert-catalog.js";
import { classifyFailure } from "../domain/error-classification.js";
import type { Mailbox, WorkloadState } from "../domain/mailbox.js";
import { workloads, type Workload } from "../domain/workloads.js";
import type { GraphConnection } from "../graph/graph-connection.js";
import { GraphRequestError, TokenRequestError } from "../graph/graph-errors.js";
import { ownershipVerdict } from "../domain/mailbox-claims.js";
import type { Runtime } from "../runtime.js";
import { anotherOrganization, mailboxUserPath, readOwnershipStamp, writeOwnershipStamp } from "./mailbox-guard.js";
import { lostClaim, mappedElsewhere } from "./mailbox-mapping.js";
import { actAdapters } from "./act/act-adapters.js";
import { alignSubscriptions } from "../push/subscription-service.js";
import { queueNames } from "../config/names.js";
import { currentTraceparent } from "../telemetry/telemetry.js";
import { workloadMessageId } from "./workload-runner.js";

export interface WorkloadProbe {
  status: "Success" | "Failure" | "Skipped";
  reason?: string;
  errorCode?: string;
  alert?: AlertCode;
}

export interface TestAndEnableResult {
  mailboxId: string;
  exchangeUserId?: string;
  workloads: Partial<Record<Workload, WorkloadProbe>>;
}

class ProbeFailure extends Error {
  constructor(
    readonly errorCode: string,
    readonly alert: AlertCode,
    message: string,
    /** For the alert: ids only. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

function probeFailure(error: unknown): ProbeFailure {
  if (error instanceof ProbeFailure) return error;
  if (error instanceof GraphRequestError) return new ProbeFailure(error.code, classifyFailure({ source: "graph", status: error.status, code: error.code }).alert, error.message);
  if (error instanceof TokenRequestError) {
    // An outage of the login authority is not the profile's credentials: name it as what it is.
    return new ProbeFailure(error.code, classifyFailure({ source: "token", status: error.status, code: error.code, oauthError: error.oauthError }).alert, error.message);
  }
  throw error;
}

interface GraphUser {
  id: string;
}

async function probeWorkload(graph: GraphConnection, workload: Workload, userKey: string): Promise<void> {
  const user = `/users/${encodeURIComponent(userKey)}`;
  switch (workload) {
    case "incoming":
      await graph.get(`${user}/mailFolders/inbox?$select=id,displayName`);
      return;
    case "outgoing":
      try {
        await graph.post(`${user}/sendMail`, { message: { subject: "Test & Enable probe", body: { contentType: "text", content: "" }, toRecipients: [] }, saveToSentItems: false });
      } catch (error) {
        // Refused for having no recipients: the app may send from this mailbox.
        if (error instanceof GraphRequestError && error.status === 400 && error.code === "ErrorInvalidRecipients") return;
        throw error;
      }
      return;
    case "act":
      // Every collection the ACT cycle syncs, so a permission it lacks (Calendars, Contacts, Tasks)
      // or a mailbox without To Do fails here, and not in every cycle after a Success.
      await graph.get(`${user}/calendar?$select=id`);
      await graph.get(`${user}/contactFolders/contacts?$select=id`);
      await actAdapters.task.collection(graph, user);
      return;
  }
}

export async function testAndEnable(runtime: Runtime, mailbox: Mailbox, options: { takeOwnership?: boolean } = {}): Promise<TestAndEnableResult> {
  const result: TestAndEnableResult = { mailboxId: mailbox.id, workloads: {} };
  const profile = await runtime.profiles.get(mailbox.profileId);
  const org = await runtime.orgSettings.get({ fresh: true });
  const candidates = workloads.filter((w) => mailbox.workloads[w].method === "ServerSideSync" && !(w === "act" && mailbox.ownerType === "queue"));
  for (const w of workloads) if (!candidates.includes(w)) result.workloads[w] = { status: "Skipped", reason: mailbox.workloads[w].method === "None" ? "methodNone" : "queueHasNoAct" };
  if (!profile) throw new Error(`Profile ${mailbox.profileId} of mailbox ${mailbox.id} does not exist.`);

  const now = runtime.now();
  const details: Partial<Record<Workload, string>> = {};
  const fail = (w: Workload, failure: ProbeFailure) => {
    result.workloads[w] = { status: "Failure", reason: failure.message, errorCode: failure.errorCode, alert: failure.alert };
    details[w] = failure.detail;
  };
  const failAll = (failure: ProbeFailure) => candidates.forEach((w) => fail(w, failure));
  let ownershipCheckedAt: string | undefined;

  const lost = candidates.length > 0 ? await lostClaim(runtime, mailbox) : undefined;
  if (lost) {
    const stop = mappedElsewhere(lost);
    failAll(new ProbeFailure(stop.code, stop.code, stop.message, stop.detail));
  } else if (org.requireApprovedMailboxes && !mailbox.approved) {
    failAll(new ProbeFailure("MailboxNotApproved", "MailboxNotApproved", "The mailbox is not approved."));
  } else if (candidates.length > 0) {
    const graph = runtime.graphFor(profile);
    try {
      const user = await graph.get<GraphUser>(`${mailboxUserPath(mailbox)}?$select=id,mail,userPrincipalName`);
      result.exchangeUserId = user.id;
      const userPath = mailboxUserPath({ exchangeUserId: user.id, emailAddress: mailbox.emailAddress });
      const stamp = await readOwnershipStamp(graph, userPath);
      const verdict = ownershipVerdict(stamp, runtime.settings.deploymentId);
      if (verdict === "another" && options.takeOwnership !== true) {
        const stop = anotherOrganization(stamp!);
        throw new ProbeFailure(stop.code, stop.code, `${stop.message} Test & Enable with takeOwnership: true to take it over.`, stop.detail);
      }
      for (const w of candidates) {
        try {
          await probeWorkload(graph, w, user.id);
          result.workloads[w] = { status: "Success" };
        } catch (error) {
          fail(w, probeFailure(error));
        }
      }
      if (candidates.some((w) => result.workloads[w]!.status === "Success")) {
        if (verdict !== "ours") await writeOwnershipStamp(graph, userPath, runtime.settings.deploymentId);
        ownershipCheckedAt = new Date(now).toISOString();
      }
    } catch (error) {
      failAll(probeFailure(error));
    }
  }

  const at = new Date(now).toISOString();
  for (const w of candidates) {
    const probe = result.workloads[w]!;
    const passed = probe.status === "Success";
    const state: Partial<WorkloadState> = passed
      ? { enabled: true, status: "Success", lastError: undefined, transientFailures: 0, nextSlot: now, dueAt: now }
      : { enabled: false, status: "Failure", dueAt: null, lastError: { code: probe.errorCode ?? "TestFailed", message: probe.reason ?? "", at } };
    await runtime.mailboxes.patch(mailbox.id, { workload: { name: w, state }, ...(result.exchangeUserId ? { exchangeUserId: result.exchangeUserId } : {}), ...(ownershipCheckedAt ? { ownershipCheckedAt } : {}) });
    if (!passed && probe.alert) await raiseAlert(runtime, probe.alert, { mailbox, profile, workload: w, errorCode: probe.errorCode, detail: details[w] });
  }
  // Push: change-notification subscriptions for what passed, none for what failed. A subscription
  // Graph refuses leaves that workload on polling, with its own alert; Test & Enable still passes.
  await alignSubscriptions(runtime, mailbox.id);
  await queueFirstCycles(runtime, mailbox.id, candidates.filter((w) => result.workloads[w]!.status === "Success"), now);
  if (candidates.length > 0 && candidates.every((w) => result.workloads[w]!.status === "Success")) {
    await raiseAlert(runtime, "TestAndEnableSucceeded", { mailbox, profile, detail: candidates.join(", ") });
  }
  return result;
}

/**
 * What passed syncs now, not at the scheduler's next minute: the first cycle of each enabled
 * workload is queued at once, with the id the scheduler would give it (the broker drops the other).
 * The state is stored first, so the cycle finds its slot; if this send is lost, the scheduler's
 * tick queues the workload all the same (it is due).
 */
async function queueFirstCycles(runtime: Runtime, mailboxId: string, enabled: Workload[], slot: number): Promise<void> {
  for (const workload of enabled) {
    await runtime.queue.send(queueNames[workload], [
      { messageId: workloadMessageId(workload, mailboxId, slot), sessionId: mailboxId, body: { mailboxId, workload, slot, reason: "scheduled", traceparent: currentTraceparent() } },
    ]);
  }
}
