/**
 * Track now: one message of a mailbox becomes an activity at once, whatever the owner's track
 * option ("when you track email, this occurs immediately"). It is read from Graph and goes through
 * the same tracking step a cycle uses (tracking-step.ts), on demand, with the copy recorded under
 * the folder the cycle will find it in, so the next cycle sees the same activity and the same copy:
 * no duplicate.
 *
 * Its regarding: the one given, else its tracked folder's record, else the activity keeps its own.
 */
import type { RegardingRecord } from "../../domain/email-activity.js";
import { exceedsIncomingLimit } from "../../domain/email-activity.js";
import type { Mailbox } from "../../domain/mailbox.js";
import { inboxFolder, sentItemsFolder, type SyncedFolder } from "../../domain/tracking/synced-folder.js";
import type { GraphCallCounter, GraphConnection } from "../../graph/graph-connection.js";
import { GraphRequestError } from "../../graph/graph-errors.js";
import { incomingMessageExpand, incomingMessageSelect, type GraphMessage } from "../../graph/message-fields.js";
import type { Runtime } from "../../runtime.js";
import { readFolderRoots } from "./folder-placement.js";
import { sizeForLimit } from "./message-size.js";
import { trackMessage, trackingStepDeps } from "./tracking-step.js";

export type TrackNowOutcome =
  | { kind: "tracked"; activityId: string }
  | { kind: "notFound" }
  | { kind: "draft" }
  | { kind: "tooLarge"; sizeBytes: number };

const userPath = (mailbox: Mailbox) => `/users/${encodeURIComponent(mailbox.exchangeUserId ?? mailbox.emailAddress)}`;

export async function trackNow(runtime: Runtime, graph: GraphConnection, mailbox: Mailbox, messageId: string, regarding?: RegardingRecord): Promise<TrackNowOutcome> {
  const counter: GraphCallCounter = { requests: 0 };
  const message = await readMessage(graph, mailbox, messageId, counter);
  if (!message) return { kind: "notFound" };
  if (message.isDraft) return { kind: "draft" };
  const sizeBytes = await sizeForLimit(graph, mailbox.exchangeUserId ?? mailbox.emailAddress, message, counter);
  if (sizeBytes === undefined) return { kind: "notFound" };
  if (exceedsIncomingLimit(sizeBytes)) return { kind: "tooLarge", sizeBytes };
  const folder = await copyFolderOf(runtime, graph, mailbox, message.parentFolderId ?? "", counter);
  const outcome = await trackMessage(trackingStepDeps(runtime, graph, counter), { mailbox, folder, message, onDemand: { regarding } });
  if (!outcome.tracked) return outcome.reason === "tooLarge" ? { kind: "tooLarge", sizeBytes } : { kind: "notFound" };
  await runtime.emails.linkForMailbox(mailbox.id, [{ graphMessageId: message.id, activityId: outcome.activityId }]);
  // Untracked before: tracked again, and cycles may see it again.
  await runtime.emails.clearUntracked(mailbox.id, message.id);
  return { kind: "tracked", activityId: outcome.activityId };
}

async function readMessage(graph: GraphConnection, mailbox: Mailbox, messageId: string, counter: GraphCallCounter): Promise<GraphMessage | undefined> {
  try {
    return await graph.get<GraphMessage>(`${userPath(mailbox)}/messages/${encodeURIComponent(messageId)}?$select=${incomingMessageSelect.join(",")}&$expand=${incomingMessageExpand}`, {}, counter);
  } catch (error) {
    // Gone, or an id Exchange cannot read (400 ErrorInvalidIdMalformed): no such message here.
    if (error instanceof GraphRequestError && (error.status === 404 || (error.status === 400 && /ErrorInvalidIdMalformed/i.test(error.code)))) return undefined;
    throw error;
  }
}

/** The folder the copy records, as the cycle that reads it will: the Inbox, Sent Items, a tracked folder (with its record), or another folder. */
async function copyFolderOf(runtime: Runtime, graph: GraphConnection, mailbox: Mailbox, parentFolderId: string, counter: GraphCallCounter): Promise<SyncedFolder> {
  const { roots, folders } = await runtime.trackedFolders.list(mailbox.id);
  const tracked = folders.find((f) => f.folderId === parentFolderId);
  if (tracked) return { kind: "tracked", key: tracked.folderId, regarding: tracked.regarding };
  const inboxId = roots?.inbox.id ?? (await readFolderRoots(graph, mailbox.exchangeUserId ?? mailbox.emailAddress, counter)).inbox.id;
  if (parentFolderId === inboxId) return inboxFolder;
  const sentItems = await graph.get<{ id: string }>(`${userPath(mailbox)}/mailFolders/sentitems?$select=id`, {}, counter);
  return parentFolderId === sentItems.id ? sentItemsFolder : { kind: "other", key: parentFolderId };
}
