/**
 * Keeping folder mappings in step with Exchange, once per incoming cycle before the folders are
 * read: one folder hierarchy delta (`GET /users/{id}/mailFolders/delta`, its own cursor) tells which
 * folders were created, renamed, moved or deleted since the last cycle — an idle mailbox costs that
 * one request, however many folders it tracks. A mapping whose folder, or a folder above it, was
 * reported changed is placed again (folder-placement.ts): renamed or moved but still under the
 * Inbox, it follows; moved out from under the Inbox (Deleted Items included) or deleted, it is
 * dropped with a TrackedFolderDropped alert. A mailbox that tracks no folder makes no request.
 *
 * (Checking each tracked folder with a GET every cycle would cost one request per folder and cycle
 * on top of its message delta; the hierarchy delta costs one per cycle.)
 */
import { raiseAlert } from "../../alerts/alert-service.js";
import type { Mailbox } from "../../domain/mailbox.js";
import {
  concernsMapping, cursorKeyOf, folderTrackingRefusal, followMapping, trackedSyncedFolder, type HierarchyChange, type TrackedFolder,
} from "../../domain/tracking/tracked-folders.js";
import type { GraphCallCounter, GraphConnection } from "../../graph/graph-connection.js";
import { isSyncStateLost } from "../../graph/graph-errors.js";
import type { Runtime } from "../../runtime.js";
import type { DeltaCursor, StoredCursor } from "../../storage/cursor-repository.js";
import { folderSelect, locateFolder } from "./folder-placement.js";

/** The hierarchy delta's cursor, beside the folders' own (whose keys are "inbox", "sentitems", "folder|…"). */
export const hierarchyCursorKey = "hierarchy";
const workload = "incoming";

export interface FollowContext {
  runtime: Runtime;
  mailbox: Mailbox;
  graph: GraphConnection;
  counter: GraphCallCounter;
}

interface HierarchyPage {
  value?: Array<{ id: string; displayName?: string; parentFolderId?: string; "@removed"?: unknown }>;
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
}

export type DropReason = "deleted" | "movedOutOfInbox";

const userKeyOf = (mailbox: Mailbox) => mailbox.exchangeUserId ?? mailbox.emailAddress;

/** The mailbox's tracked folders as they are now in Exchange (dropped ones left out), and how many are stored. */
export async function followTrackedFolders(context: FollowContext, stored: StoredCursor | undefined): Promise<{ folders: TrackedFolder[]; mapped: number }> {
  const { runtime, mailbox, graph, counter } = context;
  // A mailbox that became a queue's keeps its mappings stored, unused (as a queue cannot have them).
  if (folderTrackingRefusal(mailbox.ownerType)) return { folders: [], mapped: 0 };
  const { roots, folders } = await runtime.trackedFolders.list(mailbox.id);
  if (folders.length === 0 || !roots) return { folders: [], mapped: folders.length };
  const { changes, commit } = await readHierarchyChanges(context, stored);
  const kept: TrackedFolder[] = [];
  const dropped: Array<{ folder: TrackedFolder; reason: DropReason }> = [];
  for (const folder of folders) {
    if (!concernsMapping(folder, changes)) {
      kept.push(folder);
      continue;
    }
    // Steps above the folder that did not change are known without asking Graph.
    const known = new Map<string, HierarchyChange>(changes);
    folder.ancestry.forEach((step, i) => {
      if (i > 0 && !known.has(step.id)) known.set(step.id, { ...step, parentFolderId: folder.ancestry[i - 1]!.id });
    });
    const follow = followMapping(folder, await locateFolder(graph, userKeyOf(mailbox), folder.folderId, roots, known, counter));
    if (follow.action === "drop") {
      dropped.push({ folder, reason: follow.reason });
    } else if (follow.action === "update") {
      await runtime.trackedFolders.updateAncestry(mailbox.id, folder.folderId, follow.ancestry, new Date(runtime.now()).toISOString());
      kept.push({ ...folder, ancestry: follow.ancestry });
    } else {
      kept.push(folder);
    }
  }
  await dropTrackedFolders(runtime, mailbox, dropped);
  // Only now: a failure before this point reads the same changes again next cycle.
  await commit();
  return { folders: kept, mapped: folders.length };
}

/** Unmaps folders that are gone from under the Inbox, and says so once. */
export async function dropTrackedFolders(runtime: Runtime, mailbox: Mailbox, dropped: Array<{ folder: TrackedFolder; reason: DropReason }>): Promise<void> {
  if (dropped.length === 0) return;
  for (const { folder } of dropped) {
    await runtime.trackedFolders.remove(mailbox.id, folder.folderId);
    await runtime.cursors.remove(mailbox.id, workload, cursorKeyOf(trackedSyncedFolder(folder)));
  }
  const detail = dropped
    .map(({ folder, reason }) => `the folder mapped to ${folder.regarding.type} '${folder.regarding.id}' ${reason === "deleted" ? "was deleted" : "was moved out from under the Inbox"}`)
    .join("; ");
  await raiseAlert(runtime, "TrackedFolderDropped", { mailbox, workload, detail });
}

/**
 * One round of the folder hierarchy delta: every folder reported changed or removed, by id, and
 * `commit` to save the cursor once they are applied — only when the round saw something (an idle
 * round keeps its deltaLink: no table write). A lost sync state starts the hierarchy over once:
 * the first round lists every folder.
 */
async function readHierarchyChanges(context: FollowContext, stored: StoredCursor | undefined): Promise<{ changes: Map<string, HierarchyChange>; commit: () => Promise<void> }> {
  const { runtime, mailbox, graph, counter } = context;
  const initial = `/users/${encodeURIComponent(userKeyOf(mailbox))}/mailFolders/delta?$select=${folderSelect.join(",")}`;
  let link = stored?.cursor.link ?? initial;
  let restarted = false;
  const changes = new Map<string, HierarchyChange>();
  for (;;) {
    let page: HierarchyPage;
    try {
      page = await graph.get<HierarchyPage>(link, { pageSize: runtime.settings.graph.pageSize }, counter);
    } catch (error) {
      if (!isSyncStateLost(error) || restarted) throw error;
      restarted = true;
      changes.clear();
      link = initial;
      continue;
    }
    for (const item of page.value ?? []) {
      changes.set(item.id, item["@removed"] ? { id: item.id, removed: true } : { id: item.id, displayName: item.displayName ?? "", parentFolderId: item.parentFolderId ?? "" });
    }
    if (page["@odata.nextLink"]) {
      link = page["@odata.nextLink"];
      continue;
    }
    const deltaLink = page["@odata.deltaLink"];
    const moved = deltaLink && (!stored || restarted || changes.size > 0);
    const cursor: DeltaCursor | undefined = moved ? { link: deltaLink, kind: "delta" } : undefined;
    return { changes, commit: async () => void (cursor && (await runtime.cursors.save(mailbox.id, workload, hierarchyCursorKey, cursor, stored?.etag))) };
  }
}
