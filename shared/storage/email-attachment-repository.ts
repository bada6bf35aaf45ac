/**
 * The attachments of tracked mail, in the `emails` table beside the activity they belong to: one
 * `att|<id>` row per attachment (position, kind, name, type, size, inline content id, or why it
 * was left out) and one `attachments` row that says the import is complete. Both are written in
 * the activity's partition, the marker in the last transaction, so a reader that sees the marker
 * sees every attachment. Every write is an upsert of the same values
 * whichever mailbox's copy made them (ids come from attachment-rules.ts attachmentKey), so two
 * mailboxes importing one activity at once write the same rows.
 *
 * CRM-authored email keeps its attachments on its activity row (crm-email-repository.ts).
 */
import type { TableClient, TransactionAction } from "@azure/data-tables";
import { tableNames } from "../config/names.js";
import type { AttachmentExclusionReason, AttachmentInfo, AttachmentKind } from "../domain/email-activity.js";
import type { StorageAccount } from "./storage-account.js";

const rowPrefix = "att|";
const importedRow = "attachments";
/** Table Storage's limit of actions in one transaction. */
const maxBatch = 100;

interface AttachmentRow {
  position: number;
  kind: AttachmentKind;
  name: string;
  contentType: string;
  size: number;
  isInline: boolean;
  contentId?: string;
  excludedReason?: AttachmentExclusionReason;
  excludedMessage?: string;
}

function toInfo(rowKey: string, row: AttachmentRow): AttachmentInfo {
  return {
    id: rowKey.slice(rowPrefix.length),
    kind: row.kind,
    name: row.name,
    contentType: row.contentType,
    size: Number(row.size),
    complete: true,
    isInline: row.isInline === true,
    ...(row.contentId ? { contentId: row.contentId } : {}),
    ...(row.excludedReason ? { excluded: { reason: row.excludedReason, message: row.excludedMessage ?? "" } } : {}),
  };
}

export class EmailAttachmentRepository {
  private readonly emails: TableClient;

  constructor(storage: StorageAccount) {
    this.emails = storage.table(tableNames.emails);
  }

  /** The activity's attachments in message order, and whether their import is complete. */
  async read(activityId: string): Promise<{ attachments: AttachmentInfo[]; imported: boolean }> {
    const partition = activityId.replace(/'/g, "''");
    // "att|…" rows and the "attachments" marker both sort between "att" and "atu".
    const filter = `PartitionKey eq '${partition}' and RowKey ge 'att' and RowKey lt 'atu'`;
    const rows: Array<{ rowKey: string; row: AttachmentRow }> = [];
    let imported = false;
    for await (const entity of this.emails.listEntities<AttachmentRow & { rowKey: string }>({ queryOptions: { filter } })) {
      if (entity.rowKey === importedRow) imported = true;
      else if (entity.rowKey.startsWith(rowPrefix)) rows.push({ rowKey: entity.rowKey, row: entity });
    }
    rows.sort((a, b) => Number(a.row.position) - Number(b.row.position));
    return { attachments: rows.map(({ rowKey, row }) => toInfo(rowKey, row)), imported };
  }

  /** Records the activity's attachments (in message order) and marks the import complete. */
  async saveImported(activityId: string, attachments: AttachmentInfo[], at: string): Promise<void> {
    const actions: TransactionAction[] = attachments.map((a, position) => [
      "upsert",
      {
        partitionKey: activityId,
        rowKey: `${rowPrefix}${a.id}`,
        position,
        kind: a.kind ?? "file",
        name: a.name,
        contentType: a.contentType,
        size: a.size,
        isInline: a.isInline === true,
        contentId: a.contentId ?? "",
        excludedReason: a.excluded?.reason ?? "",
        excludedMessage: a.excluded?.message ?? "",
      },
      "Replace",
    ]);
    actions.push(["upsert", { partitionKey: activityId, rowKey: importedRow, count: attachments.length, importedAt: at }, "Replace"]);
    for (let start = 0; start < actions.length; start += maxBatch) {
      await this.emails.submitTransaction(actions.slice(start, start + maxBatch));
    }
  }
}
