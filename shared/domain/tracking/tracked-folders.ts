/**
 * Folder-level tracking (DESIGN.md §8): an owner maps up to 25 folders under their Inbox, at any
 * depth, each to a CRM record; mail in such a folder is tracked whatever the track option and is
 * regarding the folder's record. Not for queue mailboxes, as in Dynamics 365.
 *
 * Pure rules: where a folder sits (from its chain of parents), which mappings a change of the
 * folder hierarchy concerns, and what follows for a mapping (renamed or moved under the Inbox:
 * follow; moved out from under the Inbox or deleted: dropped).
 */
import { createHash } from "node:crypto";
import type { RegardingRecord } from "../email-activity.js";
import type { Mailbox, OwnerType } from "../mailbox.js";
import type { SyncedFolder } from "./synced-folder.js";

export const maxTrackedFoldersPerMailbox = 25;

/** A folder as the hierarchy shows it. */
export interface FolderNode {
  id: string;
  displayName: string;
  parentFolderId: string;
}

/** One folder on the way from the Inbox down to a tracked folder. */
export interface FolderStep {
  id: string;
  displayName: string;
}

export interface TrackedFolder {
  mailboxId: string;
  /** The Graph folder id (stable across renames and moves). */
  folderId: string;
  regarding: RegardingRecord;
  /** The Inbox first, the folder itself last: what the path shows and what a hierarchy change is checked against. */
  ancestry: FolderStep[];
  createdAt: string;
  updatedAt: string;
}

export function folderDisplayName(folder: Pick<TrackedFolder, "ancestry">): string {
  return folder.ancestry.at(-1)?.displayName ?? "";
}

/** The names from the Inbox down, e.g. ["Inbox", "Customers", "Contoso"] (a name may hold "/"). */
export function folderPath(folder: Pick<TrackedFolder, "ancestry">): string[] {
  return folder.ancestry.map((step) => step.displayName);
}

export function trackedSyncedFolder(folder: TrackedFolder): SyncedFolder {
  return { kind: "tracked", key: folder.folderId, regarding: folder.regarding };
}

/** The record mail in the folder is regarding: a tracked folder's; none for the Inbox and Sent Items. */
export function folderRegarding(folder: SyncedFolder): RegardingRecord | undefined {
  return folder.kind === "tracked" ? folder.regarding : undefined;
}

/** Graph folder ids may hold characters Table Storage keys may not: stored keys use a hash. */
export function folderIdKey(folderId: string): string {
  return createHash("sha256").update(folderId).digest("base64url");
}

/** Where a tracked folder's message delta cursor is stored (the Inbox and Sent Items keep their names). */
export function cursorKeyOf(folder: SyncedFolder): string {
  return folder.kind === "tracked" ? `folder|${folderIdKey(folder.key)}` : folder.key;
}

/** Why folder-level tracking is refused for a mailbox, if it is. */
export function folderTrackingRefusal(ownerType: OwnerType): string | undefined {
  return ownerType === "queue" ? "it belongs to a queue: folder-level tracking is for users' mailboxes only, as in Dynamics 365" : undefined;
}

export type FolderPlacement =
  | { kind: "underInbox"; ancestry: FolderStep[] }
  | { kind: "inbox" }
  | { kind: "notUnderInbox" }
  | { kind: "gone" };

/**
 * Where a folder sits, from its chain read upward: `chain[0]` is the folder, each next entry the
 * previous one's parent, up to a folder whose parent is the Inbox or until the chain ran out (the
 * top of the mailbox, or a parent that no longer exists). An empty chain: the folder is gone.
 */
export function placeFolder(chain: FolderNode[], inbox: FolderStep): FolderPlacement {
  if (chain.length === 0) return { kind: "gone" };
  if (chain[0]!.id === inbox.id) return { kind: "inbox" };
  const top = chain.findIndex((node) => node.parentFolderId === inbox.id);
  if (top < 0) return { kind: "notUnderInbox" };
  const below = chain.slice(0, top + 1).reverse().map(({ id, displayName }) => ({ id, displayName }));
  return { kind: "underInbox", ancestry: [inbox, ...below] };
}

/** A folder the hierarchy delta reported: changed (as it is now) or removed. */
export type HierarchyChange = FolderNode | { id: string; removed: true };

/**
 * Whether a reported change concerns the mapping: the folder itself or a folder above it (below
 * the Inbox) was removed, renamed or given another parent. A folder reported with the same name
 * and parent (e.g. only its item counts changed) concerns nobody.
 */
export function concernsMapping(folder: Pick<TrackedFolder, "ancestry">, changes: ReadonlyMap<string, HierarchyChange>): boolean {
  return folder.ancestry.some((step, index) => {
    if (index === 0) return false;
    const change = changes.get(step.id);
    if (!change) return false;
    if ("removed" in change) return true;
    return change.displayName !== step.displayName || change.parentFolderId !== folder.ancestry[index - 1]!.id;
  });
}

export type MappingFollow =
  | { action: "keep" }
  | { action: "update"; ancestry: FolderStep[] }
  | { action: "drop"; reason: "deleted" | "movedOutOfInbox" };

/** What a mapping does after its folder was placed again. */
export function followMapping(folder: Pick<TrackedFolder, "ancestry">, placement: FolderPlacement): MappingFollow {
  switch (placement.kind) {
    case "gone":
      return { action: "drop", reason: "deleted" };
    case "inbox":
    case "notUnderInbox":
      return { action: "drop", reason: "movedOutOfInbox" };
    case "underInbox": {
      const same = placement.ancestry.length === folder.ancestry.length && placement.ancestry.every((step, i) => step.id === folder.ancestry[i]!.id && step.displayName === folder.ancestry[i]!.displayName);
      return same ? { action: "keep" } : { action: "update", ancestry: placement.ancestry };
    }
  }
}

/**
 * Whether this cycle must read the mailbox's folder mappings. The mailbox row says whether it maps
 * any (Mailbox.tracksFolders), so an idle cycle of a mailbox that maps none costs no query. The
 * flag is set true by the API after a mapping is stored, and set false only by a cycle that read
 * no mapping, in its outcome write conditional on the mailbox ETag it read before that list (never
 * on a retry, cycle-outcome.ts): a mapping stored after the list sets the flag after it, so the
 * flag's write moves the ETag and the cycle's false is refused. Never false while a mapping exists.
 * A replace of the whole row leaves it unknown (storage/mailbox-repository.ts): read, then stored.
 */
export const mayTrackFolders = (mailbox: Mailbox): boolean => mailbox.tracksFolders !== false && !folderTrackingRefusal(mailbox.ownerType);

/** What a cycle that read the mappings stores in the mailbox row (empty when the row says so already). */
export function tracksFoldersPatch(mailbox: Mailbox, mapped: number): { tracksFolders?: boolean } {
  const tracks = mapped > 0;
  return mailbox.tracksFolders === tracks ? {} : { tracksFolders: tracks };
}
