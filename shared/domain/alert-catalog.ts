/**
 * Where to add a new alert: here. Every alert the product raises, with its level and, in plain
 * words, what happened and what to do. Pure: the text is built from ids and codes, never from mail.
 */
import { maxRetryDelayMs } from "./schedule.js";
import type { Workload } from "./workloads.js";

export type AlertLevel = "Error" | "Warning" | "Information";

export interface AlertFacts {
  mailboxAddress?: string;
  profileName?: string;
  workload?: Workload;
  errorCode?: string;
  /** Free detail made of counts and ids only (e.g. "11 of 20 mailboxes"). */
  detail?: string;
}

interface CatalogEntry {
  level: AlertLevel;
  /** Whom the alert concerns: one mailbox, or the whole profile. */
  about: "mailbox" | "profile";
  title: (f: AlertFacts) => string;
  cause: (f: AlertFacts) => string;
  fix: (f: AlertFacts) => string;
}

const workloadName = (w?: Workload) => (w === "incoming" ? "incoming email" : w === "outgoing" ? "outgoing email" : w === "act" ? "appointments, contacts and tasks" : "synchronization");
const mailbox = (f: AlertFacts) => f.mailboxAddress ?? "the mailbox";
const code = (f: AlertFacts) => (f.errorCode ? ` (${f.errorCode})` : "");
const retryCapMinutes = maxRetryDelayMs / 60_000;

export const alertCatalog = {
  SecureConnectionFailed: {
    level: "Error",
    about: "mailbox",
    title: (f) => `A secure connection to Exchange Online failed for ${mailbox(f)}`,
    cause: (f) => `The connection to Microsoft Graph could not be established, was reset or timed out${code(f)}, repeatedly. Nothing was disabled: ${workloadName(f.workload)} keeps retrying (less often the longer it lasts, at least every ${retryCapMinutes} minutes).`,
    fix: () => "Check that the Function App can reach graph.microsoft.com (or the sovereign cloud's endpoint in GRAPH_ENDPOINT): outbound network rules, DNS, proxy. Sync resumes by itself once it can.",
  },
  ExchangeUnavailable: {
    level: "Error",
    about: "mailbox",
    title: (f) => `Exchange Online keeps failing for ${mailbox(f)}`,
    cause: (f) => `Microsoft Graph answered ${workloadName(f.workload)} requests with server errors${code(f)}, repeatedly. This is the service's outage, not the mailbox's: nothing was disabled, and the workload keeps retrying (less often the longer it lasts, at least every ${retryCapMinutes} minutes).`,
    fix: () => "Nothing to change here: sync resumes by itself when Exchange Online answers again. If it lasts, check Exchange Online in the Microsoft 365 service health dashboard.",
  },
  LoginAuthorityUnavailable: {
    level: "Error",
    about: "profile",
    title: (f) => `The login authority is not issuing tokens for email server profile ${f.profileName ?? ""}`.trimEnd(),
    cause: (f) => `The Microsoft identity platform did not answer, timed out, or answered with server errors or throttling${code(f)}, repeatedly. This is the platform's outage, not a problem with the profile's credentials: nothing was disabled, and the profile's mailboxes keep retrying (less often the longer it lasts, at least every ${retryCapMinutes} minutes).`,
    fix: () => "Nothing to change in the profile: sync resumes by itself when the login authority answers again. If it lasts, check Microsoft Entra in the Azure service health dashboard and that the Function App can reach login.microsoftonline.com (or LOGIN_AUTHORITY_HOST). A mailbox whose Test & Enable failed meanwhile needs Test & Enable again.",
  },
  MailboxNotApproved: {
    level: "Warning",
    about: "mailbox",
    title: (f) => `The email address ${mailbox(f)} needs approval`,
    cause: () => "Email is processed only for approved mailboxes, and this mailbox's address has not been approved.",
    fix: () => "A CRM admin approves the mailbox (POST /api/mailboxes/{id}/approve); for Exchange Online a tenant admin must also have granted the app consent. Then Test & Enable it.",
  },
  MailboxLocationUnknown: {
    level: "Error",
    about: "mailbox",
    title: (f) => `The mailbox location of ${mailbox(f)} could not be determined`,
    cause: (f) => `Exchange Online has no active cloud mailbox for this address${code(f)}: it does not exist, is inactive or soft-deleted, or is hosted on premises.`,
    fix: () => "Check the address and that the user has an Exchange Online licence and mailbox, correct the mailbox record if needed, then Test & Enable it.",
  },
  CredentialsInvalid: {
    level: "Error",
    about: "profile",
    title: (f) => `The credentials of email server profile ${f.profileName ?? ""} are wrong or insufficient`.trimEnd(),
    cause: (f) => `The login authority or Graph refused the app's credentials${code(f)}: the client secret or certificate is wrong or expired, the app is not in the tenant, or consent is missing. Every mailbox of the profile was disabled.`,
    fix: () => "Renew the secret or certificate in Key Vault (or correct the tenant and client id), make sure a tenant admin granted admin consent, then Test & Enable the profile's mailboxes.",
  },
  AccessDenied: {
    level: "Error",
    about: "mailbox",
    title: (f) => `Access to ${mailbox(f)} was denied`,
    cause: (f) => `Graph refused access to this mailbox${code(f)}: the app lacks an application permission the workload needs (${f.workload === "outgoing" ? "Mail.ReadWrite and Mail.Send" : f.workload === "act" ? "Mail.ReadWrite, Calendars.ReadWrite, Contacts.ReadWrite and Tasks.ReadWrite.All" : "Mail.ReadWrite"}), or the mailbox is outside the app's scope (Exchange RBAC for Applications or an application access policy).`,
    fix: () => "Grant the permission with admin consent, or add the mailbox to the group the app is scoped to, then Test & Enable the mailbox.",
  },
  OwnedByAnotherOrganization: {
    level: "Error",
    about: "mailbox",
    title: (f) => `${mailbox(f)} is configured to synchronize with another organization`,
    cause: () => "Another deployment has taken this Exchange mailbox over (its stamp is on the Inbox). One Exchange mailbox synchronizes with one organization only, so this deployment stopped syncing its incoming email, outgoing email, and appointments, contacts and tasks.",
    fix: () => "Test & Enable with takeOwnership: true to make this deployment the owner again (the other stops syncing it), or leave the mailbox disabled here.",
  },
  MailboxMappedElsewhere: {
    level: "Error",
    about: "mailbox",
    title: (f) => `${mailbox(f)} is mapped to another mailbox record`,
    cause: (f) => `One Exchange mailbox maps to one mailbox record, and one CRM user or queue to one mailbox: this record's ${f.detail ?? "address or owner is held by another record"}. Every workload of this record was disabled.`,
    fix: () => "Give this record its own email address and owner (PUT /api/mailboxes/{id}), or map the address back to it with force: true (which disables the other record), then Test & Enable it.",
  },
  EmailTooLarge: {
    level: "Warning",
    about: "mailbox",
    title: (f) => `An email in ${mailbox(f)} was not created because it is larger than 150 MB`,
    cause: () => "Email over 150 MB is not tracked. The item-level failure lists it.",
    fix: () => "Forward a smaller copy (without the large attachments) or track it manually.",
  },
  TrackedFolderDropped: {
    level: "Warning",
    about: "mailbox",
    title: (f) => `A tracked folder of ${mailbox(f)} is no longer tracked`,
    cause: (f) => `Folder-level tracking follows a folder that is renamed or moved within the Inbox, but not one moved out from under the Inbox (into Deleted Items, for instance) or deleted: ${f.detail ?? "a tracked folder left the Inbox"}. Its mapping was removed. Mail already tracked from it stays tracked, with its regarding record.`,
    fix: () => "If the folder should still be tracked, move it back under the Inbox (or create it again) and map it again: PUT /api/mailboxes/{id}/tracked-folders/{folderId} with its regarding record.",
  },
  TransientFailuresExhausted: {
    level: "Error",
    about: "mailbox",
    title: (f) => `${workloadName(f.workload)} for ${mailbox(f)} was disabled after repeated failures`,
    cause: (f) => `The ${workloadName(f.workload)} workload failed 10 times in a row, 5 minutes apart, with an error of this mailbox's own${code(f)} (not an outage of Exchange Online or the login authority, which never disables a mailbox).`,
    fix: () => "Look up the error code in the mailbox's last error (GET /api/mailboxes/{id}), correct what it names in the mailbox or its folders, then Test & Enable the mailbox.",
  },
  MailboxFull: {
    level: "Error",
    about: "mailbox",
    title: (f) => `${mailbox(f)} is over its storage quota`,
    cause: (f) => `Exchange Online refused to store items in this mailbox because it has reached its quota${code(f)}. Nothing was disabled: ${workloadName(f.workload)} is retried (less often the longer it lasts, at least every ${retryCapMinutes} minutes) and pending email waits.`,
    fix: () => "Free space in the mailbox (empty Deleted Items, archive or delete old mail) or raise its quota or licence in Exchange Online. Sync resumes by itself.",
  },
  ProfileMajorityFailing: {
    level: "Error",
    about: "profile",
    title: (f) => `More than half of the mailboxes of profile ${f.profileName ?? ""} failed in the last hour`.replace("  ", " "),
    cause: (f) => `${f.detail ?? "Most mailboxes"} of this profile recorded a failure within the hour: the cause is probably shared (credentials, permissions, network).`,
    fix: () => "Read the mailboxes' alerts for the common cause, fix it, then Test & Enable the mailboxes.",
  },
  DeadLettered: {
    level: "Error",
    about: "mailbox",
    title: (f) => `A ${workloadName(f.workload)} run for ${mailbox(f)} failed on every delivery`,
    cause: () => "The queue message for the run failed 10 times and was dead-lettered. The mailbox was rescheduled.",
    fix: () => "Look at the function's failures in Application Insights for this mailbox id; the next run is already queued.",
  },
  SendingLimitReached: {
    level: "Warning",
    about: "mailbox",
    title: (f) => `Sending from ${mailbox(f)} is paused by Exchange Online's sending limits`,
    cause: (f) => `Exchange Online allows 30 messages a minute and 10,000 recipients a day per mailbox${code(f)}. Pending email waits; nothing failed.`,
    fix: () => "Nothing to do: sending resumes when the limit allows. Spread bulk sends over more mailboxes if this recurs.",
  },
  PendingSendNotApproved: {
    level: "Warning",
    about: "mailbox",
    title: (f) => `Email from ${mailbox(f)} is waiting: the mailbox is not approved`,
    cause: () => "Email marked Send stays Pending Send because its sender mailbox is not approved.",
    fix: () => "A CRM admin approves the mailbox, then Test & Enables it.",
  },
  PendingSendNotEnabled: {
    level: "Warning",
    about: "mailbox",
    title: (f) => `Email from ${mailbox(f)} is waiting: outgoing email is not enabled`,
    cause: () => "Email marked Send stays Pending Send because its sender mailbox is not enabled for outgoing email, or its outgoing sync method is None.",
    fix: () => "Set the outgoing sync method to Server-Side Sync and Test & Enable the mailbox.",
  },
  EmailRejected: {
    level: "Warning",
    about: "mailbox",
    title: (f) => `Exchange Online rejected an item for ${mailbox(f)}`,
    cause: (f) => `The item was refused${code(f)} (for example an invalid recipient or a message too large).`,
    fix: () => "Correct the item; the mailbox keeps syncing.",
  },
  TestAndEnableSucceeded: {
    level: "Information",
    about: "mailbox",
    title: (f) => `${mailbox(f)} passed Test & Enable`,
    cause: (f) => `Every enabled workload was reached successfully${f.detail ? `: ${f.detail}` : ""}.`,
    fix: () => "Nothing to do.",
  },
  AppointmentWithoutOrganizer: {
    level: "Warning",
    about: "mailbox",
    title: (f) => `An appointment of ${mailbox(f)} cannot sync without an organizer`,
    cause: () => "Appointments need an organizer to be synchronized with Exchange.",
    fix: () => "Set the appointment's organizer in the CRM; it syncs on the next cycle.",
  },
  SyncConflict: {
    level: "Warning",
    about: "mailbox",
    title: (f) => `A record of ${mailbox(f)} changed on both sides`,
    cause: (f) => `The CRM record and the Exchange item both changed since the last sync${f.detail ? ` (${f.detail})` : ""}; the conflict rule decided the result.`,
    fix: () => "Check the record; edit it again if the merged result is not what you want.",
  },
  PushSubscriptionFailed: {
    level: "Warning",
    about: "mailbox",
    title: (f) => `Change notifications for ${workloadName(f.workload)} of ${mailbox(f)} are not working`,
    cause: (f) => `Microsoft Graph refused to create or renew the mailbox's change-notification subscription${code(f)}${f.detail ? ` (${f.detail})` : ""}. Nothing is lost: the workload falls back to the profile's polling schedule, and the subscription is retried (every 5 minutes at first, then less often, at least hourly).`,
    fix: () => "Check that the app still has its Graph application permissions (Mail.ReadWrite, Calendars.ReadWrite, Contacts.ReadWrite, Tasks.ReadWrite.All) and that PUSH_NOTIFICATION_URL is the Function App's public https address and answers Graph's validation request. GET /api/mailboxes/{id} shows the subscription's state.",
  },
  PushNotificationsMissing: {
    level: "Warning",
    about: "mailbox",
    title: (f) => `Change notifications for ${workloadName(f.workload)} of ${mailbox(f)} are not arriving`,
    cause: (f) => `The safety-net sync found changes no notification had announced, ${f.detail ?? "twice in a row"}: notifications are lost on the way (the notification endpoint unreachable, too slow, or throttled by Graph). Nothing is lost: the workload falls back to the profile's polling schedule until notifications arrive again.`,
    fix: () => "Check that the Function App's /api/push/notifications route is reachable from the internet (no IP restriction or private endpoint in front of it) and answers within 3 seconds; Application Insights' push.notifications metric shows what arrives and what was dropped.",
  },
  MigrationWaveFailures: {
    level: "Warning",
    about: "profile",
    title: (f) => `Mailboxes of email server profile ${f.profileName ?? ""} failed Test & Enable in a migration wave`.replace("  ", " "),
    cause: (f) => `An Email Router migration tested and enabled a wave of mailboxes and some of this profile's failed${f.detail ? ` (${f.detail})` : ""}. They stay disabled; the other waves go on as scheduled.`,
    fix: () => "Read the wave's failures with GET /api/migrations/{id} (each names its cause, and each mailbox's alert says what to do), fix the cause, then Test & Enable those mailboxes again (POST /api/mailboxes/test-and-enable).",
  },
} satisfies Record<string, CatalogEntry>;

export type AlertCode = keyof typeof alertCatalog;

export interface AlertText {
  level: AlertLevel;
  about: "mailbox" | "profile";
  title: string;
  cause: string;
  fix: string;
}

export function describeAlert(code: AlertCode, facts: AlertFacts): AlertText {
  const entry: CatalogEntry = alertCatalog[code];
  return { level: entry.level, about: entry.about, title: entry.title(facts), cause: entry.cause(facts), fix: entry.fix(facts) };
}
