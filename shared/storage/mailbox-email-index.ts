/**
 * The `mailboxitems` table's email rows, one partition per mailbox:
 *
 * - `email|<inverted received time>|<activity id>`: the mailbox's list row for an activity, newest
 *   first. One per (mailbox, activity): its time is the mailbox's earliest copy.
 * - `act|<activity id>`: which list row the activity has in this mailbox, with what it shows. Read
 *   with its ETag and rewritten in one transaction with the list row, so two writers merging the
 *   same activity (Inbox and Sent Items side by side, or two mailboxes) never lose each other's
 *   proposal (see domain/mailbox-listing.ts).
 * - `msg|<sha-256 of the Graph id>`: Graph message id → activity id.
 * - `untracked|<sha-256 of the Graph id>`: a message the owner untracked in this mailbox; cycles
 *   leave it alone until it is tracked again on demand. Read for a whole mailbox in one range query.
 *
 * Rows written before the listing was one per activity (`email|` rows keyed by each copy's own
 * received time, without `layout`) are upgraded when a listing reads them: see listPage.
 */
import { createHash } from "node:crypto";
import type { TableClient, TransactionAction } from "@azure/data-tables";
import { mergeListing, sameListing, type MailboxListing } from "../domain/mailbox-listing.js";
import { hasStatus } from "./storage-account.js";

export interface ListedEmail extends MailboxListing {
  activityId: string;
  subjectTruncated?: boolean;
}

const emailIndexPrefix = "email|";
const listingPrefix = "act|";
const messageLinkPrefix = "msg|";
const untrackedPrefix = "untracked|";
const summarySubjectLength = 1_000;
/** Marks list rows written by merge (one per activity); rows without it are the old layout. */
const currentLayout = 2;
/** Writers on one row are few (two folders, the mailboxes of one message); this bounds a pathological race. */
const maxMergeAttempts = 30;

/** Row keys may not hold / \ # ? or control characters; Graph ids are hashed to stay safe. */
export function messageLinkKey(graphMessageId: string): string {
  return messageLinkPrefix + graphIdHash(graphMessageId);
}

const graphIdHash = (graphMessageId: string) => createHash("sha256").update(graphMessageId).digest("base64url");

function emailIndexKey(receivedAt: string, activityId: string): string {
  const inverted = 9_999_999_999_999 - Date.parse(receivedAt);
  return `${emailIndexPrefix}${String(inverted).padStart(13, "0")}|${activityId}`;
}

interface ListingRow {
  indexKey: string;
  receivedAt: string;
  direction: string;
  subject: string;
  from?: string;
  etag: string;
}

function listingOf(row: Pick<ListingRow, "receivedAt" | "direction" | "subject" | "from">): MailboxListing {
  return {
    receivedAt: String(row.receivedAt),
    direction: row.direction === "Outgoing" ? "Outgoing" : "Incoming",
    subject: String(row.subject ?? ""),
    ...(row.from ? { from: String(row.from) } : {}),
  };
}

export function listedEmail(row: Record<string, unknown>): ListedEmail {
  return {
    activityId: String(row.activityId),
    ...listingOf(row as unknown as ListingRow),
    ...(row.subjectTruncated ? { subjectTruncated: true } : {}),
  };
}

export class MailboxEmailIndex {
  constructor(private readonly table: TableClient) {}

  private async listingRow(mailboxId: string, activityId: string): Promise<ListingRow | undefined> {
    try {
      return await this.table.getEntity<ListingRow>(mailboxId, listingPrefix + activityId);
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** The list row key the activity has in the mailbox, if it has one in the current layout. */
  async indexKeyOf(mailboxId: string, activityId: string): Promise<string | undefined> {
    return (await this.listingRow(mailboxId, activityId))?.indexKey;
  }

  /**
   * Merges a proposal into the mailbox's row for the activity (ETag-guarded, retried on a lost
   * race); a proposal that changes nothing writes nothing. Returns the row key of the list row.
   * `absent`: the caller just created the activity, so its row is not read first — a row written
   * meanwhile fails the create (409) and is merged with like any lost race.
   */
  async merge(mailboxId: string, activityId: string, proposed: MailboxListing, options: { absent?: boolean } = {}): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const current = attempt === 1 && options.absent ? undefined : await this.listingRow(mailboxId, activityId);
      const merged = mergeListing(current && listingOf(current), proposed);
      const indexKey = emailIndexKey(merged.receivedAt, activityId);
      if (current && current.indexKey === indexKey && sameListing(listingOf(current), merged)) return indexKey;
      const truncated = merged.subject.length > summarySubjectLength;
      const shown = { ...merged, subject: truncated ? merged.subject.slice(0, summarySubjectLength) : merged.subject, from: merged.from ?? "" };
      const pointer = { partitionKey: mailboxId, rowKey: listingPrefix + activityId, indexKey, ...shown };
      const actions: TransactionAction[] = [
        current ? ["update", pointer, "Replace", { etag: current.etag }] : ["create", pointer],
        ["upsert", { partitionKey: mailboxId, rowKey: indexKey, activityId, ...shown, subjectTruncated: truncated, layout: currentLayout }, "Replace"],
      ];
      if (current && current.indexKey !== indexKey) actions.push(["delete", { partitionKey: mailboxId, rowKey: current.indexKey }]);
      try {
        await this.table.submitTransaction(actions);
        return indexKey;
      } catch (error) {
        // Another writer merged first (412 on the ETag, 409 on the create): merge with what it wrote.
        if (!(hasStatus(error, 412) || hasStatus(error, 409)) || attempt >= maxMergeAttempts) throw error;
        // Each round one writer wins; a little jitter keeps the rest from colliding in lockstep.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  /** Adds Graph id → activity links for a page of mail (idempotent). */
  async link(mailboxId: string, links: Array<{ graphMessageId: string; activityId: string }>): Promise<void> {
    const actions = new Map<string, TransactionAction>();
    for (const { graphMessageId, activityId } of links) {
      const rowKey = messageLinkKey(graphMessageId);
      actions.set(rowKey, ["upsert", { partitionKey: mailboxId, rowKey, activityId, graphMessageId }, "Replace"]);
    }
    // A transaction refuses the same row twice and holds at most 100 actions.
    const unique = [...actions.values()];
    for (let i = 0; i < unique.length; i += 100) await this.table.submitTransaction(unique.slice(i, i + 100));
  }

  async linkedActivity(mailboxId: string, graphMessageId: string): Promise<string | undefined> {
    try {
      return (await this.table.getEntity<{ activityId: string }>(mailboxId, messageLinkKey(graphMessageId))).activityId;
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** Removes a Graph id → activity link (gone already is fine). */
  async unlink(mailboxId: string, graphMessageId: string): Promise<void> {
    await this.deleteRow(mailboxId, messageLinkKey(graphMessageId));
  }

  async markUntracked(mailboxId: string, graphMessageId: string): Promise<void> {
    await this.table.upsertEntity({ partitionKey: mailboxId, rowKey: untrackedPrefix + graphIdHash(graphMessageId), graphMessageId }, "Replace");
  }

  async clearUntracked(mailboxId: string, graphMessageId: string): Promise<void> {
    await this.deleteRow(mailboxId, untrackedPrefix + graphIdHash(graphMessageId));
  }

  async isMarkedUntracked(mailboxId: string, graphMessageId: string): Promise<boolean> {
    try {
      await this.table.getEntity(mailboxId, untrackedPrefix + graphIdHash(graphMessageId));
      return true;
    } catch (error) {
      if (hasStatus(error, 404)) return false;
      throw error;
    }
  }

  /** The Graph ids of every message untracked in the mailbox (one range query). */
  async untrackedIds(mailboxId: string): Promise<Set<string>> {
    const filter = `PartitionKey eq '${mailboxId.replace(/'/g, "''")}' and RowKey ge '${untrackedPrefix}' and RowKey lt 'untracked}'`;
    const ids = new Set<string>();
    for await (const row of this.table.listEntities<{ graphMessageId: string }>({ queryOptions: { filter, select: ["graphMessageId"] } })) ids.add(row.graphMessageId);
    return ids;
  }

  /** Takes the activity off the mailbox's list: its pointer row and its list row. */
  async removeListing(mailboxId: string, activityId: string): Promise<void> {
    const current = await this.listingRow(mailboxId, activityId);
    if (!current) return;
    await this.deleteRow(mailboxId, current.indexKey);
    await this.deleteRow(mailboxId, listingPrefix + activityId);
  }

  private async deleteRow(mailboxId: string, rowKey: string): Promise<void> {
    try {
      await this.table.deleteEntity(mailboxId, rowKey);
    } catch (error) {
      if (!hasStatus(error, 404)) throw error;
    }
  }

  /** One page of list rows as stored, newest first; old-layout rows are marked `legacy`. */
  async page(mailboxId: string, options: { pageSize: number; continuationToken?: string }) {
    const filter = `PartitionKey eq '${mailboxId.replace(/'/g, "''")}' and RowKey ge '${emailIndexPrefix}' and RowKey lt 'email}'`;
    const iterator = this.table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
      .byPage({ maxPageSize: options.pageSize, continuationToken: options.continuationToken });
    const next = await iterator.next();
    if (next.done) return { rows: [] };
    return {
      rows: next.value.map((row) => ({ rowKey: String(row.rowKey), etag: String(row.etag), legacy: row.layout !== currentLayout, email: listedEmail(row) })),
      continuationToken: next.value.continuationToken,
    };
  }

  async read(mailboxId: string, indexKey: string): Promise<ListedEmail | undefined> {
    try {
      return listedEmail(await this.table.getEntity<Record<string, unknown>>(mailboxId, indexKey));
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** Deletes a list row unless it changed since it was read (gone already is fine). */
  async removeIfUnchanged(mailboxId: string, indexKey: string, etag: string): Promise<void> {
    try {
      await this.table.deleteEntity(mailboxId, indexKey, { etag });
    } catch (error) {
      if (!hasStatus(error, 404) && !hasStatus(error, 412)) throw error;
    }
  }
}
