/**
 * What CRM admins do to mailboxes: map (create or update), approve, Test & Enable (one or up to 200),
 * disable. Every request is validated completely before anything is written, so a bad request
 * changes nothing.
 */
import pLimit from "p-limit";
import { newMailbox, type Mailbox, type SyncMethod, type WorkloadState } from "../domain/mailbox.js";
import { workloads, type Workload } from "../domain/workloads.js";
import type { Caller } from "../auth/caller.js";
import { approvalRefusal, mailboxTenantOf } from "../auth/tenant-admin.js";
import type { Runtime } from "../runtime.js";
import { MappingConflict, saveMailbox } from "../sync/mailbox-mapping.js";
import { testAndEnable } from "../sync/test-and-enable.js";
import { isPushWorkload, pushWorkloads } from "../domain/push/subscriptions.js";
import { unsubscribe } from "../push/subscription-service.js";
import { bulkTestAndEnableBody, disableBody, idParam, mailboxBody, mailboxReadOnlyFields, testAndEnableBody } from "./admin-schemas.js";
import { ApiError, notFound, parseOrThrow, routeParam, withoutReadOnly } from "./http-responses.js";
import { mailboxView } from "./mailbox-api.js";


async function requireMailbox(runtime: Runtime, id: string) {
  const mailboxId = routeParam(idParam, id, "id");
  const stored = await runtime.mailboxes.get(mailboxId);
  if (!stored) throw notFound("Mailbox", mailboxId);
  return stored;
}

const off: Partial<WorkloadState> = { enabled: false, dueAt: null };

export async function putMailbox(runtime: Runtime, id: string, body: unknown): Promise<{ created: boolean; mailbox: ReturnType<typeof mailboxView> }> {
  const mailboxId = routeParam(idParam, id, "id");
  const input = parseOrThrow(mailboxBody, withoutReadOnly(body, mailboxReadOnlyFields), "body");
  if (!(await runtime.profiles.get(input.profileId))) {
    throw new ApiError(400, "BadRequest", `Invalid body parameter 'profileId': profile '${input.profileId}' does not exist.`, "profileId");
  }
  const existing = await runtime.mailboxes.get(mailboxId);
  const now = runtime.now();
  const methods: Record<Workload, SyncMethod> = {
    incoming: input.syncMethods.incoming ?? existing?.mailbox.workloads.incoming.method ?? "ServerSideSync",
    outgoing: input.syncMethods.outgoing ?? existing?.mailbox.workloads.outgoing.method ?? "ServerSideSync",
    act: input.syncMethods.act ?? existing?.mailbox.workloads.act.method ?? (input.ownerType === "queue" ? "None" : "ServerSideSync"),
  };

  if (!existing) {
    // New mailboxes wait for approval and Test & Enable before anything syncs.
    const mailbox = newMailbox(
      { id: mailboxId, emailAddress: input.emailAddress, profileId: input.profileId, ownerType: input.ownerType, ownerId: input.ownerId, processEmailsFrom: input.processEmailsFrom ?? undefined, methods },
      now,
    );
    await save(runtime, mailbox, { force: input.force, previous: null });
    return { created: true, mailbox: mailboxView(mailbox) };
  }

  const before = existing.mailbox;
  const addressChanged = before.emailAddress !== input.emailAddress.toLowerCase();
  const next: Mailbox = {
    ...before,
    emailAddress: input.emailAddress.toLowerCase(),
    profileId: input.profileId,
    ownerType: input.ownerType,
    ownerId: input.ownerId ?? before.ownerId,
    // A new address is a new Exchange mailbox: it needs approval and Test & Enable again.
    approved: addressChanged ? false : before.approved,
    exchangeUserId: addressChanged ? undefined : before.exchangeUserId,
    ownershipCheckedAt: addressChanged ? undefined : before.ownershipCheckedAt,
    processEmailsFrom: input.processEmailsFrom === null ? undefined : (input.processEmailsFrom ?? before.processEmailsFrom),
    updatedAt: new Date(now).toISOString(),
    workloads: Object.fromEntries(
      workloads.map((w) => {
        const state = { ...before.workloads[w], method: methods[w] };
        return [w, methods[w] === "None" || addressChanged ? { ...state, ...off } : state];
      }),
    ) as Mailbox["workloads"],
  };
  // Setting Process Emails From back reprocesses mail from then; activities are keyed by message,
  // so nothing is duplicated. A new address starts over too.
  const movedBack = next.processEmailsFrom !== undefined && (before.processEmailsFrom === undefined || next.processEmailsFrom < before.processEmailsFrom);
  if ((movedBack || addressChanged) && next.workloads.incoming.enabled) Object.assign(next.workloads.incoming, { nextSlot: now, dueAt: now });
  await save(runtime, next, {
    force: input.force,
    previous: before,
    beforeWrite: async () => {
      // Every incoming cursor: Inbox, Sent Items, each tracked folder's and the folder hierarchy's.
      if (movedBack || addressChanged) for (const key of (await runtime.cursors.forMailbox(mailboxId, "incoming")).keys()) await runtime.cursors.remove(mailboxId, "incoming", key);
      // Another Exchange mailbox has other folders: its tracked folders are mapped anew.
      if (addressChanged) await runtime.trackedFolders.clear(mailboxId);
    },
  });
  // Another Exchange mailbox, or a workload switched to None: subscriptions follow what syncs.
  if (addressChanged) await unsubscribe(runtime, before, pushWorkloads);
  else await unsubscribe(runtime, before, pushWorkloads.filter((w) => methods[w] === "None"));
  return { created: false, mailbox: mailboxView(next) };
}

/** A mapping refused by the index is a 409 naming the field and the mailbox that holds it. */
async function save(runtime: Runtime, mailbox: Mailbox, options: Parameters<typeof saveMailbox>[2]): Promise<void> {
  try {
    await saveMailbox(runtime, mailbox, options);
  } catch (error) {
    if (error instanceof MappingConflict) throw new ApiError(409, "Conflict", error.message, error.field);
    throw error;
  }
}

export async function approveMailbox(runtime: Runtime, id: string, caller: Caller) {
  const { mailbox, etag } = await requireMailbox(runtime, id);
  const profile = await runtime.profiles.get(mailbox.profileId);
  if (!profile) throw new ApiError(409, "Conflict", `The mailbox's profile '${mailbox.profileId}' does not exist: its tenant, whose administrator approves, is unknown.`);
  const refusal = approvalRefusal(caller, mailboxTenantOf(profile.credential, runtime.settings.graph.tenantId));
  if (refusal) throw new ApiError(403, "Forbidden", refusal);
  if (!mailbox.approved) {
    await runtime.mailboxes.patch(mailbox.id, { approved: true }, etag);
    // Enabled workloads held back by approval are due at once.
    const now = runtime.now();
    for (const w of workloads) {
      if (mailbox.workloads[w].enabled && mailbox.workloads[w].method === "ServerSideSync") {
        await runtime.mailboxes.patch(mailbox.id, { workload: { name: w, state: { nextSlot: now, dueAt: now } } });
      }
    }
  }
  return mailboxView((await runtime.mailboxes.get(mailbox.id))!.mailbox);
}

async function disableMailbox(runtime: Runtime, mailbox: Mailbox, which: Workload[]): Promise<void> {
  for (const w of which) await runtime.mailboxes.patch(mailbox.id, { workload: { name: w, state: off } });
  // Nothing to notify about any more: the disabled workloads' subscriptions go too.
  await unsubscribe(runtime, mailbox, which.filter(isPushWorkload));
}

export async function disableMailboxWorkloads(runtime: Runtime, id: string, body: unknown) {
  const input = parseOrThrow(disableBody, body, "body");
  const { mailbox } = await requireMailbox(runtime, id);
  await disableMailbox(runtime, mailbox, input.workloads ?? [...workloads]);
  return mailboxView((await runtime.mailboxes.get(mailbox.id))!.mailbox);
}

export async function testAndEnableMailbox(runtime: Runtime, id: string, body: unknown) {
  const input = parseOrThrow(testAndEnableBody, body, "body");
  const { mailbox } = await requireMailbox(runtime, id);
  const result = await testAndEnable(runtime, mailbox, input);
  return { ...result, mailbox: mailboxView((await runtime.mailboxes.get(mailbox.id))!.mailbox) };
}

export async function testAndEnableMany(runtime: Runtime, body: unknown) {
  const input = parseOrThrow(bulkTestAndEnableBody, body, "body");
  const ids = [...new Set(input.mailboxIds)];
  const found = await Promise.all(ids.map((id) => runtime.mailboxes.get(id)));
  const missing = ids.filter((_, i) => !found[i]);
  if (missing.length > 0) throw new ApiError(404, "NotFound", `Mailboxes do not exist: ${missing.join(", ")}. Nothing was tested.`);
  const limit = pLimit(10);
  const results = await Promise.all(found.map((stored) => limit(() => testAndEnable(runtime, stored!.mailbox, { takeOwnership: input.takeOwnership }))));
  return { items: results };
}
