/** Email server profiles: create or replace, read, list (paged), delete (refused while mailboxes use it). */
import { credentialFromSettings } from "../config/profile-credentials.js";
import { SettingsError } from "../config/settings.js";
import { defaultPolling, defaultPushSafetyNet, newProfile, type EmailServerProfile } from "../domain/profile.js";
import type { Runtime } from "../runtime.js";
import { idParam, profileBody } from "./admin-schemas.js";
import { ApiError, notFound, parseOrThrow, routeParam, withoutReadOnly } from "./http-responses.js";
import { listScope, pageOf, pagingQuery } from "./paging.js";

/** What GET answers that only the server sets; a PUT may send them back and they are ignored. */
const readOnlyFields = ["id", "createdAt", "updatedAt"];

export function profileView(profile: EmailServerProfile) {
  return { ...profile };
}

export async function putProfile(runtime: Runtime, id: string, body: unknown): Promise<{ created: boolean; profile: ReturnType<typeof profileView> }> {
  const profileId = routeParam(idParam, id, "id");
  const input = parseOrThrow(profileBody, withoutReadOnly(body, readOnlyFields), "body");
  // The credential's app setting must exist now, not fail the first cycle later.
  try {
    credentialFromSettings(input.credential, runtime.env);
  } catch (error) {
    if (error instanceof SettingsError) {
      const field = `credential.${input.credential.kind === "certificate" ? "certificateSetting" : "secretSetting"}`;
      throw new ApiError(400, "BadRequest", `Invalid body parameter '${field}': ${error.message}`, field);
    }
    throw error;
  }
  const existing = await runtime.profiles.get(profileId);
  const now = runtime.now();
  const profile = newProfile(
    {
      id: profileId,
      name: input.name,
      credential: input.credential,
      processEmailsFrom: input.processEmailsFrom ?? undefined,
      maxConcurrentConnections: input.maxConcurrentConnections,
      requestTimeoutSeconds: input.requestTimeoutSeconds,
      polling: { ...defaultPolling, ...Object.fromEntries(Object.entries(input.polling).filter(([, v]) => v)) },
      pushSafetyNetSeconds: { ...defaultPushSafetyNet, ...Object.fromEntries(Object.entries(input.pushSafetyNetSeconds).filter(([, v]) => v !== undefined)) },
      ownerEmail: input.ownerEmail ?? undefined,
      saveSentToSentItems: input.saveSentToSentItems,
      alertOwnerWhenMajorityFail: input.alertOwnerWhenMajorityFail,
      createdAt: existing?.createdAt ?? new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
    },
    now,
  );
  await runtime.profiles.put(profile);
  return { created: !existing, profile: profileView(profile) };
}

export async function getProfile(runtime: Runtime, id: string) {
  const profileId = routeParam(idParam, id, "id");
  const profile = await runtime.profiles.get(profileId);
  if (!profile) throw notFound("Profile", profileId);
  return profileView(profile);
}

export async function listProfiles(runtime: Runtime, query: Record<string, string>) {
  const paging = parseOrThrow(pagingQuery, query, "query");
  const page = await pageOf(listScope("profiles"), paging, (next) => runtime.profiles.listPage(next));
  return { ...page, items: page.items.map(profileView) };
}

export async function deleteProfile(runtime: Runtime, id: string): Promise<void> {
  const profileId = routeParam(idParam, id, "id");
  if (!(await runtime.profiles.get(profileId))) throw notFound("Profile", profileId);
  const users = await runtime.mailboxes.listPage({ pageSize: 1, profileId });
  if (users.items.length > 0) {
    throw new ApiError(409, "Conflict", `Profile '${profileId}' is used by mailboxes (for example '${users.items[0]!.id}'): move or delete them first.`);
  }
  await runtime.profiles.remove(profileId);
}
