/**
/**
 * Organization settings: approval requirement, recorded alert levels, the alert-sender mailbox, and
 * email tracking (track option, correlation, token format, smart matching, Sent Items). PUT
 * replaces them as PUT does everywhere in this API: a field it leaves out takes its default, not
 * the value stored before. A GET's answer may be sent back as it is.
 */
import type { OrgSettings } from "../domain/org-settings.js";
import type { Runtime } from "../runtime.js";
import { settingsBody } from "./admin-schemas.js";
import { parseOrThrow, withoutReadOnly } from "./http-responses.js";

/** What GET answers besides the settings; only the server sets them. */
const readOnlyFields = ["updatedAt", "deploymentId"];

/** Every setting with its effective value, defaults filled in. */
function settingsView(settings: OrgSettings, deploymentId: string) {
  return {
    requireApprovedMailboxes: settings.requireApprovedMailboxes,
    alertLevels: settings.alertLevels,
    alertSenderMailbox: settings.alertSenderMailbox ?? null,
    defaultTrackOption: settings.defaultTrackOption,
    correlation: settings.correlation,
    trackingToken: settings.trackingToken,
    smartMatching: settings.smartMatching,
    autoTrackSentFolderItems: settings.autoTrackSentFolderItems,
    attachments: settings.attachments,
    updatedAt: settings.updatedAt ?? null,
    deploymentId,
  };
}

export async function getSettings(runtime: Runtime) {
  return settingsView(await runtime.orgSettings.get({ fresh: true }), runtime.settings.deploymentId);
}

export async function putSettings(runtime: Runtime, body: unknown) {
  const input = parseOrThrow(settingsBody, withoutReadOnly(body, readOnlyFields), "body");
  const { alertSenderMailbox, ...rest } = input;
  const next: OrgSettings = {
    ...rest,
    alertSenderMailbox: alertSenderMailbox ?? undefined,
    updatedAt: new Date(runtime.now()).toISOString(),
  };
  await runtime.orgSettings.put(next);
  return settingsView(next, runtime.settings.deploymentId);
}
