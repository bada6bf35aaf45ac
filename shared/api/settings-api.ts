/** Organization settings: approval requirement, recorded alert levels, the alert-sender mailbox. */
import { defaultTrackingTokenFormat } from "../domain/outgoing-email.js";
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
  const next = {
    requireApprovedMailboxes: input.requireApprovedMailboxes ?? current.requireApprovedMailboxes,
    alertLevels: input.alertLevels ?? current.alertLevels,
    alertSenderMailbox: input.alertSenderMailbox === null ? undefined : (input.alertSenderMailbox ?? current.alertSenderMailbox),
    trackingToken: input.trackingToken ?? current.trackingToken ?? defaultTrackingTokenFormat,
    updatedAt: new Date(runtime.now()).toISOString(),
  };
  await runtime.orgSettings.put(next);
  return { ...next, deploymentId: runtime.settings.deploymentId };
}
