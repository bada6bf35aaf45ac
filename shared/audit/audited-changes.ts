/**
 * Where to add a new admin API route that changes something: here, with the targets it changes
 * and how to read them. A test requires a row for every registered HTTP function that is not a
 * read (not GET) and needs Sync.Admin or Sync.Approver (route-access.ts).
 *
 * Targets are read through the API's own views before and after the change, so the audit shows
 * what an admin sees — setting names, never secrets (no secret is ever stored), and no mail.
 */
import type { HttpRequest } from "@azure/functions";
import { getEmailEnabledTypes } from "../api/declared-record-api.js";
import { ApiError } from "../api/http-responses.js";
import { getMailbox } from "../api/mailbox-api.js";
import { getMigration } from "../api/migration-api.js";
import { getMailboxTracking } from "../api/owner-tracking-api.js";
import { getProfile } from "../api/profile-api.js";
import { getSettings } from "../api/settings-api.js";
import type { Runtime } from "../runtime.js";
import type { AuditTargetType } from "../storage/audit-repository.js";

export interface AuditedChange {
  targets(request: HttpRequest): Promise<Array<{ type: AuditTargetType; id: string }>>;
}

const readers: Record<AuditTargetType, (runtime: Runtime, id: string) => Promise<unknown>> = {
  profile: getProfile,
  mailbox: getMailbox,
  settings: (runtime) => getSettings(runtime),
  emailEnabledTypes: (runtime) => getEmailEnabledTypes(runtime),
  mailboxTracking: getMailboxTracking,
  // What an admin decides about a migration (its plan is the upload's, and can be large): status and choices.
  migration: async (runtime, id) => {
    const { status, settings } = (await getMigration(runtime, id)) as { status: unknown; settings: unknown };
    return { status, settings };
  },
};

/** The target's view, or null when it does not exist (or the id is not one). */
export async function readTarget(runtime: Runtime, target: { type: AuditTargetType; id: string }): Promise<unknown> {
  try {
    return await readers[target.type](runtime, target.id);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return null;
    throw error;
  }
}

const routeId = (type: AuditTargetType): AuditedChange => ({ targets: async (request) => (request.params.id ? [{ type, id: request.params.id }] : []) });
const singleton = (type: AuditTargetType): AuditedChange => ({ targets: async () => [{ type, id: type }] });

export const auditedChanges: Readonly<Record<string, AuditedChange>> = {
  putProfile: routeId("profile"),
  deleteProfile: routeId("profile"),
  putMailbox: routeId("mailbox"),
  approveMailbox: routeId("mailbox"),
  testAndEnableMailbox: routeId("mailbox"),
  disableMailbox: routeId("mailbox"),
  testAndEnableMailboxes: {
    // The body names the mailboxes; a body that is not what the route takes changes nothing.
    async targets(request) {
      try {
        const ids = (JSON.parse(await request.clone().text()) as { mailboxIds?: unknown }).mailboxIds;
        return Array.isArray(ids) ? [...new Set(ids.filter((id): id is string => typeof id === "string"))].map((id) => ({ type: "mailbox" as const, id })) : [];
      } catch {
        return [];
      }
    },
  },
  putSettings: singleton("settings"),
  putEmailEnabledTypes: singleton("emailEnabledTypes"),
  putMailboxTracking: routeId("mailboxTracking"),
  // The new migration's id is made by the call: the record says who uploaded, and when.
  createMigration: { targets: async () => [] },
  patchMigration: routeId("migration"),
  startMigration: routeId("migration"),
};
