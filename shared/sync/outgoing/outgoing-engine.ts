/**
 * The outgoing email workload: the sender mailbox's Pending Send email, oldest first, each marked
 * Sending, sent exactly once (send-email.ts), then Sent — or Failed for a permanent per-email error
 * (invalid recipient, too large), or left Pending Send for anything the mailbox will get past.
 * Exchange Online's sending limits postpone the rest of the queue with a Warning; nothing fails.
 */
import { raiseAlert } from "../../alerts/alert-service.js";
import { classifyFailure } from "../../domain/error-classification.js";
import { emptySendWindow, exchangeOnlineSendingLimits, nextSendAllowedAt, recordSend } from "../../domain/outgoing-email.js";
import { nextRunAfter } from "../../domain/schedule.js";
import { GraphRequestError } from "../../graph/graph-errors.js";
import { ConcurrencyConflict } from "../../storage/mailbox-repository.js";
import type { CycleContext, EngineResult, WorkloadEngine } from "../workload-runner.js";
import { sendEmailOnce } from "./send-email.js";

export const outgoingEngine: WorkloadEngine = {
  workload: "outgoing",

  async run({ runtime, mailbox, profile, graph, startedAt }: CycleContext): Promise<EngineResult> {
    const ids = await runtime.crmEmails.pending(mailbox.id, runtime.settings.cycleMaxItems);
    let window = mailbox.sendWindow ?? emptySendWindow();
    let items = 0;
    const end = (result: EngineResult["end"]): EngineResult => ({ end: result, mailboxPatch: items > 0 ? { sendWindow: window } : undefined });
    const context = {
      graph,
      emails: runtime.crmEmails,
      attachments: runtime.attachments,
      userKey: mailbox.exchangeUserId ?? mailbox.emailAddress,
      saveToSentItems: profile.saveSentToSentItems,
      now: runtime.now,
    };
    for (const id of ids) {
      if (runtime.now() - startedAt >= runtime.settings.cycleMaxMs) return end({ kind: "yielded", items });
      const stored = await runtime.crmEmails.get(id);
      if (!stored || (stored.email.status !== "PendingSend" && stored.email.status !== "Sending")) {
        // Sent, failed or withdrawn meanwhile: the queue entry is stale.
        if (stored) await runtime.crmEmails.removePending(stored.email);
        continue;
      }
      const email = stored.email;
      const recipients = email.to.length + email.cc.length + email.bcc.length;
      const allowedAt = nextSendAllowedAt(window, recipients, runtime.now(), exchangeOnlineSendingLimits);
      if (allowedAt > runtime.now()) {
        await raiseAlert(runtime, "SendingLimitReached", { mailbox, profile, workload: "outgoing" });
        return end({ kind: "throttled", retryAfterMs: allowedAt - runtime.now() });
      }
      let etag: string;
      try {
        etag = await runtime.crmEmails.update(id, { status: "Sending", attempts: email.attempts + 1 }, stored.etag);
      } catch (error) {
        if (error instanceof ConcurrencyConflict) continue;
        throw error;
      }
      try {
        const sent = await sendEmailOnce(context, { ...email, attempts: email.attempts + 1 }, etag);
        // Email created before the sender was recorded at creation gets it here.
        const from = email.from ?? { address: mailbox.emailAddress };
        await runtime.crmEmails.update(id, { status: "Sent", sentAt: sent.sentAt, internetMessageId: sent.internetMessageId, failureReason: "", from });
        await runtime.crmEmails.removePending(email);
        window = recordSend(window, recipients, runtime.now());
        items++;
      } catch (error) {
        if (!(error instanceof GraphRequestError)) throw error;
        const classification = classifyFailure({ source: "graph", status: error.status, code: error.code });
        if (classification.scope === "item") {
          await runtime.crmEmails.update(id, { status: "Failed", failureReason: `${error.code}: ${error.message}` });
          await runtime.crmEmails.removePending(email);
          await raiseAlert(runtime, "EmailRejected", { mailbox, profile, workload: "outgoing", errorCode: error.code });
          items++;
          continue;
        }
        // Not this email's fault: it waits, Pending Send, for the mailbox to get past it.
        await runtime.crmEmails.update(id, { status: "PendingSend" });
        if (items > 0) await runtime.mailboxes.patch(mailbox.id, { sendWindow: window });
        if (classification.action === "postpone") {
          if (classification.cause === "SendingLimitReached") await raiseAlert(runtime, "SendingLimitReached", { mailbox, profile, workload: "outgoing", errorCode: error.code });
          return end({ kind: "throttled", retryAfterMs: error.retryAfterMs ?? 60_000 });
        }
        throw error;
      }
    }
    // Every Pending Send email was handled: the next runs come from Send itself (it queues the
    // mailbox at once and marks it due), so an idle mailbox costs no polling.
    return { ...end({ kind: "completed", items }), idle: ids.length < runtime.settings.cycleMaxItems };
  },

  nextRun(now, end, recentItems, profile) {
    return nextRunAfter(now, end, recentItems, profile.polling.outgoing);
  },
};
