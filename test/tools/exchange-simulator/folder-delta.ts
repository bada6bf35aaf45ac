/**
 * The folder hierarchy delta (`GET /users/{u}/mailFolders/delta`): every mail folder of the mailbox,
 * flat, at any depth (unlike `GET /mailFolders`, which lists the top level only), then in later
 * rounds the folders created, renamed or moved since — a moved folder only, not the folders under
 * it, whose parent did not change — and `{"id", "@removed": {"reason": "deleted"}}` for folders
 * deleted for good. A delete that moves a folder into Deleted Items is a move.
 *
 * Decision: changes of a folder's item counts are not reported (whether Exchange reports them is
 * not documented; a client must cope with folders that come back unchanged either way).
 * Tokens work as for message delta: a nextLink can be re-requested, a deltaLink reused, an evicted
 * or unknown token answers 410 SyncStateNotFound.
 */
import { randomBytes } from "node:crypto";
import { GraphError } from "./graph-error.js";
import { renderFolder } from "./graph-json.js";
import type { Mailbox } from "./mailbox-model.js";
import type { MailboxStore } from "./mailbox-store.js";

type Item = Record<string, unknown>;

interface RoundState {
  kind: "deltatoken";
  mailboxId: string;
  select?: string[];
  pageSize: number;
  watermark: number;
  evicted: boolean;
}

interface PageState {
  kind: "skiptoken";
  mailboxId: string;
  pages: Item[][];
  pageIndex: number;
  skipTokens: string[];
  deltaToken: string;
  evicted: boolean;
}

export interface FolderDeltaPage {
  items: Item[];
  nextToken?: string;
  deltaToken?: string;
}

export class FolderDeltaEngine {
  private readonly states = new Map<string, RoundState | PageState>();

  constructor(private readonly store: MailboxStore) {}

  start(mailbox: Mailbox, select: string[] | undefined, pageSize: number): FolderDeltaPage {
    return this.round(mailbox, select, pageSize, null);
  }

  follow(mailbox: Mailbox, kind: "skiptoken" | "deltatoken", token: string, pageSize: number | undefined): FolderDeltaPage {
    const state = this.states.get(token);
    if (!state || state.evicted || state.kind !== kind || state.mailboxId !== mailbox.id) {
      throw new GraphError(410, "SyncStateNotFound", `The sync state '${token.slice(0, 12)}…' was not found. It may have expired or been reset; restart synchronization without a state token.`);
    }
    if (state.kind === "deltatoken") return this.round(mailbox, state.select, pageSize ?? state.pageSize, state.watermark);
    return page(state.pages, state.pageIndex, state.skipTokens, state.deltaToken);
  }

  evict(mailboxId?: string): void {
    for (const state of this.states.values()) if (!mailboxId || state.mailboxId === mailboxId) state.evicted = true;
  }

  reset(): void {
    this.states.clear();
  }

  private round(mailbox: Mailbox, select: string[] | undefined, pageSize: number, watermark: number | null): FolderDeltaPage {
    const items: Item[] = [];
    for (const folder of mailbox.folders.values()) {
      if (folder.id === mailbox.rootFolderId) continue;
      if (watermark !== null && folder.changeSeq <= watermark) continue;
      const json = renderFolder(this.store, mailbox, folder);
      items.push(select ? Object.fromEntries(Object.entries(json).filter(([key]) => key === "id" || select.includes(key))) : json);
    }
    if (watermark !== null) {
      for (const departure of mailbox.folderDepartures) {
        if (departure.seq > watermark && !mailbox.folders.has(departure.folderId)) items.push({ id: departure.folderId, "@removed": { reason: "deleted" } });
      }
    }
    const pages: Item[][] = [];
    for (let i = 0; i < items.length; i += pageSize) pages.push(items.slice(i, i + pageSize));
    if (pages.length === 0) pages.push([]);
    const deltaToken = this.issue({ kind: "deltatoken", mailboxId: mailbox.id, select, pageSize, watermark: mailbox.changeSeq, evicted: false });
    const skipTokens: string[] = [];
    for (let pageIndex = 1; pageIndex < pages.length; pageIndex++) {
      skipTokens.push(this.issue({ kind: "skiptoken", mailboxId: mailbox.id, pages, pageIndex, skipTokens, deltaToken, evicted: false }));
    }
    return page(pages, 0, skipTokens, deltaToken);
  }

  private issue(state: RoundState | PageState): string {
    const token = randomBytes(24).toString("base64url");
    this.states.set(token, state);
    return token;
  }
}

function page(pages: Item[][], pageIndex: number, skipTokens: string[], deltaToken: string): FolderDeltaPage {
  const last = pageIndex === pages.length - 1;
  return { items: pages[pageIndex]!, ...(last ? { deltaToken } : { nextToken: skipTokens[pageIndex]! }) };
}
