/**
 * Where to add the rule of a new HTTP function: here. Every HTTP function, by its name in
 * shared/hosting/function-registry.ts, needs the app roles listed (any one of them) or is exempt
 * from tokens, with the reason. A test checks this table against the registered functions, so a
 * route cannot ship without a rule; a function without a row is refused at run time too.
 *
 * The admin API is Sync.Admin's (approval is Sync.Approver's); the records API the CRM
 * application's (Records.ReadWrite); status and alerts are readable by Monitor.Read too, without
 * mail content (shared/auth/mail-content.ts).
 */
import { appRoles, type AppRole } from "./app-roles.js";

export type RouteRule =
  | { roles: readonly AppRole[] }
  /**
   * No token asked: the route has another check of its own, or answers nothing worth protecting.
   * `anonymous`: no function key either — the caller cannot send one (Microsoft Graph's
   * notifications, each authenticated by its subscription's clientState instead; a browser
   * loading the console's static files).
   */
  | { exempt: string; anonymous?: true };

const { SyncAdmin, SyncApprover, RecordsReadWrite, MonitorRead } = appRoles;
const admin = { roles: [SyncAdmin] } as const;
const records = { roles: [RecordsReadWrite] } as const;

export const routeAccess: Readonly<Record<string, RouteRule>> = {
  health: { exempt: "the health probe: answers only that the app and its storage are up" },
  // Microsoft Graph posts here (push): it sends neither a token nor a function key.
  pushNotifications: { exempt: "Graph's change notifications: each is checked against its subscription's clientState in constant time (shared/push)", anonymous: true },
  pushLifecycle: { exempt: "Graph's lifecycle notifications: each is checked against its subscription's clientState in constant time (shared/push)", anonymous: true },
  console: { exempt: "the admin console's static files and sign-in settings (no data): the page calls the API with the user's token", anonymous: true },

  // Admin API
  listProfiles: admin,
  getProfile: admin,
  putProfile: admin,
  deleteProfile: admin,
  listMailboxes: { roles: [SyncAdmin, SyncApprover, RecordsReadWrite, MonitorRead] },
  getMailbox: { roles: [SyncAdmin, SyncApprover, RecordsReadWrite, MonitorRead] },
  putMailbox: admin,
  approveMailbox: { roles: [SyncApprover] },
  testAndEnableMailbox: admin,
  testAndEnableMailboxes: admin,
  disableMailbox: admin,
  listAlerts: { roles: [SyncAdmin, MonitorRead] },
  // Item-level failures (subjects only for Sync.Admin) and the monitoring dashboard (counts only).
  listFailures: { roles: [SyncAdmin, MonitorRead] },
  getMonitoring: { roles: [SyncAdmin, MonitorRead] },
  getSettings: admin,
  putSettings: admin,
  getEmailEnabledTypes: admin,
  putEmailEnabledTypes: admin,
  listAudit: admin,
  // A mailbox owner's track option: the admin's, or the CRM application's on the owner's behalf (Dynamics' personal option).
  getMailboxTracking: { roles: [SyncAdmin, RecordsReadWrite] },
  putMailboxTracking: { roles: [SyncAdmin, RecordsReadWrite] },
  // Email Router migration
  createMigration: admin,
  listMigrations: admin,
  getMigration: admin,
  patchMigration: admin,
  startMigration: admin,

  // Records API (the CRM application)
  createEmail: records,
  getEmail: records,
  getEmailAttachmentContent: records,
  listEmails: records,
  sendEmail: records,
  addEmailAttachment: records,
  uploadEmailAttachment: records,
  listTrackedFolders: records,
  putTrackedFolder: records,
  deleteTrackedFolder: records,
  trackMessage: records,
  untrackMessage: records,
  createAppointment: records,
  getAppointment: records,
  listAppointments: records,
  updateAppointment: records,
  deleteAppointment: records,
  createContact: records,
  getContact: records,
  listContacts: records,
  updateContact: records,
  deleteContact: records,
  createTask: records,
  getTask: records,
  listTasks: records,
  updateTask: records,
  deleteTask: records,
  getSyncFilters: records,
  putSyncFilter: records,
  createAccount: records,
  getAccount: records,
  listAccounts: records,
  updateAccount: records,
  deleteAccount: records,
  createLead: records,
  getLead: records,
  listLeads: records,
  updateLead: records,
  deleteLead: records,
  putDeclaredRecord: records,
  getDeclaredRecord: records,
  listDeclaredRecords: records,
  deleteDeclaredRecord: records,
  resolveAddresses: records,
};

export function ruleFor(functionName: string): RouteRule | undefined {
  return Object.hasOwn(routeAccess, functionName) ? routeAccess[functionName] : undefined;
}
