/**
 * A folder the incoming workload reads by delta: the Inbox, Sent Items, or a tracked folder (a
 * folder under the Inbox that the owner mapped to a CRM record). The seam between the folder
 * rounds (which folders a cycle reads) and the tracking step (what a message in a folder means):
 * mail in a tracked folder is tracked whatever the track option and is regarding the folder's
 * record. Pure type.
 */
import type { RegardingRecord } from "../email-activity.js";

export type SyncedFolder =
  | { kind: "inbox"; key: "inbox" }
  | { kind: "sentitems"; key: "sentitems" }
  /** `key` is the Graph folder id (immutable); its cursor is stored under it. */
  | { kind: "tracked"; key: string; regarding: RegardingRecord }
  /** A folder no cycle reads (Track now of mail kept elsewhere); `key` is its Graph folder id. */
  | { kind: "other"; key: string };

export const inboxFolder: SyncedFolder = { kind: "inbox", key: "inbox" };
export const sentItemsFolder: SyncedFolder = { kind: "sentitems", key: "sentitems" };
