/**
 * Folder-level tracking per mailbox: list, map (PUT: idempotent; a new record for a mapped
 * folder replaces the old), unmap. A folder is checked against Exchange when it is mapped: it must
 * exist and be under the Inbox (at any depth, not the Inbox itself); at most 25 per mailbox; not
 * for a queue's mailbox — each refusal a 400 that says why. Names and paths shown are Exchange's,
 * read when mapped and kept current by the incoming cycle.
 */
import { z } from "zod";
import type { Mailbox } from "../domain/mailbox.js";
import {
  cursorKeyOf, folderDisplayName, folderPath, folderTrackingRefusal, maxTrackedFoldersPerMailbox, trackedSyncedFolder, type TrackedFolder,
} from "../domain/tracking/tracked-folders.js";
import type { Runtime } from "../runtime.js";
import { TrackedFolderLimitReached } from "../storage/tracked-folder-repository.js";
import { locateFolder, readFolderRoots } from "../sync/incoming/folder-placement.js";
import { idParam } from "./admin-schemas.js";
import { askingExchange } from "./exchange-failure.js";
import { ApiError, notFound, parseOrThrow, routeParam } from "./http-responses.js";
import { text } from "./text-fields.js";
import { regardingBody } from "./regarding-schema.js";

/** Graph ids are base64 (either alphabet); a '/' arrives percent-encoded in the route. */
export const graphIdParam = text().regex(/^[A-Za-z0-9+/=_-]{1,512}$/, "must be a Graph id");
const putBody = z.object({ regarding: regardingBody }).strict();

export function trackedFolderView(folder: TrackedFolder) {
  return {
    folderId: folder.folderId,
    displayName: folderDisplayName(folder),
    path: folderPath(folder),
    regarding: folder.regarding,
    createdAt: folder.createdAt,
    updatedAt: folder.updatedAt,
  };
}

export async function requireMailbox(runtime: Runtime, id: string): Promise<Mailbox> {
  const mailboxId = routeParam(idParam, id, "id");
  const stored = await runtime.mailboxes.get(mailboxId);
  if (!stored) throw notFound("Mailbox", mailboxId);
  return stored.mailbox;
}

function badFolder(folderId: string, why: string): ApiError {
  return new ApiError(400, "BadRequest", `Invalid route parameter 'folderId': folder '${folderId}' ${why}.`, "folderId");
}

export async function listTrackedFolders(runtime: Runtime, id: string) {
  const mailbox = await requireMailbox(runtime, id);
  const { folders } = await runtime.trackedFolders.list(mailbox.id);
  return { items: folders.map(trackedFolderView), continuationToken: null };
}

export async function putTrackedFolder(runtime: Runtime, id: string, folderIdValue: string, body: unknown): Promise<{ created: boolean; folder: ReturnType<typeof trackedFolderView> }> {
  const mailbox = await requireMailbox(runtime, id);
  const folderId = routeParam(graphIdParam, folderIdValue, "folderId");
  const { regarding } = parseOrThrow(putBody, body, "body");
  const refusal = folderTrackingRefusal(mailbox.ownerType);
  if (refusal) throw new ApiError(400, "BadRequest", `Mailbox '${mailbox.id}' cannot track folders: ${refusal}.`, "id");
  const profile = await runtime.profiles.get(mailbox.profileId);
  if (!profile) throw new ApiError(409, "Conflict", `Mailbox '${mailbox.id}' has no email server profile to reach Exchange with.`);
  const graph = runtime.graphFor(profile);
  const userKey = mailbox.exchangeUserId ?? mailbox.emailAddress;
  const { roots, placement } = await askingExchange(async () => {
    const roots = await readFolderRoots(graph, userKey);
    return { roots, placement: await locateFolder(graph, userKey, folderId, roots) };
  });
  if (placement.kind === "gone") throw badFolder(folderId, "does not exist in the mailbox");
  if (placement.kind === "inbox") throw badFolder(folderId, "is the Inbox itself; map a folder under it (mail in the Inbox follows the owner's track option)");
  if (placement.kind === "notUnderInbox") throw badFolder(folderId, "is not under the Inbox; only folders under the Inbox can be tracked, as in Dynamics 365");
  const at = new Date(runtime.now()).toISOString();
  // The id as Exchange spells it, so the cycle's delta and the stored mapping agree.
  const canonicalId = placement.ancestry.at(-1)!.id;
  try {
    const saved = await runtime.trackedFolders.put({ mailboxId: mailbox.id, folderId: canonicalId, regarding, ancestry: placement.ancestry, createdAt: at, updatedAt: at }, roots);
    // After the mapping is stored, never before: see domain/tracking/tracked-folders.ts mayTrackFolders for why the order matters.
    // The stamp cleared: a cursor of this folder from an earlier mapping held in a worker's memory is not used.
    await runtime.mailboxes.patch(mailbox.id, { tracksFolders: true, incomingCursorsStamp: "" });
    return { created: saved.created, folder: trackedFolderView(saved.folder) };
  } catch (error) {
    if (error instanceof TrackedFolderLimitReached) {
      throw badFolder(folderId, `cannot be tracked: mailbox '${mailbox.id}' already tracks ${maxTrackedFoldersPerMailbox} folders, the most one mailbox may (as in Dynamics 365); remove one first`);
    }
    throw error;
  }
}

export async function deleteTrackedFolder(runtime: Runtime, id: string, folderIdValue: string): Promise<void> {
  const mailbox = await requireMailbox(runtime, id);
  const folderId = routeParam(graphIdParam, folderIdValue, "folderId");
  const { removed } = await runtime.trackedFolders.remove(mailbox.id, folderId);
  if (!removed) throw notFound("Tracked folder", folderId);
  // Its delta is read no more; mail tracked from it stays tracked, with its regarding record.
  await runtime.cursors.remove(mailbox.id, "incoming", cursorKeyOf(trackedSyncedFolder(removed)));
  await runtime.mailboxes.patch(mailbox.id, { incomingCursorsStamp: "" });
}
