/**
 * A mailbox owner's personal tracking options, through the mailbox: `GET/PUT
 * /api/mailboxes/{id}/tracking`. They belong to the owner (a user or queue), as Dynamics 365's
 * personal options do; the track option falls back to the organization default when not set.
 * PUT replaces both: an omitted trackOption (or null) is the organization default, an omitted
 * autoCreateRecords is off.
 */
import { z } from "zod";
import { effectiveTrackOption, trackOptions } from "../domain/tracking/track-options.js";
import type { Runtime } from "../runtime.js";
import type { OwnerTrackingOptions } from "../storage/owner-tracking-repository.js";
import { idParam } from "./admin-schemas.js";
import { notFound, parseOrThrow, routeParam } from "./http-responses.js";

const putBody = z
  .object({
    trackOption: z.enum(trackOptions).nullable().default(null),
    autoCreateRecords: z.boolean().default(false),
  })
  .strict();

async function requireOwner(runtime: Runtime, id: string) {
  const mailboxId = routeParam(idParam, id, "id");
  const stored = await runtime.mailboxes.get(mailboxId);
  if (!stored) throw notFound("Mailbox", mailboxId);
  return stored.mailbox;
}

async function view(runtime: Runtime, mailbox: { id: string; ownerId: string }, options: OwnerTrackingOptions) {
  const organization = await runtime.orgSettings.get();
  return {
    mailboxId: mailbox.id,
    ownerId: mailbox.ownerId,
    trackOption: options.trackOption ?? null,
    effectiveTrackOption: effectiveTrackOption(organization.defaultTrackOption, options.trackOption ? { trackOption: options.trackOption } : undefined),
    autoCreateRecords: options.autoCreateRecords,
    updatedAt: options.updatedAt ?? null,
  };
}

export async function getMailboxTracking(runtime: Runtime, id: string) {
  const mailbox = await requireOwner(runtime, id);
  return view(runtime, mailbox, await runtime.ownerTracking.get(mailbox.ownerId));
}

/** Applies to mail processed from the owner's next cycle on; set Process Emails From back to reprocess. */
export async function putMailboxTracking(runtime: Runtime, id: string, body: unknown) {
  const input = parseOrThrow(putBody, body, "body");
  const mailbox = await requireOwner(runtime, id);
  const options: OwnerTrackingOptions = {
    ...(input.trackOption ? { trackOption: input.trackOption } : {}),
    autoCreateRecords: input.autoCreateRecords,
    updatedAt: new Date(runtime.now()).toISOString(),
  };
  await runtime.ownerTracking.put(mailbox.ownerId, options);
  return view(runtime, mailbox, options);
}
