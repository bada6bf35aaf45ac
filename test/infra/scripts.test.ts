/**
 * The consent and scoping scripts share one permission table (infra/scripts/graph-permissions.json):
 * every workload of the code has its Graph application permissions there, with Microsoft Graph's
 * appRole ids and the matching Exchange RBAC for Applications roles.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appRoleDefinitions } from "../../shared/auth/app-roles.js";
import { workloads } from "../../shared/domain/workloads.js";
import { infraDir } from "./bicep.js";

interface Entry {
  permission: string;
  appRoleId: string;
  exchangeRole: string | null;
}

const table = JSON.parse(readFileSync(join(infraDir, "scripts", "graph-permissions.json"), "utf8")) as { graphAppId: string; workloads: Record<string, Entry[]> };
const script = (name: string) => readFileSync(join(infraDir, "scripts", name), "utf8");

/** Microsoft Graph application permission ids (appRoles of the Microsoft Graph service principal). */
const graphAppRoles: Record<string, string> = {
  "Mail.ReadWrite": "e2a3a72e-5f79-4c64-b1b1-878b674786c9",
  "Mail.Send": "b633e1c5-b582-4048-a93e-9f11b44c7e96",
  "Calendars.ReadWrite": "ef54d2bf-783f-4e0f-bca1-3210c0444d99",
  "Contacts.ReadWrite": "6918b873-d17a-4dc1-b314-35f528134491",
  "Tasks.ReadWrite.All": "44e666d1-d276-445b-a5fc-8815eeb81d55",
};

/** Exchange Online RBAC for Applications roles (Tasks has none). */
const exchangeRoles: Record<string, string | null> = {
  "Mail.ReadWrite": "Application Mail.ReadWrite",
  "Mail.Send": "Application Mail.Send",
  "Calendars.ReadWrite": "Application Calendars.ReadWrite",
  "Contacts.ReadWrite": "Application Contacts.ReadWrite",
  "Tasks.ReadWrite.All": null,
};

describe("graph-permissions.json", () => {
  it("covers every workload of the code and nothing else", () => {
    expect(Object.keys(table.workloads).sort()).toEqual([...workloads].sort());
  });

  // Outgoing sends through a draft it creates, reads and deletes (shared/sync/outgoing/send-email.ts),
  // so it needs Mail.ReadWrite as well as Mail.Send; ACT reads and writes its ownership stamp on the
  // Inbox folder (shared/sync/test-and-enable.ts), which needs Mail.ReadWrite too.
  it("asks each workload only for its permissions: incoming Mail.ReadWrite, outgoing Mail.ReadWrite + Mail.Send, act calendars, contacts and tasks", () => {
    const permissions = Object.fromEntries(Object.entries(table.workloads).map(([w, entries]) => [w, entries.map((e) => e.permission)]));
    expect(permissions).toEqual({ incoming: ["Mail.ReadWrite"], outgoing: ["Mail.ReadWrite", "Mail.Send"], act: ["Mail.ReadWrite", "Calendars.ReadWrite", "Contacts.ReadWrite", "Tasks.ReadWrite.All"] });
  });

  it("uses Microsoft Graph's application permission ids and Exchange's application roles", () => {
    expect(table.graphAppId).toBe("00000003-0000-0000-c000-000000000000");
    for (const entry of Object.values(table.workloads).flat()) {
      expect(entry.appRoleId, entry.permission).toBe(graphAppRoles[entry.permission]);
      expect(entry.exchangeRole, entry.permission).toBe(exchangeRoles[entry.permission]);
    }
  });
});

describe("scripts", () => {
  it("read the permission table instead of repeating it", () => {
    for (const name of ["register-app.ps1", "scope-mailboxes.ps1"]) {
      expect(script(name), name).toContain("graph-permissions.json");
      for (const id of Object.values(graphAppRoles)) expect(script(name), `${name} hard-codes ${id}`).not.toContain(id);
    }
  });

  it("register-app prints the admin-consent URL", () => {
    expect(script("register-app.ps1")).toContain('"$LoginAuthority/$TenantId/adminconsent?client_id=$AppId"');
  });

  it("scope-mailboxes scopes by group membership and proves it both ways", () => {
    const source = script("scope-mailboxes.ps1");
    expect(source).toContain("MemberOfGroup -eq");
    expect(source).toMatch(/New-ManagementRoleAssignment[^\n]*-App \$ServicePrincipalObjectId[^\n]*-CustomResourceScope \$ScopeName/);
    expect(source).toMatch(/Test-ServicePrincipalAuthorization -Identity \$ServicePrincipalObjectId -Resource \$InScopeMailbox/);
    expect(source).toMatch(/Test-ServicePrincipalAuthorization -Identity \$ServicePrincipalObjectId -Resource \$OutOfScopeMailbox/);
  });
});

describe("the API's app registration", () => {
  const apiRoles = JSON.parse(readFileSync(join(infraDir, "scripts", "api-app-roles.json"), "utf8")) as { appRoles: unknown[] };

  it("api-app-roles.json is shared/auth/app-roles.ts, role for role (regenerate it from there when a role changes)", () => {
    expect(apiRoles.appRoles).toEqual(JSON.parse(JSON.stringify(appRoleDefinitions)));
  });

  it("register-app reads the roles from it and hard-codes none of them", () => {
    const source = script("register-app.ps1");
    expect(source).toContain("api-app-roles.json");
    for (const role of appRoleDefinitions) {
      expect(source, `register-app.ps1 hard-codes ${role.id}`).not.toContain(role.id);
      expect(source, `register-app.ps1 hard-codes ${role.value}`).not.toMatch(new RegExp(`'${role.value.replace(".", "\\.")}'`));
    }
  });

  it("register-app sets the identifier URI, v2 tokens, the idtyp claim and directory roles in tokens", () => {
    const source = script("register-app.ps1");
    expect(source).toContain('identifierUris        = @("api://$AppId")');
    expect(source).toContain("requestedAccessTokenVersion = 2");
    expect(source).toMatch(/accessToken = @\(\[ordered\]@\{ name = 'idtyp'/);
    expect(source).toContain("'DirectoryRole'");
  });
});
