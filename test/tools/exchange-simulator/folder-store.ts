/**
 * Changes to the folder hierarchy: rename, move, delete (to Deleted Items) and permanent delete.
 * Each stamps the folder with the mailbox's change sequence, so the folder hierarchy delta
 * (folder-delta.ts) reports it; a permanent delete records a departure for the folder and every
 * folder under it, and each message in them leaves its folder's message delta.
 *
 * Folder ids do not change on a move (as Exchange's folder ids), and a moved folder takes its
 * subfolders and messages with it: only the moved folder itself changes.
 */
import { GraphError } from "./graph-error.js";
import type { Mailbox, MailFolder } from "./mailbox-model.js";
import type { MailboxStore } from "./mailbox-store.js";

function touchFolder(mailbox: Mailbox, folder: MailFolder): void {
  folder.changeSeq = ++mailbox.changeSeq;
}

function refuseDistinguished(folder: MailFolder, action: string): void {
  if (folder.wellKnownName) throw new GraphError(403, "ErrorDeleteDistinguishedFolder", `Distinguished folders cannot be ${action}.`);
}

function refuseDuplicateName(store: MailboxStore, mailbox: Mailbox, parentId: string, displayName: string, except: string): void {
  if (store.childFolders(mailbox, parentId).some((f) => f.id !== except && f.displayName.toLowerCase() === displayName.toLowerCase())) {
    throw new GraphError(409, "ErrorFolderExists", "A folder with the specified name already exists.");
  }
}

/** The folder and every folder under it, the folder first. */
export function subtree(store: MailboxStore, mailbox: Mailbox, folderId: string): MailFolder[] {
  const root = store.folder(mailbox, folderId);
  const found = [root];
  for (let i = 0; i < found.length; i++) found.push(...store.childFolders(mailbox, found[i]!.id));
  return found;
}

export function renameFolder(store: MailboxStore, mailbox: Mailbox, folderId: string, displayName: string): MailFolder {
  const folder = store.folder(mailbox, folderId);
  if (displayName.trim() === "") throw new GraphError(400, "ErrorInvalidRequest", "The folder display name must be provided.");
  if (folder.displayName === displayName) return folder;
  refuseDuplicateName(store, mailbox, folder.parentFolderId, displayName, folder.id);
  folder.displayName = displayName;
  touchFolder(mailbox, folder);
  return folder;
}

export function moveFolder(store: MailboxStore, mailbox: Mailbox, folderId: string, destination: string): MailFolder {
  const folder = store.folder(mailbox, folderId);
  refuseDistinguished(folder, "moved");
  const target = store.folder(mailbox, destination);
  if (subtree(store, mailbox, folder.id).some((f) => f.id === target.id)) {
    throw new GraphError(400, "ErrorMoveCopyFailed", "The folder cannot be moved into itself or one of its subfolders.");
  }
  if (target.id === folder.parentFolderId) return folder;
  refuseDuplicateName(store, mailbox, target.id, folder.displayName, folder.id);
  folder.parentFolderId = target.id;
  touchFolder(mailbox, folder);
  return folder;
}

/** Like Outlook: a delete moves the folder into Deleted Items; one already there is deleted for good. */
export function deleteFolder(store: MailboxStore, mailbox: Mailbox, folderId: string, options: { hard?: boolean } = {}): void {
  const folder = store.folder(mailbox, folderId);
  refuseDistinguished(folder, "deleted");
  const deletedItems = store.folder(mailbox, "deleteditems");
  const underDeletedItems = isUnder(store, mailbox, folder, deletedItems.id);
  if (!options.hard && !underDeletedItems) {
    moveFolder(store, mailbox, folder.id, deletedItems.id);
    return;
  }
  const doomed = subtree(store, mailbox, folder.id);
  const ids = new Set(doomed.map((f) => f.id));
  for (const message of [...mailbox.messages.values()]) if (ids.has(message.folderId)) store.remove(mailbox, message.id);
  for (const gone of doomed) {
    mailbox.folderDepartures.push({ seq: ++mailbox.changeSeq, folderId: gone.id });
    mailbox.folders.delete(gone.id);
  }
}

function isUnder(store: MailboxStore, mailbox: Mailbox, folder: MailFolder, ancestorId: string): boolean {
  for (let parent = mailbox.folders.get(folder.parentFolderId); parent; parent = mailbox.folders.get(parent.parentFolderId)) {
    if (parent.id === ancestorId) return true;
  }
  return false;
}
