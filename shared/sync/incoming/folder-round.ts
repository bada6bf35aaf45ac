/**
 * One folder's delta round for the incoming workload: follow nextLinks to the deltaLink, hand each
 * message to the tracking step (tracking-step.ts: tracked or left alone), and move the cursor only
 * after the page's records are saved.
 *
 * - Items may repeat and arrive in any order: every write is an upsert keyed by the message.
 * - Updates may carry only changed fields: such an item is read whole unless already linked.
 * - A lost sync state (410, or syncStateNotFound and kin with any 4xx) restarts the folder's delta
 *   from the date the lost chain started with — not from the last round or Process Emails From,
 *   which would miss older mail moved into the folder since — and the upserts absorb what is seen
 *   again. The restart is a saved cursor, so it survives a failure before it completes.
 * - A round that found nothing keeps its old deltaLink: no table write for an idle folder.
 * - The next page is requested while the current one is written (its nextLink is known), so a
 *   page costs the longer of a Graph round trip and its writes, not their sum. The prefetched page
 *   is only held: the cursor still names the first page whose writes have not succeeded, and a
 *   failed write (or a yield) drops the prefetched page once its request has settled.
 */
import pLimit from "p-limit";
import type { GraphCallCounter, GraphConnection } from "../../graph/graph-connection.js";
import { isSyncStateLost } from "../../graph/graph-errors.js";
import { incomingMessageExpand, incomingMessageSelect, type GraphMessage } from "../../graph/message-fields.js";
import type { Mailbox } from "../../domain/mailbox.js";
import type { SyncedFolder } from "../../domain/tracking/synced-folder.js";
import { cursorKeyOf } from "../../domain/tracking/tracked-folders.js";
import type { CursorRepository, DeltaCursor, StoredCursor } from "../../storage/cursor-repository.js";
import type { EmailRepository } from "../../storage/email-repository.js";
import { GraphRequestError } from "../../graph/graph-errors.js";
import { recordSyncLatency } from "../../telemetry/telemetry.js";
import { isComplete, isoTime } from "./message-mapping.js";
import { trackMessage, type TrackingStepDeps } from "./tracking-step.js";

export interface FolderRoundDeps {
  graph: GraphConnection;
  emails: EmailRepository;
  cursors: CursorRepository;
  tracking: TrackingStepDeps;
  pageSize: number;
  now: () => number;
  /** Messages the owner untracked in this mailbox: a cycle does not track them again (only Track now does). */
  isUntracked?: (graphMessageId: string) => Promise<boolean>;
}

/** Shared by the folders of one cycle: the cycle yields when either bound is reached. */
export interface CycleBudget {
  deadline: number;
  maxItems: number;
  items: number;
}

export interface FolderTarget {
  mailboxId: string;
  /** The mailbox record: its owner's tracking options apply. */
  mailbox: Mailbox;
  /** The Exchange user id, or the address until the id is known. */
  userKey: string;
  /** Its cursor is stored under folder.key. */
  folder: SyncedFolder;
}

export interface FolderRoundResult {
  /** Messages that are (or already were) activities. */
  processed: number;
  /** Messages the owner's options leave alone. */
  untracked: number;
  removed: number;
  tooLarge: number;
  yielded: boolean;
  restarted: boolean;
  latestReceivedAt?: string;
}

const workload = "incoming";

function initialLink(target: FolderTarget, filterFrom: string | undefined): string {
  const query = [`$select=${incomingMessageSelect.join(",")}`, `$expand=${incomingMessageExpand}`];
  if (filterFrom) query.push(`$filter=receivedDateTime ge ${filterFrom}`);
  return `/users/${encodeURIComponent(target.userKey)}/mailFolders/${encodeURIComponent(target.folder.key)}/messages/delta?${query.join("&")}`;
}

interface DeltaPage {
  value?: GraphMessage[];
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
}

export async function syncFolder(
  deps: FolderRoundDeps,
  target: FolderTarget,
  stored: StoredCursor | undefined,
  startFrom: string | undefined,
  budget: CycleBudget,
  counter: GraphCallCounter,
): Promise<FolderRoundResult> {
  const result: FolderRoundResult = { processed: 0, untracked: 0, removed: 0, tooLarge: 0, yielded: false, restarted: false };
  // A folder whose turn comes after the cycle's budget ran out waits for the next cycle.
  if (budget.items >= budget.maxItems || deps.now() >= budget.deadline) return { ...result, yielded: true };
  let cursor: DeltaCursor | undefined = stored?.cursor;
  let etag = stored?.etag;
  for (;;) {
    const filterFrom = cursor?.filterFrom ?? startFrom;
    const roundStartedAt = cursor?.kind === "next" && cursor.roundStartedAt ? cursor.roundStartedAt : new Date(deps.now()).toISOString();
    let link = cursor?.link ?? initialLink(target, filterFrom);
    let changed = cursor === undefined || cursor.kind === "next";
    // The folder's Graph requests go one at a time: the prefetched page and the current page's
    // whole reads, sizes and attachment imports take turns, so a cycle syncing two folders at a
    // time has at most two requests in flight (of the 4 Exchange allows per mailbox).
    const folderReads = pLimit(1);
    const fetchPage = (pageLink: string) => folderReads(() => deps.graph.get<DeltaPage>(pageLink, { pageSize: deps.pageSize }, counter));
    let ahead: Promise<DeltaPage> | undefined;
    try {
      for (;;) {
        const page = await (ahead ?? fetchPage(link));
        ahead = undefined;
        const items = page.value ?? [];
        const next = page["@odata.nextLink"];
        // Not when this page may use up the budget: the cycle would yield and drop the page unread.
        if (next && budget.items + items.length < budget.maxItems && deps.now() < budget.deadline) {
          ahead = fetchPage(next);
          // Its failure (a 410 included) is met when the page is awaited, after this page's writes.
          ahead.catch(() => undefined);
        }
        let pageResult: PageResult;
        try {
          pageResult = await applyPage(deps, target, items, filterFrom, counter, folderReads);
        } catch (error) {
          // The prefetched page is dropped with the cursor where it was; no request of the cycle outlives it.
          await settled(ahead);
          throw error;
        }
        result.processed += pageResult.processed;
        result.untracked += pageResult.untracked;
        result.removed += pageResult.removed;
        result.tooLarge += pageResult.tooLarge;
        if (pageResult.latestReceivedAt && (!result.latestReceivedAt || pageResult.latestReceivedAt > result.latestReceivedAt)) {
          result.latestReceivedAt = pageResult.latestReceivedAt;
        }
        budget.items += pageResult.processed + pageResult.untracked + pageResult.removed + pageResult.tooLarge;
        if (pageResult.seen > 0) changed = true;
        if (next) {
          link = next;
          if (budget.items >= budget.maxItems || deps.now() >= budget.deadline) {
            // The checkpoint names the prefetched page's link: it is read again by the next cycle.
            await settled(ahead);
            const checkpoint = { link, kind: "next" as const, filterFrom, roundStartedAt, syncedThrough: cursor?.syncedThrough };
            await deps.cursors.save(target.mailboxId, workload, cursorKeyOf(target.folder), checkpoint, etag);
            result.yielded = true;
            return result;
          }
          continue;
        }
        const deltaLink = page["@odata.deltaLink"];
        if (!deltaLink) {
          throw new GraphRequestError({ status: 502, code: "MalformedDeltaResponse", message: "A delta page had neither a nextLink nor a deltaLink." });
        }
        if (changed) {
          const done = { link: deltaLink, kind: "delta" as const, filterFrom, roundStartedAt, syncedThrough: roundStartedAt };
          await deps.cursors.save(target.mailboxId, workload, cursorKeyOf(target.folder), done, etag);
        }
        return result;
      }
    } catch (error) {
      if (!isSyncStateLost(error) || result.restarted) throw error;
      // Start the folder's delta again from the lost chain's own lower bound, not from Process
      // Emails From: that has moved on to the last processed email, and older mail moved into the
      // folder since would be missed. The restart is saved before it runs, so a failure or a crash
      // on the way resumes it with the same bound; upserts keyed by message absorb what is seen again.
      result.restarted = true;
      const restart: DeltaCursor = { link: initialLink(target, filterFrom), kind: "next", filterFrom, roundStartedAt: new Date(deps.now()).toISOString(), syncedThrough: cursor?.syncedThrough };
      etag = await deps.cursors.save(target.mailboxId, workload, cursorKeyOf(target.folder), restart, etag);
      cursor = restart;
    }
  }
}

/** The folder's Graph requests, one at a time. */
type GraphReads = <T>(read: () => Promise<T>) => Promise<T>;

interface PageResult {
  seen: number;
  processed: number;
  untracked: number;
  removed: number;
  tooLarge: number;
  latestReceivedAt?: string;
}

/** A prefetched page that will not be used, once its request has ended (its outcome does not matter). */
async function settled(page: Promise<DeltaPage> | undefined): Promise<void> {
  await page?.then(() => undefined, () => undefined);
}

async function applyPage(deps: FolderRoundDeps, target: FolderTarget, items: GraphMessage[], filterFrom: string | undefined, counter: GraphCallCounter, graphReads: GraphReads): Promise<PageResult> {
  const result: PageResult = { seen: items.length, processed: 0, untracked: 0, removed: 0, tooLarge: 0 };
  const unique = new Map<string, GraphMessage>();
  for (const item of items) unique.set(item.id, { ...unique.get(item.id), ...item });
  const links: Array<{ graphMessageId: string; activityId: string }> = [];
  // Table writes run side by side; Graph requests take the folder's turns (graphReads).
  const tableWrites = pLimit(8);
  const tracking = { ...deps.tracking, graphReads };
  await Promise.all(
    [...unique.values()].map((item) =>
      tableWrites(async () => {
        // A removal leaves the activity alone: the CRM record outlives the mailbox copy.
        if (item["@removed"]) {
          result.removed++;
          return;
        }
        if (await deps.isUntracked?.(item.id)) return;
        const message = isComplete(item) ? item : await graphReads(() => readWhole(deps, target, item, counter));
        if (!message || message.isDraft) return;
        const received = isoTime(message.receivedDateTime);
        if (filterFrom && received && received < filterFrom) return;
        const outcome = await trackMessage(tracking, { mailbox: target.mailbox, folder: target.folder, message });
        if (outcome.reason === "gone") return;
        if (outcome.reason === "tooLarge") {
          result.tooLarge++;
          return;
        }
        if (outcome.tracked) {
          links.push({ graphMessageId: message.id, activityId: outcome.activityId });
          result.processed++;
        } else {
          result.untracked++;
        }
        const receivedAt = isoTime(message.receivedDateTime ?? message.sentDateTime) ?? new Date(0).toISOString();
        const latency = deps.now() - Date.parse(receivedAt);
        // Only fresh mail says how far behind sync is (a first sync's old mail would not).
        if (latency >= 0 && latency < 24 * 60 * 60 * 1000) recordSyncLatency("incoming", latency);
        // Untracked mail was processed too: Process Emails From moves past it.
        if (!result.latestReceivedAt || receivedAt > result.latestReceivedAt) result.latestReceivedAt = receivedAt;
      }),
    ),
  );
  if (links.length > 0) await deps.emails.linkForMailbox(target.mailboxId, links);
  return result;
}

/** An update that carried only changed fields: nothing to do if already linked, else read it whole. */
async function readWhole(deps: FolderRoundDeps, target: FolderTarget, item: GraphMessage, counter: GraphCallCounter): Promise<GraphMessage | undefined> {
  if (await deps.emails.linkedActivity(target.mailboxId, item.id)) return undefined;
  try {
    const path = `/users/${encodeURIComponent(target.userKey)}/messages/${encodeURIComponent(item.id)}?$select=${incomingMessageSelect.join(",")}&$expand=${incomingMessageExpand}`;
    return await deps.graph.get<GraphMessage>(path, {}, counter);
  } catch (error) {
    // Gone since the delta page was made: nothing to create.
    if (error instanceof GraphRequestError && error.status === 404) return undefined;
    throw error;
  }
}
