/**
 * The incoming email workload: Inbox, Sent Items and the owner's tracked folders, each by its own
 * delta; each message is tracked as an email activity or left alone by the owner's options
 * (tracking-step.ts). Where a mailbox's incoming cycle starts: runWorkload
 * (../workload-runner.ts) calls run() here.
 */
import pLimit from "p-limit";
import { raiseAlert } from "../../alerts/alert-service.js";
import { firstSyncFrom } from "../../domain/mailbox.js";
import { nextRunAfter } from "../../domain/schedule.js";
import { inboxFolder, sentItemsFolder, type SyncedFolder } from "../../domain/tracking/synced-folder.js";
import { cursorKeyOf, mayTrackFolders, trackedSyncedFolder, tracksFoldersPatch, type TrackedFolder } from "../../domain/tracking/tracked-folders.js";
import { GraphRequestError } from "../../graph/graph-errors.js";
import type { CycleContext, EngineResult, WorkloadEngine } from "../workload-runner.js";
import { syncFolder, type CycleBudget, type FolderRoundResult } from "./folder-round.js";
import { trackingStepDeps } from "./tracking-step.js";
import { dropTrackedFolders, followTrackedFolders, hierarchyCursorKey } from "./tracked-folder-follow.js";

/**
 * Folders of one cycle sync side by side, two at a time: well within the four concurrent requests
 * Exchange allows per mailbox, however many folders the owner tracks (up to 27 folders a cycle).
 */
const foldersAtOnce = 2;

export const incomingEngine: WorkloadEngine = {
  workload: "incoming",

  async run(context: CycleContext): Promise<EngineResult> {
    const { runtime, mailbox, profile, graph, counter, startedAt } = context;
    // From this worker's memory when the row carries the stamp of the set it holds (one read fewer).
    const cursors = await runtime.cursors.forMailbox(mailbox.id, "incoming", { stamp: mailbox.incomingCursorsStamp });
    const startFrom = firstSyncFrom(profile.processEmailsFrom, mailbox.processEmailsFrom, mailbox.createdAt);
    const budget: CycleBudget = { deadline: startedAt + runtime.settings.cycleMaxMs, maxItems: runtime.settings.cycleMaxItems, items: 0 };
    let untracked: Promise<Set<string>> | undefined;
    const deps = {
      ...runtime,
      graph,
      tracking: trackingStepDeps(runtime, graph, counter),
      pageSize: runtime.settings.graph.pageSize,
      // Read once per cycle, and only when a page brings mail: an idle cycle costs no read.
      isUntracked: async (graphMessageId: string) => (await (untracked ??= runtime.emails.untrackedIn(mailbox.id))).has(graphMessageId),
    };
    const userKey = mailbox.exchangeUserId ?? mailbox.emailAddress;
    const follow = mayTrackFolders(mailbox) ? await followTrackedFolders(context, cursors.get(hierarchyCursorKey)) : undefined;
    const tracked = follow?.folders ?? [];
    const byKey = new Map<string, TrackedFolder>(tracked.map((folder) => [folder.folderId, folder]));
    const folders: SyncedFolder[] = [inboxFolder, sentItemsFolder, ...tracked.map(trackedSyncedFolder)];
    const limit = pLimit(foldersAtOnce);
    const gone: TrackedFolder[] = [];
    const results = await Promise.all(
      folders.map((folder) =>
        limit(async (): Promise<FolderRoundResult | undefined> => {
          // Mail of any age moved into a tracked folder is tracked: its delta starts from the
          // profile's Process Emails From only, not from the mailbox's, which advances with the Inbox.
          const from = folder.kind === "tracked" ? profile.processEmailsFrom : startFrom;
          try {
            return await syncFolder(deps, { mailboxId: mailbox.id, mailbox, userKey, folder }, cursors.get(cursorKeyOf(folder)), from, budget, counter);
          } catch (error) {
            // Deleted since the hierarchy was read: dropped like any deleted tracked folder.
            if (folder.kind !== "tracked" || !(error instanceof GraphRequestError && error.status === 404)) throw error;
            gone.push(byKey.get(folder.key)!);
            return undefined;
          }
        }),
      ),
    );
    await dropTrackedFolders(runtime, mailbox, gone.map((folder) => ({ folder, reason: "deleted" as const })));
    const done = results.filter((r): r is FolderRoundResult => r !== undefined);
    const items = done.reduce((sum, r) => sum + r.processed + r.untracked + r.tooLarge, 0);
    if (done.some((r) => r.tooLarge > 0)) await raiseAlert(runtime, "EmailTooLarge", { mailbox, profile, workload: "incoming" });
    // Process Emails From follows the Inbox and Sent Items only (a tracked folder's old mail must not move it).
    const latest = results.slice(0, 2).map((r) => r?.latestReceivedAt).filter((t): t is string => Boolean(t)).sort().at(-1);
    const advance = latest && (!mailbox.processEmailsFrom || latest > mailbox.processEmailsFrom) ? latest : undefined;
    const trackedCount = done.reduce((sum, r) => sum + r.processed, 0);
    const untrackedCount = done.reduce((sum, r) => sum + r.untracked, 0);
    return {
      end: done.some((r) => r.yielded) ? { kind: "yielded", items } : { kind: "completed", items },
      counts: { tracked: trackedCount, untracked: untrackedCount },
      mailboxPatch: {
        ...(advance ? { processEmailsFrom: advance } : {}),
        ...(follow ? tracksFoldersPatch(mailbox, follow.mapped) : {}),
        incomingCursorsStamp: runtime.cursors.stampOf(mailbox.id, "incoming") ?? "",
      },
    };
  },

  nextRun(now, end, recentItems, profile) {
    return nextRunAfter(now, end, recentItems, profile.polling.incoming);
  },
};
