/**
 * Names of every queue, table and blob container, in one place: the engines, the local host and
 * the infra tests all import them from here.
 */
import type { Workload } from "../domain/workloads.js";

export const queueNames: Record<Workload, string> = {
  incoming: "incoming-email",
  outgoing: "outgoing-email",
  act: "act-sync",
};

/** Table names: letters and digits only, as Table Storage requires. */
export const tableNames = {
  profiles: "profiles",
  mailboxes: "mailboxes",
  /** The due index the scheduler scans: one row per mailbox workload, keyed by due time. */
  schedule: "schedule",
  /** Delta cursors per mailbox and folder. */
  cursors: "cursors",
  /** Email activities, one partition per activity. */
  emails: "emails",
  /** Per-mailbox rows: the mailbox's emails newest first, and Graph message id → activity links. */
  mailboxItems: "mailboxitems",
  /** Item-level failures (for example mail over 150 MB). */
  itemFailures: "itemfailures",
  /** Alerts, readable per mailbox, per profile and overall, newest first. */
  alerts: "alerts",
  /** Organization settings (one row). */
  orgSettings: "orgsettings",
  /** Per email address and per CRM owner: the claims (address → mailbox id, owner → mailbox id; one Exchange mailbox ↔ one mailbox record ↔ one owner) and, beside an address's claim, the CRM records that hold the address (the address book). */
  mailboxAddresses: "mailboxaddresses",
  /** Leased connection slots per profile: the profile's max concurrent connections. */
  connectionSlots: "connectionslots",
  /** Per mailbox: which worker holds its `shared` request lane (graph/mailbox-request-gate.ts), while it does. */
  mailboxLanes: "mailboxlanes",
  /** The CRM's appointments, contacts and tasks (records API). */
  actRecords: "actrecords",
  /** Sync filters per CRM user and record type. */
  syncFilters: "syncfilters",
  /** Per mailbox: CRM record ↔ Exchange item links with the last synced state. */
  actLinks: "actlinks",
  /** Tracking token numbers: each mailbox owner's user number and counter. */
  trackingNumbers: "trackingnumbers",
  /** Folders under the Inbox each mailbox tracks (folder-level tracking), one partition per mailbox. */
  trackedFolders: "trackedfolders",
  /** Graph change-notification subscriptions: per mailbox and kind (sharded like mailboxes, for the renewal scan), and subscription id → mailbox. */
  pushSubscriptions: "pushsubscriptions",
  /** Correlation lookups of tracked activities: conversation, tracking token and subject hash → activity ids. */
  correlationKeys: "correlationkeys",
  /** Each mailbox owner's own track option and "automatically create records". */
  ownerTracking: "ownertracking",
  /** Email Router migrations: one row each (status, wave progress); the plan document is a blob. */
  migrations: "migrations",
  /** Per migration (partition): the step log of apply and each mailbox's Test & Enable result per wave. */
  migrationSteps: "migrationsteps",
  /** Changes made through the admin API (who, what, before/after), newest first, overall and per target. */
  audit: "audit",
  /** Hourly sync figures for the monitoring dashboard: per hour, one row per instance and workload. */
  syncStats: "syncstats",
} as const;

export const blobContainers = {
  /** Email bodies and other text too large for a table property. */
  largeText: "email-bodies",
} as const;

/** Service Bus connection setting name shared by the triggers (host) and the sender (code). */
export const serviceBusConnectionSetting = "ServiceBusConnection";
/** Storage connection setting name for the product's own tables and blobs. */
export const syncStorageSetting = "SyncStorage";
