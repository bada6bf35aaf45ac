/**
 * Delta for calendar views, contact folders and To Do lists, with server-side sync state like the
 * message delta (delta-engine.ts): opaque tokens, rounds computed when they start and kept page by
 * page (a nextLink can be re-requested), reusable deltaLinks, 410 SyncStateNotFound for unknown or
 * evicted tokens, and repeatDeltaItems.
 *
 * Unlike messages, these collections are compared as snapshots: a deltaLink remembers the version
 * (change key) of every item the client has been given, and the next round reports what is new or
 * different and, as `@removed`, what is gone. That is what a calendar view needs: editing a series
 * changes all its occurrences, and an event moved out of the window is gone from the view. Graph
 * also reports, as `@removed`, events outside the window that changed since the last round
 * ("Filter the events under @removed for the date range that your scenario requires"); a source
 * can name those through `outsideChanges`.
 *
 * `partialUpdates(mailbox, true)`: a later round sends an item the client already had with only
 * its id and the properties that changed, as delta answers may (the docs' calendarView delta
 * samples show events without start and end).
 */
import { randomBytes } from "node:crypto";
import { shuffle } from "./delta-engine.js";
import { GraphError } from "./graph-error.js";

export interface PimDeltaItem {
  id: string;
  version: string;
  json: Record<string, unknown>;
}

export interface PimDeltaSource {
  mailboxId: string;
  /** Names the collection; a token only works on the collection that issued it. */
  collection: string;
  /** "event", "contact" or "todoTask": the type named in `@odata.type`. */
  typeName: string;
  /** Whether every item carries "@odata.type" (Graph's event and contact deltas do; its To Do sample does not). */
  annotateItems: boolean;
  /** The collection now, rendered with the first request's query options. */
  items(): PimDeltaItem[];
  /** The mailbox's change sequence now. */
  sequence(): number;
  /** Ids changed or deleted after `since` that are not in the collection. */
  outsideChanges?(since: number): string[];
}

export interface PimDeltaPage {
  items: Array<Record<string, unknown>>;
  nextToken?: string;
  deltaToken?: string;
}

interface LinkState {
  kind: "deltatoken";
  source: PimDeltaSource;
  /** Every item the client has been given, as it was given (by id). */
  snapshot: Map<string, PimDeltaItem>;
  sequence: number;
  pageSize: number;
  evicted: boolean;
}

interface PageState {
  kind: "skiptoken";
  source: PimDeltaSource;
  pages: Array<Array<Record<string, unknown>>>;
  pageIndex: number;
  skipTokens: string[];
  deltaToken: string;
  evicted: boolean;
}

export class PimDeltaEngine {
  private readonly states = new Map<string, LinkState | PageState>();
  private readonly partial = new Set<string>();

  /** `repeating` tells whether repeatDeltaItems is on for a mailbox (kept by the message delta engine). */
  constructor(private readonly repeating: (mailboxId: string) => boolean) {}

  start(source: PimDeltaSource, pageSize: number): PimDeltaPage {
    return this.round(source, null, 0, pageSize);
  }

  follow(mailboxId: string, collection: string, kind: "skiptoken" | "deltatoken", token: string, pageSize?: number): PimDeltaPage {
    const state = this.states.get(token);
    if (!state || state.evicted || state.kind !== kind || state.source.mailboxId !== mailboxId || state.source.collection !== collection) {
      throw new GraphError(
        410,
        "SyncStateNotFound",
        `The sync state '${token.slice(0, 12)}…' was not found. It may have expired or been reset; ` +
          "restart synchronization without a state token.",
      );
    }
    if (state.kind === "deltatoken") return this.round(state.source, state.snapshot, state.sequence, pageSize ?? state.pageSize);
    return page(state.pages, state.pageIndex, state.skipTokens, state.deltaToken);
  }

  /** Whether later rounds send changed items with only their changed properties. */
  setPartialUpdates(mailboxId: string, on: boolean): void {
    if (on) this.partial.add(mailboxId);
    else this.partial.delete(mailboxId);
  }

  evict(mailboxId?: string): void {
    for (const state of this.states.values()) {
      if (!mailboxId || state.source.mailboxId === mailboxId) state.evicted = true;
    }
  }

  reset(): void {
    this.states.clear();
    this.partial.clear();
  }

  private round(source: PimDeltaSource, previous: Map<string, PimDeltaItem> | null, since: number, pageSize: number): PimDeltaPage {
    const sequence = source.sequence();
    const current = source.items();
    const snapshot = new Map(current.map((item) => [item.id, item]));
    const typed = (json: Record<string, unknown>) =>
      source.annotateItems ? { "@odata.type": `#microsoft.graph.${source.typeName}`, ...json } : json;
    const removed = (id: string) => ({ "@odata.type": `#microsoft.graph.${source.typeName}`, id, "@removed": { reason: "deleted" } });
    const partial = this.partial.has(source.mailboxId);
    const items = current
      .filter((item) => previous?.get(item.id)?.version !== item.version)
      .map((item) => {
        const before = previous?.get(item.id)?.json;
        return typed(partial && before ? changedProperties(before, item.json) : item.json);
      });
    if (previous) {
      const gone = [...previous.keys()].filter((id) => !snapshot.has(id));
      const outside = (source.outsideChanges?.(since) ?? []).filter((id) => !snapshot.has(id) && !previous.has(id));
      for (const id of new Set([...gone, ...outside])) items.push(removed(id));
    }
    let pages: Array<Array<Record<string, unknown>>> = [];
    for (let i = 0; i < items.length; i += pageSize) pages.push(items.slice(i, i + pageSize));
    if (pages.length === 0) pages.push([]);
    if (this.repeating(source.mailboxId)) {
      pages = pages.map((p, i) => shuffle([...p, ...(i === 0 ? p : pages[i - 1]!)]));
    }
    const deltaToken = this.issue({ kind: "deltatoken", source, snapshot, sequence, pageSize, evicted: false });
    const skipTokens: string[] = [];
    for (let pageIndex = 1; pageIndex < pages.length; pageIndex++) {
      skipTokens.push(this.issue({ kind: "skiptoken", source, pages, pageIndex, skipTokens, deltaToken, evicted: false }));
    }
    return page(pages, 0, skipTokens, deltaToken);
  }

  private issue(state: LinkState | PageState): string {
    const token = randomBytes(24).toString("base64url");
    this.states.set(token, state);
    return token;
  }
}

/** The id and every property whose value differs from what the client was given. */
function changedProperties(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const changed = Object.entries(after).filter(([name, value]) => JSON.stringify(before[name]) !== JSON.stringify(value));
  return { id: after.id, ...Object.fromEntries(changed) };
}

function page(pages: Array<Array<Record<string, unknown>>>, pageIndex: number, skipTokens: string[], deltaToken: string): PimDeltaPage {
  const last = pageIndex === pages.length - 1;
  // skipTokens[i] opens page i + 1.
  return { items: pages[pageIndex]!, ...(last ? { deltaToken } : { nextToken: skipTokens[pageIndex]! }) };
}
