/**
 * Who may do what: the API's app roles, defined here once. The code checks them (route-access.ts),
 * the app-registration script creates them from infra/scripts/api-app-roles.json (a test keeps that
 * file equal to this list) and the docs name them (README "Sign-in and roles").
 *
 * Ids are fixed: Entra keys role assignments by the role's id, so a re-run of the script must find
 * the same role, not create a second one.
 */

export const appRoleDefinitions = [
  {
    value: "Sync.Admin",
    id: "01d8d8e0-0072-4491-be10-1987c0e52f09",
    displayName: "Sync administrator",
    description: "Manage email server profiles, mailboxes, organization settings, Test & Enable, disable, migration; read the audit log.",
    allowedMemberTypes: ["User", "Application"],
  },
  {
    value: "Sync.Approver",
    id: "c3a94dcd-1baa-44c7-b4ba-a78784f84186",
    displayName: "Mailbox approver",
    description: "Approve the email address of a mailbox (a Global or Exchange Administrator of the mailbox's tenant).",
    allowedMemberTypes: ["User"],
  },
  {
    value: "Records.ReadWrite",
    id: "6b46f6c6-f4d2-46ad-91f2-3d9a9e4bf2a8",
    displayName: "CRM records",
    description: "The CRM application: emails (with their content), appointments, contacts, tasks, accounts, leads, declared records, tracking.",
    allowedMemberTypes: ["User", "Application"],
  },
  {
    value: "Monitor.Read",
    id: "51f372fd-e9cf-4dfb-8821-fe6fe490a73d",
    displayName: "Sync monitor",
    description: "Read alerts and mailbox status, without mail content: no subjects, bodies or email addresses.",
    allowedMemberTypes: ["User", "Application"],
  },
] as const;

export type AppRole = (typeof appRoleDefinitions)[number]["value"];

export const appRoles = Object.fromEntries(appRoleDefinitions.map((r) => [r.value.replace(".", ""), r.value])) as {
  SyncAdmin: "Sync.Admin";
  SyncApprover: "Sync.Approver";
  RecordsReadWrite: "Records.ReadWrite";
  MonitorRead: "Monitor.Read";
};

export const allAppRoles: readonly AppRole[] = appRoleDefinitions.map((r) => r.value);

export function isAppRole(value: string): value is AppRole {
  return (allAppRoles as readonly string[]).includes(value);
}

/**
 * The roles that see mail content — subjects, bodies and email addresses (of mailboxes, parties
 * and in alert text). Monitor.Read alone sees mailbox status and alerts with addresses hidden.
 */
export const rolesSeeingMailContent: readonly AppRole[] = ["Sync.Admin", "Sync.Approver", "Records.ReadWrite"];

/**
 * The directory roles whose holders may approve an Exchange Online mailbox's address, as the
 * server-side sync documentation says for the Exchange Online profile. Tokens carry them as role
 * template ids in the `wids` claim (the same in every tenant; see Microsoft Entra built-in roles).
 */
export const tenantAdminDirectoryRoles = [
  { name: "Global Administrator", templateId: "62e90394-69f5-4237-9190-012177145e10" },
  { name: "Exchange Administrator", templateId: "29232cdf-9323-42fd-ade2-1d097af3e4de" },
] as const;
