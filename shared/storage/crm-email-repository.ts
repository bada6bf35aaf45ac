/**
 * CRM-authored email (the outgoing workload's records). They live in the same `emails` partition
 * layout as tracked mail — one activity row per email — with the CRM's fields beside the content,
 * so the Sent Items copy found later by the incoming workload lands on the same activity.
 *
 * `mailboxitems` holds, per sender mailbox, the Pending Send queue (`pending|<created>|<id>`,
 * oldest first), and `emails` holds an alias row under the id the internet message id maps to, so
 * a recipient's copy in another synced mailbox joins the same activity.
 */
import type { TableClient } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import { activityIdFor, type AttachmentInfo, type EmailBody, type EmailParty, type EmailStatus, type RegardingRecord } from "../domain/email-activity.js";
import { loadTextField, storeTextFields, type LargeTextStore } from "./large-text-store.js";
import { ConcurrencyConflict } from "./mailbox-repository.js";
import { hasStatus, type StorageAccount } from "./storage-account.js";

export interface CrmEmail {
  id: string;
  status: EmailStatus;
  senderMailboxId: string;
  /** The sender mailbox, as Exchange will show it: GET /api/emails lists and shows it as the sender. */
  from?: EmailParty;
  subject: string;
  to: EmailParty[];
  cc: EmailParty[];
  bcc: EmailParty[];
  body: EmailBody;
  regarding?: RegardingRecord;
  attachments: AttachmentInfo[];
  trackingToken?: string;
  attempts: number;
  failureReason?: string;
  internetMessageId?: string;
  conversationId?: string;
  sentAt?: string;
  /** Graph id of the draft the current attempt created, and whether its send was issued. */
  draftGraphId?: string;
  sendIssued: boolean;
  /** When Pending Send started (orders the queue). */
  pendingSince?: string;
  createdAt: string;
  updatedAt: string;
}

const activityRow = "activity";
const pendingPrefix = "pending|";

const scalarFields = ["status", "senderMailboxId", "trackingToken", "attempts", "failureReason", "internetMessageId", "conversationId", "sentAt", "draftGraphId", "sendIssued", "pendingSince", "createdAt", "updatedAt"] as const;

function pendingKey(pendingSince: string, id: string): string {
  return `${pendingPrefix}${String(Date.parse(pendingSince)).padStart(13, "0")}|${id}`;
}

export class CrmEmailRepository {
  private readonly emails: TableClient;
  private readonly mailboxItems: TableClient;

  constructor(
    storage: StorageAccount,
    private readonly largeText: LargeTextStore,
  ) {
    this.emails = storage.table(tableNames.emails);
    this.mailboxItems = storage.table(tableNames.mailboxItems);
  }

  private async row(email: Partial<CrmEmail> & { id: string }): Promise<Record<string, unknown>> {
    const row: Record<string, unknown> = { partitionKey: email.id, rowKey: activityRow, origin: "crm" };
    for (const field of scalarFields) if (email[field] !== undefined) row[field] = email[field];
    // The same column as tracked mail's sender, so one mapping reads both (email-repository.ts).
    if (email.from !== undefined) row.from = JSON.stringify(email.from);
    if (email.regarding !== undefined) row.regarding = JSON.stringify(email.regarding);
    if (email.attachments !== undefined) row.attachments = JSON.stringify(email.attachments);
    if (email.body !== undefined) row.bodyContentType = email.body.contentType;
    const text: Record<string, string> = {};
    if (email.subject !== undefined) text.subject = email.subject;
    if (email.to !== undefined) text.recipients = JSON.stringify({ to: email.to, cc: email.cc ?? [], bcc: email.bcc ?? [] });
    if (email.body !== undefined) text.body = email.body.content;
    return { ...row, ...(await storeTextFields(this.largeText, email.id, text)) };
  }

  async create(email: CrmEmail): Promise<void> {
    await this.emails.createEntity((await this.row(email)) as { partitionKey: string; rowKey: string });
  }

  async get(id: string): Promise<{ email: CrmEmail; etag: string } | undefined> {
    let row: Record<string, unknown> & { etag: string };
    try {
      row = await this.emails.getEntity<Record<string, unknown>>(id, activityRow);
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
    if (row.origin !== "crm") return undefined;
    const text = (name: string) => (typeof row[name] === "string" && row[name] !== "" ? String(row[name]) : undefined);
    const recipients = JSON.parse(await loadTextField(this.largeText, row, "recipients")) as { to: EmailParty[]; cc: EmailParty[]; bcc: EmailParty[] };
    return {
      etag: row.etag,
      email: {
        id,
        status: String(row.status) as EmailStatus,
        senderMailboxId: String(row.senderMailboxId),
        from: text("from") ? (JSON.parse(text("from")!) as EmailParty) : undefined,
        subject: await loadTextField(this.largeText, row, "subject"),
        ...recipients,
        body: { contentType: row.bodyContentType === "html" ? "html" : "text", content: await loadTextField(this.largeText, row, "body") },
        regarding: text("regarding") ? (JSON.parse(text("regarding")!) as RegardingRecord) : undefined,
        attachments: text("attachments") ? (JSON.parse(text("attachments")!) as AttachmentInfo[]) : [],
        trackingToken: text("trackingToken"),
        attempts: Number(row.attempts ?? 0),
        failureReason: text("failureReason"),
        internetMessageId: text("internetMessageId"),
        conversationId: text("conversationId"),
        sentAt: text("sentAt"),
        draftGraphId: text("draftGraphId"),
        sendIssued: row.sendIssued === true,
        pendingSince: text("pendingSince"),
        createdAt: String(row.createdAt),
        updatedAt: String(row.updatedAt),
      },
    };
  }

  /** Merges the named fields; with an etag, fails with ConcurrencyConflict if the email changed. */
  async update(id: string, patch: Partial<CrmEmail>, etag?: string): Promise<string> {
    const row = await this.row({ ...patch, id, updatedAt: patch.updatedAt ?? new Date().toISOString() });
    try {
      const result = await this.emails.updateEntity(row as { partitionKey: string; rowKey: string }, "Merge", { etag: etag ?? "*" });
      return result.etag ?? "";
    } catch (error) {
      if (hasStatus(error, 412)) throw new ConcurrencyConflict(id);
      throw error;
    }
  }

  async addPending(email: Pick<CrmEmail, "id" | "senderMailboxId" | "pendingSince">): Promise<void> {
    await this.mailboxItems.upsertEntity({ partitionKey: email.senderMailboxId, rowKey: pendingKey(email.pendingSince!, email.id), emailId: email.id }, "Replace");
  }

  async removePending(email: Pick<CrmEmail, "id" | "senderMailboxId" | "pendingSince">): Promise<void> {
    if (!email.pendingSince) return;
    try {
      await this.mailboxItems.deleteEntity(email.senderMailboxId, pendingKey(email.pendingSince, email.id));
    } catch (error) {
      if (!hasStatus(error, 404)) throw error;
    }
  }

  /** The mailbox's Pending Send email ids, oldest first. */
  async pending(mailboxId: string, limit: number): Promise<string[]> {
    const filter = `PartitionKey eq '${mailboxId.replace(/'/g, "''")}' and RowKey ge '${pendingPrefix}' and RowKey lt 'pending}'`;
    const ids: string[] = [];
    for await (const row of this.mailboxItems.listEntities<{ emailId: string }>({ queryOptions: { filter } })) {
      ids.push(row.emailId);
      if (ids.length >= limit) break;
    }
    return ids;
  }

  /** Points the activity id of an internet message id at the CRM email it was sent as. */
  async writeAlias(internetMessageId: string, emailId: string): Promise<void> {
    const aliasId = activityIdFor(internetMessageId, "", "");
    if (aliasId === emailId) return;
    await this.emails.upsertEntity({ partitionKey: aliasId, rowKey: activityRow, aliasOf: emailId }, "Merge");
  }
}
