/**
 * Approving an Exchange Online mailbox's address (pure): besides the Sync.Approver role, the caller
 * must be a person who is a Global Administrator or Exchange Administrator (tenantAdminDirectoryRoles,
 * the token's `wids`) of the mailbox's own tenant (the token's `tid`), as server-side sync requires
 * for the Exchange Online profile.
 */
import type { ProfileCredential } from "../domain/profile.js";
import { tenantAdminDirectoryRoles } from "./app-roles.js";
import type { Caller } from "./caller.js";

/** The tenant of a profile's mailboxes: its own app registration's, or the deployment app's. */
export function mailboxTenantOf(credential: ProfileCredential, deploymentTenantId: string): string {
  return (credential.kind === "deploymentApp" ? deploymentTenantId : credential.tenantId).toLowerCase();
}

const adminRoleNames = tenantAdminDirectoryRoles.map((r) => r.name).join(" or ");
const isGuid = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

/** Why the caller may not approve a mailbox of `mailboxTenantId`, or undefined when they may. */
export function approvalRefusal(caller: Caller, mailboxTenantId: string): string | undefined {
  if (caller.kind === "localOperator") return undefined;
  if (caller.kind === "app") return `Approving an email address needs a signed-in ${adminRoleNames} of the mailbox's tenant; an application cannot approve.`;
  if (!isGuid(mailboxTenantId)) {
    return `The mailbox's tenant is configured as '${mailboxTenantId}', not as a tenant id: set the profile's tenantId (or GRAPH_TENANT_ID) to the tenant's GUID so that its administrators can approve.`;
  }
  if (caller.tenantId !== mailboxTenantId.toLowerCase()) {
    return `The mailbox is in tenant ${mailboxTenantId.toLowerCase()}; the token is from tenant ${caller.tenantId}. Sign in as a ${adminRoleNames} of the mailbox's tenant.`;
  }
  const admin = tenantAdminDirectoryRoles.some((role) => caller.directoryRoles.includes(role.templateId));
  if (!admin) return `Approving an email address needs the directory role ${adminRoleNames} in the mailbox's tenant (the token's wids claim has neither).`;
  return undefined;
}
