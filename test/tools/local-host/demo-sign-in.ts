/**
 * Who signs in to the demo tenant's API (pure): the API's app registration, the demo's admin user
 * (a Global Administrator of the demo tenant, so approval works) and the CRM application. The
 * simulator signs the tokens (exchange-simulator/api-tokens.ts); `npm run token` and the tests ask
 * it for them.
 */
import { allAppRoles, isAppRole, tenantAdminDirectoryRoles, type AppRole } from "../../../shared/auth/app-roles.js";
import type { ApiTokenInput } from "../exchange-simulator/api-tokens.js";

/** Fixed, like the demo tenant's ids: a kept demo and its tokens line up across starts. */
export const demoApiClientId = "146146fc-a035-450b-bf5e-42548939674a";
export const demoAdmin = { objectId: "b1db5339-0c40-4fd8-ba2f-8b3317522fb2", name: "Megan Bowen" };
export const demoCrmApplicationId = "845d3296-b69f-4b84-a27a-e976af0e67d7";

export interface DemoTokenRequest {
  roles: AppRole[];
  /** An app-only token of the CRM application instead of the admin user's. */
  app: boolean;
}

/** `npm run token -- Sync.Admin [Monitor.Read …] [--app]`, or an error saying what is expected. */
export function parseTokenArguments(args: string[]): DemoTokenRequest | { error: string } {
  const usage = `Usage: npm run -s token -- <role>... [--app]   roles: ${allAppRoles.join(", ")}`;
  const app = args.includes("--app");
  const names = args.filter((a) => a !== "--app");
  const unknown = names.filter((name) => !isAppRole(name));
  if (unknown.length) return { error: `Not an app role of this API: ${unknown.join(", ")}.\n${usage}` };
  if (names.length === 0) return { error: `Name at least one role.\n${usage}` };
  if (app && names.includes("Sync.Approver")) return { error: "Sync.Approver is for people (a tenant administrator approves), not for an application: leave out --app." };
  return { roles: [...new Set(names)] as AppRole[], app };
}

export function demoTokenInput(tenantId: string, request: DemoTokenRequest): ApiTokenInput {
  return request.app
    ? { tenantId, audience: demoApiClientId, roles: request.roles, app: { clientId: demoCrmApplicationId } }
    : { tenantId, audience: demoApiClientId, roles: request.roles, user: { ...demoAdmin, directoryRoles: [tenantAdminDirectoryRoles[0].templateId] } };
}
