/**
 * Raising an alert: recorded when its level is one the organization records, at most once an hour
 * per mailbox (or profile) and code, and the profile owner is emailed through Graph when an
 * alert-sender mailbox is configured. Text comes from the catalog (domain/alert-catalog.ts).
 */
import { describeAlert, type AlertCode } from "../domain/alert-catalog.js";
import type { Mailbox } from "../domain/mailbox.js";
import type { EmailServerProfile } from "../domain/profile.js";
import type { Workload } from "../domain/workloads.js";
import { GraphRequestError, TokenRequestError } from "../graph/graph-errors.js";
import type { Runtime } from "../runtime.js";
import type { AlertRecord } from "../storage/alert-repository.js";

export const alertDedupeWindowMs = 60 * 60 * 1000;

export interface AlertSubject {
  mailbox?: Pick<Mailbox, "id" | "emailAddress" | "profileId">;
  profile?: Pick<EmailServerProfile, "id" | "name" | "ownerEmail">;
  workload?: Workload;
  errorCode?: string;
  detail?: string;
}

export async function raiseAlert(runtime: Runtime, code: AlertCode, subject: AlertSubject): Promise<AlertRecord | undefined> {
  const text = describeAlert(code, {
    mailboxAddress: subject.mailbox?.emailAddress,
    profileName: subject.profile?.name,
    workload: subject.workload,
    errorCode: subject.errorCode,
    detail: subject.detail,
  });
  const org = await runtime.orgSettings.get();
  if (!org.alertLevels.includes(text.level)) return undefined;
  const now = runtime.now();
  const about = text.about === "profile" || !subject.mailbox ? `p:${subject.profile?.id ?? subject.mailbox?.profileId}` : `m:${subject.mailbox.id}`;
  if (!(await runtime.alerts.claim(about, code, now, alertDedupeWindowMs))) return undefined;
  const alert = await runtime.alerts.add({
    code,
    level: text.level,
    mailboxId: text.about === "mailbox" ? subject.mailbox?.id : undefined,
    profileId: subject.profile?.id ?? subject.mailbox?.profileId,
    workload: subject.workload,
    errorCode: subject.errorCode,
    title: text.title,
    cause: text.cause,
    fix: text.fix,
    createdAt: new Date(now).toISOString(),
  });
  await notifyOwner(runtime, alert, subject, org.alertSenderMailbox);
  return alert;
}

async function notifyOwner(runtime: Runtime, alert: AlertRecord, subject: AlertSubject, sender: string | undefined): Promise<void> {
  const profile = subject.profile ?? (subject.mailbox ? await runtime.profiles.get(subject.mailbox.profileId) : undefined);
  if (!sender || !profile?.ownerEmail || alert.level === "Information") return;
  let notice = "emailed";
  try {
    await runtime.graph.post(`/users/${encodeURIComponent(sender)}/sendMail`, {
      message: {
        subject: `[CRM sync ${alert.level}] ${alert.title}`,
        body: { contentType: "text", content: `${alert.title}\n\nWhat happened: ${alert.cause}\n\nWhat to do: ${alert.fix}\n\nAlert ${alert.id} (${alert.code}).` },
        toRecipients: [{ emailAddress: { address: profile.ownerEmail } }],
      },
      saveToSentItems: false,
    });
  } catch (error) {
    if (!(error instanceof GraphRequestError || error instanceof TokenRequestError)) throw error;
    notice = `failed: ${error.code}`;
  }
  await runtime.alerts.setNotice(alert, notice);
}
