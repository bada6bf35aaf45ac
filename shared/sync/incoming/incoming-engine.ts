/**
 * The incoming email workload: Inbox and Sent Items, each by its own delta; each message is
 * tracked as an email activity or left alone by the owner's options (tracking-step.ts).
 * Where a mailbox's incoming cycle starts: runWorkload (../workload-runner.ts) calls run() here.
 */
import { raiseAlert } from "../../alerts/alert-service.js";
import { effectiveProcessEmailsFrom } from "../../domain/mailbox.js";
import { nextRunAfter } from "../../domain/schedule.js";
import { inboxFolder, sentItemsFolder, type SyncedFolder } from "../../domain/tracking/synced-folder.js";
import type { CycleContext, EngineResult, WorkloadEngine } from "../workload-runner.js";
import { syncFolder, type CycleBudget } from "./folder-round.js";
import { trackingStepDeps } from "./tracking-step.js";

export const incomingEngine: WorkloadEngine = {
  workload: "incoming",

  async run({ runtime, mailbox, profile, graph, counter, startedAt }: CycleContext): Promise<EngineResult> {
    const cursors = await runtime.cursors.forMailbox(mailbox.id, "incoming");
    const startFrom = effectiveProcessEmailsFrom(profile.processEmailsFrom, mailbox.processEmailsFrom) ?? mailbox.createdAt;
    const budget: CycleBudget = { deadline: startedAt + runtime.settings.cycleMaxMs, maxItems: runtime.settings.cycleMaxItems, items: 0 };
    const deps = { ...runtime, graph, tracking: trackingStepDeps(runtime, graph, counter), pageSize: runtime.settings.graph.pageSize };
    const userKey = mailbox.exchangeUserId ?? mailbox.emailAddress;
    const folders: SyncedFolder[] = [inboxFolder, sentItemsFolder];
    // The folders are independent deltas: two requests at a time stays well within the
    // four concurrent requests Exchange allows per mailbox.
    const results = await Promise.all(
      folders.map((folder) => syncFolder(deps, { mailboxId: mailbox.id, mailbox, userKey, folder }, cursors.get(folder.key), startFrom, budget, counter)),
    );
    const items = results.reduce((sum, r) => sum + r.processed + r.untracked + r.tooLarge, 0);
    if (results.some((r) => r.tooLarge > 0)) await raiseAlert(runtime, "EmailTooLarge", { mailbox, profile, workload: "incoming" });
    const latest = results.map((r) => r.latestReceivedAt).filter((t): t is string => Boolean(t)).sort().at(-1);
    const advance = latest && (!mailbox.processEmailsFrom || latest > mailbox.processEmailsFrom) ? latest : undefined;
    const tracked = results.reduce((sum, r) => sum + r.processed, 0);
    const untracked = results.reduce((sum, r) => sum + r.untracked, 0);
    return {
      end: results.some((r) => r.yielded) ? { kind: "yielded", items } : { kind: "completed", items },
      counts: { tracked, untracked },
      mailboxPatch: advance ? { processEmailsFrom: advance } : undefined,
    };
  },

  nextRun(now, end, recentItems, profile) {
    return nextRunAfter(now, end, recentItems, profile.polling.incoming);
  },
};
