/**
 * GET /api/failures: item-level failures (an email that could not become an activity, and why),
 * newest first, kept ITEM_FAILURE_RETENTION_DAYS (3, as Dynamics 365). What the admin needs to act:
 * which item, which mailbox, when, the cause and its fix. The item's subject is mail content: only
 * a caller who may see mail content gets it (shared/auth/mail-content.ts).
 */
import { z } from "zod";
import type { Caller } from "../auth/caller.js";
import { seesMailContent, withoutAddresses } from "../auth/mail-content.js";
import type { Runtime } from "../runtime.js";
import type { ItemFailure } from "../storage/item-failure-repository.js";
import { parseOrThrow } from "./http-responses.js";

const failureQuery = z.object({
  mailboxId: z.string().min(1).max(256).optional(),
  top: z.string().regex(/^[0-9]+$/, "must be a whole number from 1 to 1000").transform(Number).refine((n) => n >= 1 && n <= 1000, "must be a whole number from 1 to 1000").default(200),
}).strict();

export function retentionCutoff(runtime: Runtime): string {
  return new Date(runtime.now() - runtime.settings.itemFailureRetentionDays * 24 * 60 * 60 * 1000).toISOString();
}

export function failureFor(caller: Caller, failure: ItemFailure): ItemFailure {
  if (seesMailContent(caller)) return failure;
  const { subject: _subject, ...rest } = failure;
  return { ...rest, message: withoutAddresses(failure.message) };
}

export async function listFailures(runtime: Runtime, query: Record<string, string>, caller: Caller) {
  const { mailboxId, top } = parseOrThrow(failureQuery, query, "query");
  const all = await runtime.failures.since(retentionCutoff(runtime), mailboxId);
  return {
    retentionDays: runtime.settings.itemFailureRetentionDays,
    total: all.length,
    items: all.slice(0, top).map((failure) => failureFor(caller, failure)),
  };
}

let lastPurgeMs = 0;

/** Deletes failures past the retention, at most once an hour (called by the scheduler's tick). */
export async function purgeExpiredFailures(runtime: Runtime): Promise<number> {
  if (runtime.now() - lastPurgeMs < 60 * 60 * 1000) return 0;
  lastPurgeMs = runtime.now();
  return runtime.failures.deleteBefore(retentionCutoff(runtime));
}
