/**
 * Where a folder sits in a mailbox, read from Graph: its chain of parents, walked upward one
 * `GET /mailFolders/{id}` at a time until the Inbox or the top of the mailbox. Folders the caller
 * already knows (from a hierarchy delta page, or a mapping's stored ancestry) cost no request.
 */
import { placeFolder, type FolderNode, type FolderPlacement, type HierarchyChange } from "../../domain/tracking/tracked-folders.js";
import type { GraphCallCounter, GraphConnection } from "../../graph/graph-connection.js";
import { GraphRequestError } from "../../graph/graph-errors.js";
import type { MailboxFolderRoots } from "../../storage/tracked-folder-repository.js";

/** What folder-level tracking reads of a folder (checked against Graph's metadata by the contract test). */
export const folderSelect = ["id", "displayName", "parentFolderId"] as const;

/** Deeper than any folder tree a person keeps; a bound against a cycle in what Graph answers. */
const maxFolderDepth = 64;

interface GraphFolder {
  id: string;
  displayName?: string;
  parentFolderId?: string;
}

const userPath = (userKey: string) => `/users/${encodeURIComponent(userKey)}`;

/** The Inbox (its id and name, e.g. "Posteingang") and the top of the mailbox above it: one request. */
export async function readFolderRoots(graph: GraphConnection, userKey: string, counter?: GraphCallCounter): Promise<MailboxFolderRoots> {
  const inbox = await graph.get<GraphFolder>(`${userPath(userKey)}/mailFolders/inbox?$select=${folderSelect.join(",")}`, {}, counter);
  return { inbox: { id: inbox.id, displayName: inbox.displayName ?? "Inbox" }, topId: inbox.parentFolderId ?? "" };
}

/** One folder, or undefined when it does not exist (404, or an id Exchange cannot read). */
async function readFolder(graph: GraphConnection, userKey: string, folderId: string, counter?: GraphCallCounter): Promise<FolderNode | undefined> {
  try {
    const folder = await graph.get<GraphFolder>(`${userPath(userKey)}/mailFolders/${encodeURIComponent(folderId)}?$select=${folderSelect.join(",")}`, {}, counter);
    return { id: folder.id, displayName: folder.displayName ?? "", parentFolderId: folder.parentFolderId ?? "" };
  } catch (error) {
    if (error instanceof GraphRequestError && (error.status === 404 || (error.status === 400 && /ErrorInvalidIdMalformed/i.test(error.code)))) return undefined;
    throw error;
  }
}

export async function locateFolder(
  graph: GraphConnection,
  userKey: string,
  folderId: string,
  roots: MailboxFolderRoots,
  known: ReadonlyMap<string, HierarchyChange> = new Map(),
  counter?: GraphCallCounter,
): Promise<FolderPlacement> {
  const chain: FolderNode[] = [];
  let id = folderId;
  for (let depth = 0; depth < maxFolderDepth && id && id !== roots.topId; depth++) {
    const seen = known.get(id);
    const node = seen ? ("removed" in seen ? undefined : seen) : await readFolder(graph, userKey, id, counter);
    // The folder itself gone: deleted; a parent gone: the chain ends outside the Inbox.
    if (!node) break;
    chain.push(node);
    if (node.id === roots.inbox.id || node.parentFolderId === roots.inbox.id) break;
    id = node.parentFolderId;
  }
  return placeFolder(chain, roots.inbox);
}
