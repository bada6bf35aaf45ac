/**
 * Correlation's lookups (domain/tracking/correlation.ts CorrelationLookups) on this product's
 * storage. Each is cheap by construction:
 * - internet message ids: a point read of the activity each id maps to (the activity id is derived
 *   from it; mail the CRM sent is reached through its alias row), one per id, side by side;
 * - token, conversation, subject hash: one partition query of the correlation index, then a point
 *   read of each activity found (at most correlationLookupLimit), for what can change after it was
 *   indexed: its regarding and whether it is still tracked.
 * Untracked mail has no activity row, so it is never a candidate.
 */
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import { activityIdFor, type RegardingRecord } from "../domain/email-activity.js";
import type { CorrelationLookups, ParentCandidate } from "../domain/tracking/correlation.js";
import type { CorrelationIndex, IndexedActivity } from "./correlation-index.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

const activityRow = "activity";
const columns = ["aliasOf", "origin", "untracked", "regarding", "internetMessageId", "conversationIndex", "receivedAt", "sentAt", "createdAt"];

type ActivityRow = Record<string, unknown> & { partitionKey: string };

export class StoredCorrelationLookups implements CorrelationLookups {
  private readonly emails: TableClient;

  constructor(
    storage: StorageAccount,
    private readonly index: CorrelationIndex,
  ) {
    this.emails = storage.table(tableNames.emails);
  }

  async activitiesByInternetMessageIds(ids: readonly string[]): Promise<ParentCandidate[]> {
    const found = await Promise.all(ids.map((id) => this.activityRow(activityIdFor(id, "", ""), true)));
    return found.filter((row): row is ActivityRow => row !== undefined).map((row) => candidateOf(row));
  }

  activitiesByTrackingToken(token: string): Promise<ParentCandidate[]> {
    return this.indexed(this.index.find("token", token));
  }

  activitiesByConversationId(conversationId: string): Promise<ParentCandidate[]> {
    return this.indexed(this.index.find("conversation", conversationId));
  }

  activitiesBySubjectHash(subjectHash: string): Promise<ParentCandidate[]> {
    return this.indexed(this.index.find("subject", subjectHash));
  }

  private async indexed(lookup: Promise<IndexedActivity[]>): Promise<ParentCandidate[]> {
    const entries = await lookup;
    const rows = await Promise.all(entries.map((entry) => this.activityRow(entry.activityId, false)));
    return entries.flatMap((entry, i) => (rows[i] ? [candidateOf(rows[i]!, entry.addressHashes)] : []));
  }

  /** The activity row (the CRM email's, through an alias when `followAlias`), or undefined. */
  private async activityRow(activityId: string, followAlias: boolean): Promise<ActivityRow | undefined> {
    try {
      const row = await this.emails.getEntity<Record<string, unknown>>(activityId, activityRow, { queryOptions: { select: columns } });
      if (typeof row.aliasOf === "string" && row.aliasOf) return followAlias ? this.activityRow(row.aliasOf, false) : undefined;
      return { ...row, partitionKey: activityId };
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }
}

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

function candidateOf(row: ActivityRow, addressHashes?: string[]): ParentCandidate {
  const regarding = text(row.regarding);
  const internetMessageId = text(row.internetMessageId);
  const conversationIndex = text(row.conversationIndex);
  return {
    activityId: row.partitionKey,
    tracked: row.untracked !== true,
    ...(regarding ? { regarding: JSON.parse(regarding) as RegardingRecord } : {}),
    ...(internetMessageId ? { internetMessageId } : {}),
    ...(conversationIndex ? { conversationIndex } : {}),
    ...(addressHashes ? { addressHashes } : {}),
    at: text(row.receivedAt) ?? text(row.sentAt) ?? text(row.createdAt) ?? "",
  };
}
