/**
 * Tracked folders in Table Storage (`trackedfolders`), one partition per mailbox, read whole in one
 * query by each incoming cycle:
 *
 * - `mailbox`: how many folders the mailbox tracks, and its Inbox and top folder (where walking up
 *   a folder's parents stops). Every add and remove rewrites it with its ETag in the same
 *   transaction as the folder's row, so two requests racing for the 25th place cannot both win: the
 *   second one's transaction fails, it reads again and finds the 25 taken.
 * - `folder|<hash of the Graph folder id>`: one mapping (regarding record, the folders from the
 *   Inbox down to it).
 */
import type { TableClient, TransactionAction } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import { folderIdKey, maxTrackedFoldersPerMailbox, type FolderStep, type TrackedFolder } from "../domain/tracking/tracked-folders.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

const headerRow = "mailbox";
const folderPrefix = "folder|";
/** Writers on one mailbox's folders are people clicking: a few rounds settle any race. */
const maxAttempts = 20;

/** Where walking up from a folder ends: at the Inbox (under it) or at the top of the mailbox (not under it). */
export interface MailboxFolderRoots {
  inbox: FolderStep;
  topId: string;
}

export interface TrackedFolderSet {
  roots?: MailboxFolderRoots;
  folders: TrackedFolder[];
}

export class TrackedFolderLimitReached extends Error {
  constructor(readonly limit: number) {
    super(`The mailbox already tracks ${limit} folders.`);
    this.name = "TrackedFolderLimitReached";
  }
}

type Row = Record<string, unknown> & { rowKey?: string; etag?: string };

function toFolder(mailboxId: string, row: Row): TrackedFolder {
  return {
    mailboxId,
    folderId: String(row.folderId),
    regarding: { type: String(row.regardingType), id: String(row.regardingId) },
    ancestry: JSON.parse(String(row.ancestry)) as FolderStep[],
    createdAt: String(row.createdAt),
    updatedAt: String(row.updatedAt),
  };
}

function folderRow(folder: TrackedFolder) {
  return {
    partitionKey: folder.mailboxId,
    rowKey: folderPrefix + folderIdKey(folder.folderId),
    folderId: folder.folderId,
    regardingType: folder.regarding.type,
    regardingId: folder.regarding.id,
    ancestry: JSON.stringify(folder.ancestry),
    createdAt: folder.createdAt,
    updatedAt: folder.updatedAt,
  };
}

export class TrackedFolderRepository {
  private readonly table: TableClient;

  constructor(storage: StorageAccount) {
    this.table = storage.table(tableNames.trackedFolders);
  }

  /** The mailbox's tracked folders, oldest mapping first (one query). */
  async list(mailboxId: string): Promise<TrackedFolderSet> {
    return this.read(mailboxId).then(({ roots, folders }) => ({ roots, folders: folders.map((f) => f.folder) }));
  }

  /**
   * Maps a folder to a record, or gives a mapped folder a new record and ancestry (idempotent).
   * Throws TrackedFolderLimitReached when the mailbox tracks the most folders already.
   */
  async put(folder: TrackedFolder, roots: MailboxFolderRoots): Promise<{ folder: TrackedFolder; created: boolean }> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(folder.mailboxId);
      const existing = current.folders.find((f) => f.folder.folderId === folder.folderId);
      try {
        if (existing) {
          const updated = { ...folder, createdAt: existing.folder.createdAt };
          await this.table.updateEntity(folderRow(updated), "Replace", { etag: existing.etag });
          return { folder: updated, created: false };
        }
        if (current.count >= maxTrackedFoldersPerMailbox) throw new TrackedFolderLimitReached(maxTrackedFoldersPerMailbox);
        const header = { partitionKey: folder.mailboxId, rowKey: headerRow, count: current.count + 1, inboxId: roots.inbox.id, inboxName: roots.inbox.displayName, topId: roots.topId };
        const actions: TransactionAction[] = [
          current.headerEtag ? ["update", header, "Replace", { etag: current.headerEtag }] : ["create", header],
          ["create", folderRow(folder)],
        ];
        await this.table.submitTransaction(actions);
        return { folder, created: true };
      } catch (error) {
        // 404: the mapping was removed while its record was being replaced; add it again.
        if (!(isRace(error) || hasStatus(error, 404)) || attempt >= maxAttempts) throw error;
        await jitter(attempt);
      }
    }
  }

  /** The folder's new name or place (the regarding record is the mapping's own: left as it is). */
  async updateAncestry(mailboxId: string, folderId: string, ancestry: FolderStep[], at: string): Promise<void> {
    try {
      await this.table.updateEntity({ partitionKey: mailboxId, rowKey: folderPrefix + folderIdKey(folderId), ancestry: JSON.stringify(ancestry), updatedAt: at }, "Merge");
    } catch (error) {
      // Unmapped meanwhile: nothing to follow.
      if (!hasStatus(error, 404)) throw error;
    }
  }

  /** Removes a mapping; false when the folder was not mapped. */
  async remove(mailboxId: string, folderId: string): Promise<{ removed?: TrackedFolder }> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(mailboxId);
      const existing = current.folders.find((f) => f.folder.folderId === folderId);
      if (!existing || !current.headerEtag) return {};
      const header = { partitionKey: mailboxId, rowKey: headerRow, count: Math.max(0, current.count - 1) };
      try {
        await this.table.submitTransaction([
          ["update", header, "Merge", { etag: current.headerEtag }],
          // The header's ETag orders every add and remove; a delete in a transaction takes no ETag of its own.
          ["delete", { partitionKey: mailboxId, rowKey: folderRow(existing.folder).rowKey }],
        ]);
        return { removed: existing.folder };
      } catch (error) {
        if (!isRace(error) || attempt >= maxAttempts) throw error;
        await jitter(attempt);
      }
    }
  }

  /** Forgets every mapping of the mailbox (it now maps another Exchange mailbox, whose folders are others). */
  async clear(mailboxId: string): Promise<void> {
    const filter = `PartitionKey eq '${mailboxId.replace(/'/g, "''")}'`;
    for await (const row of this.table.listEntities<Row>({ queryOptions: { filter, select: ["RowKey"] } })) {
      try {
        await this.table.deleteEntity(mailboxId, String(row.rowKey));
      } catch (error) {
        if (!hasStatus(error, 404)) throw error;
      }
    }
  }

  private async read(mailboxId: string): Promise<{ count: number; headerEtag?: string; roots?: MailboxFolderRoots; folders: Array<{ folder: TrackedFolder; etag: string }> }> {
    const filter = `PartitionKey eq '${mailboxId.replace(/'/g, "''")}'`;
    let header: Row | undefined;
    const folders: Array<{ folder: TrackedFolder; etag: string }> = [];
    for await (const row of this.table.listEntities<Row>({ queryOptions: { filter } })) {
      if (row.rowKey === headerRow) header = row;
      else if (String(row.rowKey).startsWith(folderPrefix)) folders.push({ folder: toFolder(mailboxId, row), etag: String(row.etag) });
    }
    folders.sort((a, b) => a.folder.createdAt.localeCompare(b.folder.createdAt) || a.folder.folderId.localeCompare(b.folder.folderId));
    const roots = header?.inboxId ? { inbox: { id: String(header.inboxId), displayName: String(header.inboxName) }, topId: String(header.topId) } : undefined;
    return { count: Number(header?.count ?? 0), headerEtag: header?.etag, roots, folders };
  }
}

/** A transaction lost to another writer: 412 on an ETag, 409 on a create (the whole batch fails with it). */
function isRace(error: unknown): boolean {
  return hasStatus(error, 412) || hasStatus(error, 409);
}

function jitter(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
}
