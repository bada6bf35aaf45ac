/**
 * Message delta (`/mailFolders/{f}/messages/delta`) with server-side sync state.
 *
 * A round is computed completely when it starts (initial request or a deltaLink): the messages of
 * the folder changed after the round's watermark (every message on the first round) plus the
 * messages that left the folder since, rendered with the query of the first request. Its pages are
 * kept, so re-requesting a nextLink returns the same page and retries are safe. The deltaLink
 * carries the change sequence at the round's start: anything changed while the client was paging
 * shows up in the next round, nothing is lost. Re-using an old deltaLink is allowed, as in Graph.
 *
 * Removed items are always reported with reason "deleted" (moves out, soft and hard deletes alike):
 * Exchange's message delta does not give the client a reliable way to tell them apart either.
 * Tokens that were never issued answer 410 like evicted ones, which is what a client sees when the
 * service lost its sync state (and what it sees after the simulator restarts).
 */
import { randomBytes } from "node:crypto";
import { GraphError } from "./graph-error.js";
import { renderMessage, type MessageRenderOptions } from "./graph-json.js";
import { matchesReceivedFilter, type ReceivedDateTimeFilter } from "./odata-query.js";
import type { Mailbox } from "./mailbox-model.js";
import type { MailboxStore } from "./mailbox-store.js";

export interface DeltaQuery extends MessageRenderOptions {
  filter?: ReceivedDateTimeFilter;
}

export interface DeltaPage {
  mailboxId: string;
  folderId: string;
  items: Array<Record<string, unknown>>;
  nextToken?: string;
  deltaToken?: string;
}

interface DeltaLinkState {
  kind: "deltatoken";
  mailboxId: string;
  folderId: string;
  query: DeltaQuery;
  pageSize: number;
  watermark: number;
  evicted: boolean;
}

interface SkipState {
  kind: "skiptoken";
  mailboxId: string;
  folderId: string;
  pages: Array<Array<Record<string, unknown>>>;
  pageIndex: number;
  skipTokens: string[];
  deltaToken: string;
  evicted: boolean;
}

export class DeltaEngine {
  private readonly states = new Map<string, DeltaLinkState | SkipState>();
  private readonly repeating = new Set<string>();

  constructor(private readonly store: MailboxStore) {}

  /** First request of a sync: every message in the folder that matches the filter. */
  start(mailbox: Mailbox, folderId: string, query: DeltaQuery, pageSize: number): DeltaPage {
    return this.runRound(mailbox, folderId, query, pageSize, null);
  }

  /** A request carrying `$skiptoken` or `$deltatoken`; query options come from the sync state. */
  follow(
    mailbox: Mailbox,
    folderId: string,
    kind: "skiptoken" | "deltatoken",
    token: string,
    pageSize: number | undefined,
  ): DeltaPage {
    const state = this.states.get(token);
    if (!state || state.evicted || state.kind !== kind || state.mailboxId !== mailbox.id || state.folderId !== folderId) {
      throw new GraphError(
        410,
        "SyncStateNotFound",
        `The sync state '${token.slice(0, 12)}…' was not found. It may have expired or been reset; ` +
          "restart synchronization without a state token.",
      );
    }
    if (state.kind === "deltatoken") {
      return this.runRound(mailbox, folderId, state.query, pageSize ?? state.pageSize, state.watermark);
    }
    return this.page(state.mailboxId, state.folderId, state.pages, state.pageIndex, state.skipTokens, state.deltaToken);
  }

  /** Every outstanding token of the mailbox (or of all mailboxes) answers 410 from now on. */
  evict(mailboxId?: string): void {
    for (const state of this.states.values()) {
      if (!mailboxId || state.mailboxId === mailboxId) state.evicted = true;
    }
  }

  isRepeating(mailboxId: string): boolean {
    return this.repeating.has(mailboxId);
  }

  setRepeat(mailboxId: string, on: boolean): void {
    if (on) this.repeating.add(mailboxId);
    else this.repeating.delete(mailboxId);
  }

  reset(): void {
    this.states.clear();
    this.repeating.clear();
  }

  private runRound(
    mailbox: Mailbox,
    folderId: string,
    query: DeltaQuery,
    pageSize: number,
    watermark: number | null,
  ): DeltaPage {
    const roundWatermark = mailbox.changeSeq;
    const changed = this.store
      .messagesIn(mailbox, folderId)
      .filter((m) => (watermark === null || m.changeSeq > watermark) && matchesReceivedFilter(query.filter, m.receivedAt));
    const items: Array<Record<string, unknown>> = changed.map((m) => ({
      "@odata.type": "#microsoft.graph.message",
      ...renderMessage(m, query),
    }));
    if (watermark !== null) {
      const reported = new Set<string>();
      for (const departure of mailbox.departures) {
        if (departure.seq <= watermark || departure.folderId !== folderId || reported.has(departure.messageId)) continue;
        if (mailbox.messages.get(departure.messageId)?.folderId === folderId) continue; // came back: reported as changed
        if (!matchesReceivedFilter(query.filter, departure.receivedAt)) continue;
        reported.add(departure.messageId);
        items.push({ "@odata.type": "#microsoft.graph.message", id: departure.messageId, "@removed": { reason: "deleted" } });
      }
    }
    let pages: Array<Array<Record<string, unknown>>> = [];
    for (let i = 0; i < items.length; i += pageSize) pages.push(items.slice(i, i + pageSize));
    if (pages.length === 0) pages.push([]);
    if (this.repeating.has(mailbox.id)) {
      // Each page also carries the previous page's items (the first page its own twice), shuffled.
      pages = pages.map((page, i) => shuffle([...page, ...(i === 0 ? page : pages[i - 1]!)]));
    }
    const deltaToken = this.issue({
      kind: "deltatoken",
      mailboxId: mailbox.id,
      folderId,
      query,
      pageSize,
      watermark: roundWatermark,
      evicted: false,
    });
    const skipTokens: string[] = [];
    for (let pageIndex = 1; pageIndex < pages.length; pageIndex++) {
      skipTokens.push(
        this.issue({ kind: "skiptoken", mailboxId: mailbox.id, folderId, pages, pageIndex, skipTokens, deltaToken, evicted: false }),
      );
    }
    return this.page(mailbox.id, folderId, pages, 0, skipTokens, deltaToken);
  }

  private page(
    mailboxId: string,
    folderId: string,
    pages: Array<Array<Record<string, unknown>>>,
    pageIndex: number,
    skipTokens: string[],
    deltaToken: string,
  ): DeltaPage {
    const last = pageIndex === pages.length - 1;
    return {
      mailboxId,
      folderId,
      items: pages[pageIndex]!,
      // skipTokens[i] opens page i + 1.
      ...(last ? { deltaToken } : { nextToken: skipTokens[pageIndex]! }),
    };
  }

  private issue(state: DeltaLinkState | SkipState): string {
    const token = randomBytes(24).toString("base64url");
    this.states.set(token, state);
    return token;
  }
}

export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
