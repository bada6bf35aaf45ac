/**
 * Organization settings: approval requirement, recorded alert levels, the alert-sender mailbox, and
 * email tracking (track option, correlation, token format, smart matching, Sent Items).
 */
import type { OrgSettings } from "../domain/org-settings.js";
import type { Runtime } from "../runtime.js";
import { settingsBody } from "./admin-schemas.js";
import { parseOrThrow } from "./http-responses.js";

export async function getSettings(runtime: Runtime) {
  const settings = await runtime.orgSettings.get({ fresh: true });
  return { ...settings, deploymentId: runtime.settings.deploymentId };
}

export async function putSettings(runtime: Runtime, body: unknown) {
  const input = parseOrThrow(settingsBody, body, "body");
  const current = await runtime.orgSettings.get({ fresh: true });
  // Tracking settings are replaced as given: the schema fills an omitted one with its default.
  const { requireApprovedMailboxes, alertLevels, alertSenderMailbox, ...tracking } = input;
  const next: OrgSettings = {
    ...tracking,
    requireApprovedMailboxes: requireApprovedMailboxes ?? current.requireApprovedMailboxes,
    alertLevels: alertLevels ?? current.alertLevels,
    alertSenderMailbox: alertSenderMailbox === null ? undefined : (alertSenderMailbox ?? current.alertSenderMailbox),
    updatedAt: new Date(runtime.now()).toISOString(),
  };
  await runtime.orgSettings.put(next);
  return { ...next, deploymentId: runtime.settings.deploymentId };
}
