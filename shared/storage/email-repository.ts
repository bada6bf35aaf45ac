/**
 * Email activities in Table Storage.
 *
 * `emails` table, one partition per activity: the activity row plus one row per mailbox the
 * message was found in. Both are written in one transaction, by upsert, so a retry, a second
 * mailbox or a delta restart rewrites the same rows instead of adding any.
 *
 * `mailboxitems` table, one partition per mailbox: the mailbox's emails newest first (for listing)
 * and Graph message id → activity links, written in batches of up to 100 per page of mail.
 */
import { createHash } from "node:crypto";
import type { TableClient, TransactionAction } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import {
  activityDirection,
  statusForDirection,
  type Direction,
  type EmailActivity,
  type EmailParty,
  type FoundInMailbox,
} from "../domain/email-activity.js";
import { loadTextField, storeTextFields, type LargeTextStore } from "./large-text-store.js";
import type { StorageAccount } from "./storage-account.js";

export type ActivityContent = Omit<EmailActivity, "direction" | "status" | "mailboxes">;

export interface EmailSummary {
  id: string;
  subject: string;
  subjectTruncated?: boolean;
  from?: string;
  direction: Direction;
  receivedAt: string;
}

const activityRow = "activity";
const foundInPrefix = "in|";
const emailIndexPrefix = "email|";
const messageLinkPrefix = "msg|";
const summarySubjectLength = 1_000;

/** Row keys may not hold / \ # ? or control characters; Graph ids are hashed to stay safe. */
export function messageLinkKey(graphMessageId: string): string {
  return messageLinkPrefix + createHash("sha256").update(graphMessageId).digest("base64url");
}

function emailIndexKey(receivedAt: string, activityId: string): string {
  const inverted = 9_999_999_999_999 - Date.parse(receivedAt);
  return `${emailIndexPrefix}${String(inverted).padStart(13, "0")}|${activityId}`;
}

export class EmailRepository {
  private readonly emails: TableClient;
  private readonly mailboxItems: TableClient;

  constructor(
    storage: StorageAccount,
    private readonly largeText: LargeTextStore,
  ) {
    this.emails = storage.table(tableNames.emails);
    this.mailboxItems = storage.table(tableNames.mailboxItems);
  }

  /**
   * The activity a found message belongs to: the CRM email it was sent as (by its stamp, or by the
   * alias written when it was sent), else the activity of its internet message id.
   */
  async canonicalId(activityId: string, crmEmailId: string | undefined): Promise<{ id: string; crmEmail: boolean }> {
    if (crmEmailId) return { id: crmEmailId, crmEmail: true };
    try {
      const row = await this.emails.getEntity<{ aliasOf?: string; origin?: string }>(activityId, activityRow);
      if (row.aliasOf) return { id: row.aliasOf, crmEmail: true };
      return { id: activityId, crmEmail: row.origin === "crm" };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return { id: activityId, crmEmail: false };
      throw error;
    }
  }

  /** Records that a CRM email was found in a mailbox: only the mailbox's copy; the CRM's record stays as it is. */
  async saveFoundCopy(activityId: string, foundIn: FoundInMailbox): Promise<void> {
    await this.emails.upsertEntity({ partitionKey: activityId, rowKey: foundInPrefix + foundIn.mailboxId, ...foundIn }, "Replace");
  }

  /** Records a message found in a mailbox: the activity and the mailbox's copy, in one transaction. */
  async saveFound(content: ActivityContent, foundIn: FoundInMailbox): Promise<void> {
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
          from: content.from ? JSON.stringify(content.from) : "",
          receivedAt: content.receivedAt,
          sentAt: content.sentAt ?? "",
          bodyContentType: content.body.contentType,
          ...text,
        },
        // Merge: never drops what else the row holds (an alias, or a CRM email's fields).
        "Merge",
      ],
      ["upsert", { partitionKey: content.id, rowKey: foundInPrefix + foundIn.mailboxId, ...foundIn }, "Replace"],
    ];
    await this.emails.submitTransaction(actions);
  }

  /** Adds the mailbox's index and link rows for a page of saved activities (idempotent). */
  async indexForMailbox(mailboxId: string, entries: Array<{ summary: EmailSummary; graphMessageId: string }>): Promise<void> {
    const actions: TransactionAction[] = [];
    for (const { summary, graphMessageId } of entries) {
      const truncated = summary.subject.length > summarySubjectLength;
      actions.push([
        "upsert",
        {
          partitionKey: mailboxId,
          rowKey: emailIndexKey(summary.receivedAt, summary.id),
          activityId: summary.id,
          subject: truncated ? summary.subject.slice(0, summarySubjectLength) : summary.subject,
          subjectTruncated: truncated,
          from: summary.from ?? "",
          direction: summary.direction,
          receivedAt: summary.receivedAt,
        },
        "Replace",
      ]);
      actions.push(["upsert", { partitionKey: mailboxId, rowKey: messageLinkKey(graphMessageId), activityId: summary.id, graphMessageId }, "Replace"]);
    }
    // One action per row: a transaction refuses the same row twice (two copies of one message
    // received at the same time make the same index row). A transaction holds at most 100.
    const unique = [...new Map(actions.map((action) => [(action[1] as { rowKey: string }).rowKey, action])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      await this.mailboxItems.submitTransaction(unique.slice(i, i + 100));
    }
  }

  /** The activity id already linked to a mailbox's Graph message, if any. */
  async linkedActivity(mailboxId: string, graphMessageId: string): Promise<string | undefined> {
    try {
      const row = await this.mailboxItems.getEntity<{ activityId: string }>(mailboxId, messageLinkKey(graphMessageId));
      return row.activityId;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  async get(activityId: string): Promise<EmailActivity | undefined> {
    const rows: Record<string, unknown>[] = [];
    const filter = `PartitionKey eq '${activityId.replace(/'/g, "''")}'`;
    for await (const row of this.emails.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) rows.push(row);
    const main = rows.find((row) => row.rowKey === activityRow);
    if (!main) return undefined;
    if (typeof main.aliasOf === "string" && main.aliasOf && main.aliasOf !== activityId) return this.get(main.aliasOf);
    const mailboxes = rows
      .filter((row) => String(row.rowKey).startsWith(foundInPrefix))
      .map((row): FoundInMailbox => ({
        mailboxId: String(row.mailboxId),
        folder: String(row.folder),
        direction: row.direction === "Outgoing" ? "Outgoing" : "Incoming",
        graphMessageId: String(row.graphMessageId),
        receivedAt: String(row.receivedAt),
      }));
    const recipients = JSON.parse(await loadTextField(this.largeText, main, "recipients")) as { to: EmailParty[]; cc: EmailParty[]; bcc: EmailParty[] };
    const crm = main.origin === "crm";
    const direction = crm ? "Outgoing" : activityDirection(mailboxes);
    const optional = (name: string) => (typeof main[name] === "string" && main[name] !== "" ? String(main[name]) : undefined);
    return {
      id: activityId,
      internetMessageId: (main.internetMessageId as string) || undefined,
      conversationId: (main.conversationId as string) || undefined,
      subject: await loadTextField(this.largeText, main, "subject"),
      from: main.from ? (JSON.parse(String(main.from)) as EmailParty) : undefined,
      ...recipients,
      receivedAt: String(main.receivedAt ?? main.sentAt ?? main.createdAt),
      sentAt: (main.sentAt as string) || undefined,
      body: { contentType: main.bodyContentType === "html" ? "html" : "text", content: await loadTextField(this.largeText, main, "body") },
      direction,
      status: crm ? (String(main.status) as EmailActivity["status"]) : statusForDirection(direction),
      mailboxes,
      ...(crm
        ? {
            senderMailboxId: optional("senderMailboxId"),
            regarding: optional("regarding") ? JSON.parse(optional("regarding")!) : undefined,
            attachments: optional("attachments") ? JSON.parse(optional("attachments")!) : [],
            trackingToken: optional("trackingToken"),
            attempts: Number(main.attempts ?? 0),
            failureReason: optional("failureReason"),
            createdAt: optional("createdAt"),
          }
        : {}),
    };
  }

  /** A mailbox's emails, newest first. */
  async listForMailbox(mailboxId: string, options: { pageSize: number; continuationToken?: string }): Promise<{ items: EmailSummary[]; continuationToken?: string }> {
    const filter = `PartitionKey eq '${mailboxId.replace(/'/g, "''")}' and RowKey ge '${emailIndexPrefix}' and RowKey lt 'email}'`;
    const iterator = this.mailboxItems
      .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
      .byPage({ maxPageSize: options.pageSize, continuationToken: options.continuationToken });
    const next = await iterator.next();
    if (next.done) return { items: [] };
    return {
      items: next.value.map((row) => ({
        id: String(row.activityId),
        subject: String(row.subject ?? ""),
        ...(row.subjectTruncated ? { subjectTruncated: true } : {}),
        from: (row.from as string) || undefined,
        direction: row.direction === "Outgoing" ? "Outgoing" : "Incoming",
        receivedAt: String(row.receivedAt),
      })),
      continuationToken: next.value.continuationToken,
    };
  }
}
