/**
 * The attachments of a tracked email, brought into the CRM once per activity: the tracking step
 * calls importAttachments after it has saved the activity, for mail it tracks and for nothing
 * else (so untracked mail never has an attachment downloaded), and not for CRM-sent mail, whose
 * activity already holds the attachments it was sent with.
 *
 * - The list is metadata only (`$select`, never contentBytes); each stored file's bytes stream
 *   from Graph's `$value` into Blob Storage (GraphConnection.getStream → AttachmentStore.storeOnce),
 *   a few MB at a time whatever the file's size.
 * - Inline images keep isInline and contentId, so an HTML body's `cid:` references resolve.
 * - Attached messages and events (item) and cloud links (reference) are recorded as what they are;
 *   Graph v1.0 gives a reference attachment no link (sourceUrl is beta only), so none is stored.
 * - A blocked or oversized file is recorded with the reason it was left out; the email is tracked.
 * - Once per activity: a second mailbox holding the message finds the import complete and asks
 *   Graph nothing. Two mailboxes importing at once name the same blobs (attachmentKey); a blob is
 *   written once (storeOnce), so the race costs at most a second download, never a torn blob.
 * - A failure (throttling, timeout) fails the call: nothing is marked imported, and the retry of
 *   the page skips the blobs already stored.
 */
import { Transform, type Readable } from "node:stream";
import { attachmentKey, attachmentKind, fileExclusion, mayHaveAttachments, tooLarge, unavailable, type Exclusion, type GraphAttachmentMeta } from "../../domain/attachments/attachment-rules.js";
import type { AttachmentInfo } from "../../domain/email-activity.js";
import type { GraphCallCounter, GraphConnection } from "../../graph/graph-connection.js";
import { GraphRequestError } from "../../graph/graph-errors.js";
import type { GraphMessage } from "../../graph/message-fields.js";
import { attachmentBlobName, type AttachmentStore } from "../../storage/attachment-store.js";
import type { EmailAttachmentRepository } from "../../storage/email-attachment-repository.js";
import type { OrgSettingsRepository } from "../../storage/org-settings-repository.js";

export interface AttachmentImportDeps {
  graph: GraphConnection;
  attachments: AttachmentStore;
  emailAttachments: EmailAttachmentRepository;
  orgSettings: OrgSettingsRepository;
  now: () => number;
}

export interface AttachmentImportTarget {
  /** The Exchange user id (or address) of the mailbox whose copy is read. */
  userKey: string;
  /** The mailbox record whose copy is read. */
  mailboxId: string;
  /** The activity the message was saved as (the canonical id). */
  activityId: string;
  /** The tracked message as the delta returned it: its id, and hasAttachments and body when selected. */
  message: Pick<GraphMessage, "id" | "hasAttachments" | "body">;
}

/** Base properties plus the file's content id (a derived property: selected through its type). */
export const attachmentListSelect = ["id", "name", "contentType", "size", "isInline", "microsoft.graph.fileAttachment/contentId"] as const;

interface AttachmentPage {
  value?: GraphAttachmentMeta[];
  "@odata.nextLink"?: string;
}

class ContentOverLimit extends Error {}

export async function importAttachments(deps: AttachmentImportDeps, target: AttachmentImportTarget, counter?: GraphCallCounter): Promise<AttachmentInfo[]> {
  if (!mayHaveAttachments(target.message)) return [];
  const stored = await deps.emailAttachments.read(target.activityId);
  if (stored.imported) return stored.attachments;
  const listed = await listAttachments(deps.graph, target, counter);
  // Gone since the delta page was made: nothing to import, and nothing marked.
  if (!listed) return [];
  const settings = (await deps.orgSettings.get()).attachments;
  const attachments: AttachmentInfo[] = [];
  for (const [position, meta] of listed.entries()) {
    const kind = attachmentKind(meta["@odata.type"]);
    const name = meta.name ?? "";
    const size = Math.max(0, Number(meta.size) || 0);
    const contentId = kind === "file" && meta.contentId ? meta.contentId : undefined;
    const info: AttachmentInfo = {
      id: attachmentKey(position, { kind, name, size, contentId }),
      kind,
      name,
      contentType: meta.contentType || (kind === "file" ? "application/octet-stream" : ""),
      size,
      complete: true,
      isInline: meta.isInline === true,
      ...(contentId ? { contentId } : {}),
    };
    if (kind === "file") {
      const excluded = fileExclusion({ name, size }, settings) ?? (await storeContent(deps, target, meta.id, info, settings.maxFileSizeBytes, counter));
      if (excluded) info.excluded = excluded;
    }
    attachments.push(info);
  }
  await deps.emailAttachments.saveImported(target.activityId, attachments, new Date(deps.now()).toISOString());
  return attachments;
}

async function listAttachments(graph: GraphConnection, target: AttachmentImportTarget, counter?: GraphCallCounter): Promise<GraphAttachmentMeta[] | undefined> {
  const listed: GraphAttachmentMeta[] = [];
  let link: string | undefined = `${messagePath(target)}/attachments?$select=${attachmentListSelect.join(",")}`;
  try {
    while (link) {
      const page: AttachmentPage = await graph.get<AttachmentPage>(link, {}, counter);
      listed.push(...(page.value ?? []));
      link = page["@odata.nextLink"];
    }
  } catch (error) {
    if (error instanceof GraphRequestError && error.status === 404) return undefined;
    throw error;
  }
  return listed;
}

/** Streams one file into its blob unless it is there already; an exclusion when it cannot be stored. */
async function storeContent(
  deps: AttachmentImportDeps,
  target: AttachmentImportTarget,
  graphAttachmentId: string,
  info: AttachmentInfo,
  maxFileSizeBytes: number,
  counter?: GraphCallCounter,
): Promise<Exclusion | undefined> {
  const blob = attachmentBlobName(target.activityId, info.id);
  if (await deps.attachments.exists(blob)) return undefined;
  const path = `${messagePath(target)}/attachments/${encodeURIComponent(graphAttachmentId)}/$value`;
  try {
    await deps.graph.getStream(path, (body) => deps.attachments.storeOnce(blob, limitedTo(body, maxFileSizeBytes), info.contentType, info.size), counter);
    return undefined;
  } catch (error) {
    if (error instanceof ContentOverLimit) return tooLarge(maxFileSizeBytes);
    // The attachment (or its message) is gone from this copy since it was listed.
    if (error instanceof GraphRequestError && error.status === 404) return unavailable;
    throw error;
  }
}

/** Fails the stream once more than `limit` bytes came: Graph's listed size is not a promise. */
function limitedTo(body: Readable, limit: number): Readable {
  let seen = 0;
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > limit ? new ContentOverLimit("The attachment's content is over the size limit.") : null, chunk);
    },
  });
  body.on("error", (error) => limited.destroy(error));
  return body.pipe(limited);
}

function messagePath(target: AttachmentImportTarget): string {
  return `/users/${encodeURIComponent(target.userKey)}/messages/${encodeURIComponent(target.message.id)}`;
}
