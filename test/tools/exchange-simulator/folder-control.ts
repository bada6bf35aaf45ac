/**
 * Control methods for the "user changed it in Outlook" side of the folder hierarchy: create, rename,
 * move and delete folders. They go through the same store operations as the Graph endpoints, so the
 * folder hierarchy delta reports them exactly like changes made through Graph.
 */
import { deleteFolder, moveFolder, renameFolder } from "./folder-store.js";
import type { MailboxStore } from "./mailbox-store.js";

export interface FolderControlMethods {
  /** A folder under `parentFolder` (well-known name or id), e.g. a customer's folder under the Inbox. */
  createFolder(mailbox: string, parentFolder: string, displayName: string): { id: string };
  /** The folder of that name under `parentFolder`, created if there is none (a restarted demo finds its own). */
  ensureFolder(mailbox: string, parentFolder: string, displayName: string): { id: string };
  renameFolder(mailbox: string, folderId: string, displayName: string): void;
  /** Moves the folder (with its subfolders and messages) under `destinationFolder`; its id stays. */
  moveFolder(mailbox: string, folderId: string, destinationFolder: string): void;
  /** Into Deleted Items, or for good with `hard` (or when already under Deleted Items). */
  deleteFolder(mailbox: string, folderId: string, options?: { hard?: boolean }): void;
}

export const folderControlMethodNames = ["createFolder", "ensureFolder", "renameFolder", "moveFolder", "deleteFolder"] as const satisfies ReadonlyArray<keyof FolderControlMethods>;

export function createFolderControl(store: MailboxStore): FolderControlMethods {
  return {
    createFolder: (mailbox, parentFolder, displayName) => {
      const box = store.require(mailbox);
      return { id: store.createChildFolder(box, store.folder(box, parentFolder).id, displayName).id };
    },
    ensureFolder: (mailbox, parentFolder, displayName) => {
      const box = store.require(mailbox);
      const parentId = store.folder(box, parentFolder).id;
      const found = store.childFolders(box, parentId).find((f) => f.displayName.toLowerCase() === displayName.toLowerCase());
      return { id: (found ?? store.createChildFolder(box, parentId, displayName)).id };
    },
    renameFolder: (mailbox, folderId, displayName) => {
      renameFolder(store, store.require(mailbox), folderId, displayName);
    },
    moveFolder: (mailbox, folderId, destinationFolder) => {
      moveFolder(store, store.require(mailbox), folderId, destinationFolder);
    },
    deleteFolder: (mailbox, folderId, options) => deleteFolder(store, store.require(mailbox), folderId, options),
  };
}
