/**
 * Test & Enable: probe each Server-Side Sync workload of a mailbox against Exchange Online, record
 * Success or Failure per workload with the cause, and enable (and schedule at once) what passed.
 *
 * Probes: the user resolves (the mailbox exists and is in the cloud); incoming reads the Inbox
 * (Mail.ReadWrite, in scope); outgoing submits a message with no recipients, which Exchange refuses
 * as invalid only when the app may send (Mail.Send) — nothing is sent; ACT reads the calendar,
 * the contacts and the To Do lists, and checks the ownership stamp on the Inbox (one deployment syncs a
 * mailbox's ACT).
 */
import { raiseAlert } from "../alerts/alert-service.js";
import type { AlertCode } from "../domain/alert-catalog.js";
import { classifyFailure } from "../domain/error-classification.js";
import type { Mailbox, WorkloadState } from "../domain/mailbox.js";
import { workloads, type Workload } from "../domain/workloads.js";
import type { GraphConnection } from "../graph/graph-connection.js";
import { GraphRequestError, TokenRequestError } from "../graph/graph-errors.js";
import { ownershipStampId } from "../graph/ownership-stamp.js";
import type { Runtime } from "../runtime.js";
import { actAdapters } from "./act/act-adapters.js";

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
  ) {
    super(message);
  }
}

function probeFailure(error: unknown): ProbeFailure {
  if (error instanceof ProbeFailure) return error;
  if (error instanceof GraphRequestError) return new ProbeFailure(error.code, classifyFailure({ source: "graph", status: error.status, code: error.code }).alert, error.message);
  if (error instanceof TokenRequestError) return new ProbeFailure(error.code, "CredentialsInvalid", error.message);
  throw error;
}

interface GraphUser {
  id: string;
}

interface StampedFolder {
  singleValueExtendedProperties?: Array<{ id: string; value: string }>;
}

async function probeWorkload(graph: GraphConnection, workload: Workload, userKey: string, deploymentId: string, takeOwnership: boolean): Promise<void> {
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
    case "act": {
      // Every collection the ACT cycle syncs, so a permission it lacks (Calendars, Contacts, Tasks)
      // or a mailbox without To Do fails here, and not in every cycle after a Success.
      await graph.get(`${user}/calendar?$select=id`);
      await graph.get(`${user}/contactFolders/contacts?$select=id`);
      await actAdapters.task.collection(graph, user);
      const inbox = await graph.get<StampedFolder>(`${user}/mailFolders/inbox?$select=id&$expand=singleValueExtendedProperties($filter=id eq '${ownershipStampId}')`);
      const owner = inbox.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === ownershipStampId.toLowerCase())?.value;
      if (owner && owner !== deploymentId && !takeOwnership) {
        throw new ProbeFailure("OwnedByAnotherOrganization", "OwnedByAnotherOrganization", `Another deployment (${owner}) owns this mailbox's appointments, contacts and tasks.`);
      }
      if (owner !== deploymentId) {
        await graph.patch(`${user}/mailFolders/inbox`, { singleValueExtendedProperties: [{ id: ownershipStampId, value: deploymentId }] });
      }
      return;
    }
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
  const failAll = async (failure: ProbeFailure) => {
    for (const w of candidates) result.workloads[w] = { status: "Failure", reason: failure.message, errorCode: failure.errorCode, alert: failure.alert };
  };

  if (org.requireApprovedMailboxes && !mailbox.approved) {
    await failAll(new ProbeFailure("MailboxNotApproved", "MailboxNotApproved", "The mailbox is not approved."));
  } else {
    const graph = runtime.graphFor(profile);
    try {
      const user = await graph.get<GraphUser>(`/users/${encodeURIComponent(mailbox.exchangeUserId ?? mailbox.emailAddress)}?$select=id,mail,userPrincipalName`);
      result.exchangeUserId = user.id;
      for (const w of candidates) {
        try {
          await probeWorkload(graph, w, user.id, runtime.settings.deploymentId, options.takeOwnership === true);
          result.workloads[w] = { status: "Success" };
        } catch (error) {
          const failure = probeFailure(error);
          result.workloads[w] = { status: "Failure", reason: failure.message, errorCode: failure.errorCode, alert: failure.alert };
        }
      }
    } catch (error) {
      await failAll(probeFailure(error));
    }
  }

  const at = new Date(now).toISOString();
  for (const w of candidates) {
    const probe = result.workloads[w]!;
    const passed = probe.status === "Success";
    const state: Partial<WorkloadState> = passed
      ? { enabled: true, status: "Success", lastError: undefined, transientFailures: 0, nextSlot: now, dueAt: now }
      : { enabled: false, status: "Failure", dueAt: null, lastError: { code: probe.errorCode ?? "TestFailed", message: probe.reason ?? "", at } };
    await runtime.mailboxes.patch(mailbox.id, { workload: { name: w, state }, ...(result.exchangeUserId ? { exchangeUserId: result.exchangeUserId } : {}) });
    if (!passed && probe.alert) await raiseAlert(runtime, probe.alert, { mailbox, profile, workload: w, errorCode: probe.errorCode });
  }
  if (candidates.length > 0 && candidates.every((w) => result.workloads[w]!.status === "Success")) {
    await raiseAlert(runtime, "TestAndEnableSucceeded", { mailbox, profile, detail: candidates.join(", ") });
  }
  return result;
}
