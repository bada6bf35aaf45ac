/** Organization-wide settings that CRM admins change through the API. */
import type { AlertLevel } from "./alert-catalog.js";
import { defaultAttachmentSettings, type AttachmentSettings } from "./attachments/attachment-settings.js";
import { defaultTrackingSettings, type TrackingSettings } from "./tracking/tracking-settings.js";

export interface OrgSettings extends TrackingSettings {
  /** Process email only for approved mailboxes (server-side sync's default: on). */
  requireApprovedMailboxes: boolean;
  /** Alert levels that are recorded; the others are dropped. */
  alertLevels: AlertLevel[];
  /** Mailbox that emails alert notices to profile owners; none means record only. */
  alertSenderMailbox?: string;
  /** Blocked file extensions and the file size limit for tracked mail's attachments. */
  attachments: AttachmentSettings;
  updatedAt?: string;
}

export const defaultOrgSettings: OrgSettings = {
  requireApprovedMailboxes: true,
  alertLevels: ["Error", "Warning", "Information"],
  ...defaultTrackingSettings,
  attachments: defaultAttachmentSettings,
};
