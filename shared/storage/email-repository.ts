/**
 * Email activities in Table Storage.
 *
 * `emails` table, one partition per activity: the activity row plus one row per copy of the
 * message (mailbox, folder, Graph id). Each copy is its own row, written by upsert, so a retry, a
 * redelivery, a second folder or a second mailbox adds or rewrites its own row and never replaces
 * another copy's. The activity's direction and mailboxes are derived from its copies on read.
 *
 * `mailboxitems` table: each mailbox's list of activities and Graph id links (mailbox-email-index.ts).
 *
 * Data written before copies had rows of their own holds one `in|<mailbox>` row per mailbox (the
 * last copy processed); it reads as one copy, and a later sync of that mailbox adds the others.
 */
import { createHash } from "node:crypto";
import type { TableClient, TransactionAction } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import {
  activityDirection,
  foundInMailboxes,
  statusForDirection,
  type ActivityCorrelation,
  type Direction,
  type EmailActivity,
  type EmailParty,
  type MessageCopy,
  type RegardingRecord,
} from "../domain/email-activity.js";
import type { TrackedReason } from "../domain/tracking/track-options.js";
import { mailboxesToList, proposedListing, type MailboxListing } from "../domain/mailbox-listing.js";
import { loadTextField, storeTextFields, type LargeTextStore } from "./large-text-store.js";
import { MailboxEmailIndex, type ListedEmail } from "./mailbox-email-index.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

export { messageLinkKey } from "./mailbox-email-index.js";

export type ActivityContent = Omit<EmailActivity, "direction" | "status" | "mailboxes">;

export interface EmailSummary {
  id: string;
  subject: string;
  subjectTruncated?: boolean;
  from?: string;
  direction: Direction;
  receivedAt: string;
  trackedReason?: TrackedReason;
  correlation?: ActivityCorrelation;
  regarding?: RegardingRecord;
}

/** What the engine knows about an activity id before deciding what to do with a found message. */
export interface ActivityState {
  /** The activity the message belongs to (the CRM email it was sent as, when it was). */
  id: string;
  crmEmail: boolean;
  /** An activity row exists (tracked, or tracked once and untracked since). */
  exists: boolean;
  /** It is an activity now: not untracked. */
  tracked: boolean;
}

/** Activity row columns the list shows beside the list row (they can change after listing: a tracked folder move). */
const trackingColumns = ["trackedReason", "correlation", "regarding", "origin"];

const json = <T>(value: unknown): T | undefined => (typeof value === "string" && value !== "" ? (JSON.parse(value) as T) : undefined);

const activityRow = "activity";
const copyPrefix = "in|";

function copyKey(copy: MessageCopy): string {
  const graphId = createHash("sha256").update(copy.graphMessageId).digest("base64url");
  // "inbox", "sentitems", or a Graph folder id, hashed should it hold a character keys may not.
  const folder = /^[A-Za-z0-9=_-]+$/.test(copy.folder) ? copy.folder : createHash("sha256").update(copy.folder).digest("base64url");
  return `${copyPrefix}${copy.mailboxId}|${folder}|${graphId}`;
}

function copyRow(activityId: string, copy: MessageCopy) {
  const { mailboxId, folder, direction, graphMessageId, receivedAt } = copy;
  return { partitionKey: activityId, rowKey: copyKey(copy), mailboxId, folder, direction, graphMessageId, receivedAt };
}

/** The activity's sender, as both the list and the detail show it (CRM email stores its sender mailbox here too). */
function fromOf(main: Record<string, unknown>): EmailParty | undefined {
  return typeof main.from === "string" && main.from ? (JSON.parse(main.from) as EmailParty) : undefined;
}

/** One activity partition as stored: the activity row (after any alias) and its copies. */
interface StoredActivity {
  id: string;
  main: Record<string, unknown>;
  copies: MessageCopy[];
  crmEmail: boolean;
}

/** Why the activity is tracked, its correlation and regarding, as stored on its row. */
function trackingOf(main: Record<string, unknown>): Pick<EmailActivity, "trackedReason" | "correlation" | "regarding"> {
  const trackedReason = main.origin === "crm" ? "sentFromCrm" : ((main.trackedReason as TrackedReason | undefined) || undefined);
  const correlation = json<ActivityCorrelation>(main.correlation);
  const regarding = json<RegardingRecord>(main.regarding);
  return { ...(trackedReason ? { trackedReason } : {}), ...(correlation ? { correlation } : {}), ...(regarding ? { regarding } : {}) };
}

function summaryOf(listed: ListedEmail): EmailSummary {
  const { activityId, subject, subjectTruncated, from, direction, receivedAt } = listed;
  return { id: activityId, subject, ...(subjectTruncated ? { subjectTruncated } : {}), ...(from ? { from } : {}), direction, receivedAt };
}

export class EmailRepository {
  private readonly emails: TableClient;
  private readonly index: MailboxEmailIndex;

  constructor(
    storage: StorageAccount,
    private readonly largeText: LargeTextStore,
  ) {
    this.emails = storage.table(tableNames.emails);
    this.index = new MailboxEmailIndex(storage.table(tableNames.mailboxItems));
  }

  /**
   * The activity a found message belongs to: the CRM email it was sent as (by its stamp, or by the
   * alias written when it was sent), else the activity of its internet message id.
   */
  async canonicalId(activityId: string, crmEmailId: string | undefined): Promise<{ id: string; crmEmail: boolean }> {
    const { id, crmEmail } = await this.state(activityId, crmEmailId);
    return { id, crmEmail };
  }

  /** The canonical activity (see canonicalId) and whether it exists and is tracked: one point read. */
  async state(activityId: string, crmEmailId: string | undefined): Promise<ActivityState> {
    if (crmEmailId) return { id: crmEmailId, crmEmail: true, exists: true, tracked: true };
    try {
      const row = await this.emails.getEntity<{ aliasOf?: string; origin?: string; untracked?: boolean }>(activityId, activityRow, {
        queryOptions: { select: ["aliasOf", "origin", "untracked"] },
      });
      if (row.aliasOf) return { id: row.aliasOf, crmEmail: true, exists: true, tracked: true };
      return { id: activityId, crmEmail: row.origin === "crm", exists: true, tracked: row.untracked !== true };
    } catch (error) {
      if (hasStatus(error, 404)) return { id: activityId, crmEmail: false, exists: false, tracked: false };
      throw error;
    }
  }

  /**
   * Records that a synced mailbox holds a message nobody tracks: the copy row only (mailbox,
   * folder, Graph id, time: ids, no content), under the activity id the message would have. If
   * another mailbox's owner tracks the message later, its activity lists this copy too, whatever
   * order the mailboxes were synced in.
   */
  async saveUntrackedCopy(activityId: string, copy: MessageCopy): Promise<void> {
    await this.emails.upsertEntity(copyRow(activityId, copy), "Replace");
  }

  /** The conversation of mail the CRM sent, as its Sent Items copy shows it (the send reports neither). */
  async setConversation(activityId: string, conversation: { conversationId?: string; conversationIndex?: string }): Promise<void> {
    const { conversationId, conversationIndex } = conversation;
    if (!conversationId && !conversationIndex) return;
    const row = { partitionKey: activityId, rowKey: activityRow, ...(conversationId ? { conversationId } : {}), ...(conversationIndex ? { conversationIndex } : {}) };
    await this.emails.updateEntity(row, "Merge");
  }

  /** Re-applies the regarding record (a tracked folder's, or one chosen when tracking on demand). */
  async setRegarding(activityId: string, regarding: RegardingRecord): Promise<void> {
    await this.emails.updateEntity({ partitionKey: activityId, rowKey: activityRow, regarding: JSON.stringify(regarding) }, "Merge");
  }

  /** Records that a CRM email was found in a mailbox: only the copy; the CRM's record stays as it is. */
  async saveFoundCopy(activityId: string, copy: MessageCopy): Promise<void> {
    await this.emails.upsertEntity(copyRow(activityId, copy), "Replace");
  }

  /** Records a message found in a mailbox: the activity and this copy, in one transaction. */
  async saveFound(content: ActivityContent, copy: MessageCopy): Promise<void> {
    const text = await storeTextFields(this.largeText, content.id, {
      subject: content.subject,
      recipients: JSON.stringify({ to: content.to, cc: content.cc, bcc: content.bcc }),
      body: content.body.content,
    });
    const actions: TransactionAction[] = [
      [
        "upsert",
        {
          partitionKey: content.id,
          rowKey: activityRow,
          internetMessageId: content.internetMessageId ?? "",
          conversationId: content.conversationId ?? "",
          conversationIndex: content.conversationIndex ?? "",
          trackedReason: content.trackedReason ?? "",
          correlation: content.correlation ? JSON.stringify(content.correlation) : "",
          // Tracked again (Track now, a tracked folder) after the owner untracked it.
          untracked: false,
          from: content.from ? JSON.stringify(content.from) : "",
          receivedAt: content.receivedAt,
          sentAt: content.sentAt ?? "",
          bodyContentType: content.body.contentType,
          // Only when given (a tracked folder's record, Track now's): otherwise the stored one stays.
          ...(content.regarding ? { regarding: JSON.stringify(content.regarding) } : {}),
          ...text,
        },
        // Merge: never drops what else the row holds (an alias, or a CRM email's fields).
        "Merge",
      ],
      ["upsert", copyRow(content.id, copy), "Replace"],
    ];
    await this.emails.submitTransaction(actions);
  }

  /**
   * Brings the list rows for the activity up to date with every copy stored so far (see
   * mailboxesToList for which; `everyMailbox` when the activity is new, so mailboxes whose copies
   * were recorded before anyone tracked it list it too). Call after saving `copy`: the copies are
   * read after the write. `created`: the activity did not exist before this save, so no list row
   * for it is read before writing (one read fewer per new email; a racing writer's row still merges).
   */
  async listFound(activityId: string, copy: MessageCopy, options: { everyMailbox?: boolean; created?: boolean } = {}): Promise<void> {
    const stored = await this.read(activityId);
    if (!stored) return;
    const mailboxes = options.everyMailbox ? [...new Set([copy.mailboxId, ...stored.copies.map((c) => c.mailboxId)])] : mailboxesToList(copy, stored.copies);
    for (const mailboxId of mailboxes) {
      const proposed = await this.proposal(stored, mailboxId);
      if (proposed) await this.index.merge(mailboxId, stored.id, proposed, { absent: options.created === true && stored.id === activityId });
    }
  }

  /** The list row the stored activity calls for in a mailbox: the same sender and direction as get() shows. */
  private async proposal(stored: StoredActivity, mailboxId: string): Promise<MailboxListing | undefined> {
    const subject = await loadTextField(this.largeText, stored.main, "subject");
    return proposedListing(mailboxId, { subject, from: fromOf(stored.main)?.address, crmEmail: stored.crmEmail, copies: stored.copies });
  }

  /** Adds the mailbox's Graph id → activity links for a page of saved mail (idempotent). */
  async linkForMailbox(mailboxId: string, links: Array<{ graphMessageId: string; activityId: string }>): Promise<void> {
    await this.index.link(mailboxId, links);
  }

  /** The activity id already linked to a mailbox's Graph message, if any. */
  async linkedActivity(mailboxId: string, graphMessageId: string): Promise<string | undefined> {
    return this.index.linkedActivity(mailboxId, graphMessageId);
  }

  /** The Graph ids of the messages the owner untracked in a mailbox. */
  async untrackedIn(mailboxId: string): Promise<Set<string>> {
    return this.index.untrackedIds(mailboxId);
  }

  /**
   * Untracks a mailbox's copy of a message: the activity stays (it is the CRM's record, and other
   * mailboxes may hold the message too), but this mailbox's copy rows, its list row (unless another
   * copy in the mailbox remains) and the Graph id link go, and cycles leave the message alone from
   * now on. Each step is idempotent and the link goes last, so a retry after a failure finishes it.
   */
  async untrack(mailboxId: string, graphMessageId: string): Promise<"untracked" | "alreadyUntracked" | "notTracked"> {
    const activityId = await this.index.linkedActivity(mailboxId, graphMessageId);
    if (!activityId) return (await this.index.isMarkedUntracked(mailboxId, graphMessageId)) ? "alreadyUntracked" : "notTracked";
    await this.index.markUntracked(mailboxId, graphMessageId);
    const stored = await this.read(activityId);
    if (stored) {
      const filter = `PartitionKey eq '${stored.id.replace(/'/g, "''")}' and RowKey ge '${copyPrefix}' and RowKey lt 'in}'`;
      for await (const row of this.emails.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
        if (row.mailboxId === mailboxId && row.graphMessageId === graphMessageId) await this.emails.deleteEntity(stored.id, String(row.rowKey));
      }
      const remaining = await this.read(stored.id);
      await this.index.removeListing(mailboxId, stored.id);
      const proposed = remaining && (await this.proposal(remaining, mailboxId));
      if (proposed) await this.index.merge(mailboxId, stored.id, proposed);
    }
    await this.index.unlink(mailboxId, graphMessageId);
    return "untracked";
  }

  /** Track now: cycles may track the message again. */
  async clearUntracked(mailboxId: string, graphMessageId: string): Promise<void> {
    await this.index.clearUntracked(mailboxId, graphMessageId);
  }

  private async read(activityId: string): Promise<StoredActivity | undefined> {
    const rows: Record<string, unknown>[] = [];
    const filter = `PartitionKey eq '${activityId.replace(/'/g, "''")}'`;
    for await (const row of this.emails.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) rows.push(row);
    const main = rows.find((row) => row.rowKey === activityRow);
    if (!main) return undefined;
    if (typeof main.aliasOf === "string" && main.aliasOf && main.aliasOf !== activityId) return this.read(main.aliasOf);
    const copies = new Map<string, MessageCopy>();
    for (const row of rows) {
      if (!String(row.rowKey).startsWith(copyPrefix)) continue;
      const copy: MessageCopy = {
        mailboxId: String(row.mailboxId),
        folder: String(row.folder),
        direction: row.direction === "Outgoing" ? "Outgoing" : "Incoming",
        graphMessageId: String(row.graphMessageId),
        receivedAt: String(row.receivedAt),
      };
      // The old layout's per-mailbox row and the new per-copy row can name the same copy.
      copies.set(`${copy.mailboxId}|${copy.folder}|${copy.graphMessageId}`, copy);
    }
    return { id: activityId, main, copies: [...copies.values()], crmEmail: main.origin === "crm" };
  }

  async get(activityId: string): Promise<EmailActivity | undefined> {
    const stored = await this.read(activityId);
    if (!stored) return undefined;
    const { main, copies, crmEmail: crm } = stored;
    const recipients = JSON.parse(await loadTextField(this.largeText, main, "recipients")) as { to: EmailParty[]; cc: EmailParty[]; bcc: EmailParty[] };
    const direction: Direction = crm ? "Outgoing" : activityDirection(copies);
    const optional = (name: string) => (typeof main[name] === "string" && main[name] !== "" ? String(main[name]) : undefined);
    return {
      id: stored.id,
      internetMessageId: (main.internetMessageId as string) || undefined,
      conversationId: (main.conversationId as string) || undefined,
      subject: await loadTextField(this.largeText, main, "subject"),
      from: fromOf(main),
      ...recipients,
      receivedAt: String(main.receivedAt ?? main.sentAt ?? main.createdAt),
      sentAt: (main.sentAt as string) || undefined,
      body: { contentType: main.bodyContentType === "html" ? "html" : "text", content: await loadTextField(this.largeText, main, "body") },
      direction,
      status: crm ? (String(main.status) as EmailActivity["status"]) : statusForDirection(direction),
      mailboxes: foundInMailboxes(copies),
      ...trackingOf(main),
      conversationIndex: optional("conversationIndex"),
      ...(crm
        ? {
            senderMailboxId: optional("senderMailboxId"),
            attachments: optional("attachments") ? JSON.parse(optional("attachments")!) : [],
            trackingToken: optional("trackingToken"),
            attempts: Number(main.attempts ?? 0),
            failureReason: optional("failureReason"),
            createdAt: optional("createdAt"),
          }
        : {}),
    };
  }

  /**
   * A mailbox's emails, newest first. A page may hold fewer than pageSize items where old-layout
   * rows of one activity were folded into one (see upgradeListed).
   */
  async listForMailbox(mailboxId: string, options: { pageSize: number; continuationToken?: string }): Promise<{ items: EmailSummary[]; continuationToken?: string }> {
    const page = await this.index.page(mailboxId, options);
    const items: EmailSummary[] = [];
    for (const row of page.rows) {
      const listed = row.legacy ? await this.upgradeListed(mailboxId, row) : row.email;
      if (listed) items.push(summaryOf(listed));
    }
    // Read from the activity rows (side by side), not kept on the list row: a tracked folder move
    // changes the regarding after the row was listed.
    const tracking = await Promise.all(items.map((item) => this.trackingOf(item.id)));
    const enriched = items.map((item, i) => ({ ...item, ...tracking[i] }));
    return { items: enriched, ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}) };
  }

  private async trackingOf(activityId: string): Promise<Pick<EmailSummary, "trackedReason" | "correlation" | "regarding">> {
    try {
      return trackingOf(await this.emails.getEntity<Record<string, unknown>>(activityId, activityRow, { queryOptions: { select: trackingColumns } }));
    } catch (error) {
      if (hasStatus(error, 404)) return {};
      throw error;
    }
  }

  /**
   * Migration on read: an old-layout list row (one per copy, keyed by that copy's time) becomes the
   * activity's one merged row, or is removed when the activity's row is another one. Idempotent;
   * the removal is ETag-guarded so a row a sync has just rewritten in the new layout stays.
   */
  private async upgradeListed(mailboxId: string, row: { rowKey: string; etag: string; email: ListedEmail }): Promise<ListedEmail | undefined> {
    const activityId = row.email.activityId;
    let indexKey = await this.index.indexKeyOf(mailboxId, activityId);
    if (!indexKey) {
      const stored = await this.read(activityId);
      const proposed = stored && (await this.proposal(stored, mailboxId));
      // Nothing to merge from (no copy recorded for this mailbox): listed as it was.
      if (!proposed || stored.id !== activityId) return row.email;
      indexKey = await this.index.merge(mailboxId, activityId, proposed);
    }
    if (indexKey === row.rowKey) return this.index.read(mailboxId, indexKey);
    await this.index.removeIfUnchanged(mailboxId, row.rowKey, row.etag);
    return undefined;
  }
}
