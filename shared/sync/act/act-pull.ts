/**
 * Exchange → CRM for one record type: follow the type's delta and apply each item (act-apply.ts).
 * The cursor moves only after the page's records and links are saved.
 */
import type { ActRecordType } from "../../domain/act-records.js";
import { GraphRequestError, isSyncStateLost } from "../../graph/graph-errors.js";
import type { ActLinkState } from "../../storage/act-link-repository.js";
import type { CycleContext } from "../workload-runner.js";
import { calendarWindowFutureDays, calendarWindowPastDays, calendarWindowRestartDays, withStamp, type ActAdapter, type ActItem } from "./act-adapters.js";
import { applyItem, type PullResult, type PullState } from "./act-apply.js";

const day = 24 * 60 * 60 * 1000;

interface DeltaPage {
  value?: ActItem[];
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
}

export type { PullResult } from "./act-apply.js";

export async function pullChanges(context: CycleContext, adapter: ActAdapter<ActRecordType>, user: string, collection: string, { links, deletedInExchange }: ActLinkState): Promise<PullResult> {
  const { runtime, mailbox } = context;
  const result: PullResult = { changed: 0, conflicts: 0, skipped: 0, yielded: false };
  const stored = (await runtime.cursors.forMailbox(mailbox.id, "act")).get(adapter.type);
  let etag = stored?.etag;
  let cursor = stored?.cursor;
  const now = runtime.now();
  // The calendar window slides: restart its delta once the window has moved far enough.
  if (adapter.type === "appointment" && cursor?.filterFrom && now - calendarWindowPastDays * day - Date.parse(cursor.filterFrom) > calendarWindowRestartDays * day) {
    await runtime.cursors.remove(mailbox.id, "act", adapter.type);
    cursor = undefined;
    etag = undefined;
  }
  const windowStart = cursor?.filterFrom ?? new Date(now - calendarWindowPastDays * day).toISOString();
  const state: PullState = {
    adapter,
    collection,
    links,
    byExchangeId: new Map([...links.values()].map((l) => [l.exchangeId, l])),
    deletedInExchange,
    masters: new Map<string, ActItem>(),
    window: { from: windowStart, to: new Date(Date.parse(windowStart) + (calendarWindowPastDays + calendarWindowFutureDays) * day).toISOString() },
    result,
  };
  let link = cursor?.link ?? deltaStartWithStamp(adapter, collection, user, now);
  let advance = !cursor || cursor.kind === "next";
  for (let restarted = false; ; ) {
    try {
      for (;;) {
        const page = await context.graph.get<DeltaPage>(link, { pageSize: runtime.settings.graph.pageSize, utc: true }, context.counter);
        for (const raw of page.value ?? []) await applyItem(context, state, raw);
        // Any item reported moves the cursor, our own writes' echoes too: Exchange reports a
        // deletion only of items the sync state has seen, so a state kept from before a create
        // would never report that item's deletion.
        if ((page.value ?? []).length > 0) advance = true;
        const next = page["@odata.nextLink"];
        if (next) {
          link = next;
          if (runtime.now() - context.startedAt > runtime.settings.cycleMaxMs) {
            await runtime.cursors.save(mailbox.id, "act", adapter.type, { link, kind: "next", filterFrom: windowStart }, etag);
            result.yielded = true;
            return result;
          }
          continue;
        }
        if (advance && page["@odata.deltaLink"]) {
          await runtime.cursors.save(mailbox.id, "act", adapter.type, { link: page["@odata.deltaLink"], kind: "delta", filterFrom: windowStart }, etag);
        }
        return result;
      }
    } catch (error) {
      // A stored link whose collection is gone (404) is as lost as an expired sync state.
      const storedLinkGone = cursor !== undefined && error instanceof GraphRequestError && error.status === 404;
      if (!(isSyncStateLost(error) || storedLinkGone) || restarted) throw error;
      // Lost sync state: start the type's delta again, from the collection as it is now; links
      // make every item idempotent.
      restarted = true;
      await runtime.cursors.remove(mailbox.id, "act", adapter.type);
      etag = undefined;
      advance = true;
      link = deltaStartWithStamp(adapter, collection, user, runtime.now());
    }
  }
}

/** calendarView/delta takes no query options: its items' stamps are read one by one when needed. */
function deltaStartWithStamp(adapter: ActAdapter<ActRecordType>, collection: string, user: string, now: number): string {
  const start = adapter.deltaStart(collection, user, now);
  return adapter.type === "appointment" ? start : withStamp(adapter.type, start);
}
