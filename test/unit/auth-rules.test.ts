/** The pure rules of sign-in: claims → caller, who may approve, what Monitor.Read sees, what a change changed. */
import { describe, expect, it } from "vitest";
import { tenantAdminDirectoryRoles } from "../../shared/auth/app-roles.js";
import { callerFromClaims, localOperator, type Caller } from "../../shared/auth/caller.js";
import { alertFor, hiddenAddress, mailboxFor, withoutAddresses } from "../../shared/auth/mail-content.js";
import { approvalRefusal, mailboxTenantOf } from "../../shared/auth/tenant-admin.js";
import { changedFields } from "../../shared/domain/audit-changes.js";

const tenant = "8f3a3c52-6f2e-4c8e-9a43-2b7f1d0e5a11";
const otherTenant = "11111111-2222-4333-8444-555555555555";
const [globalAdmin, exchangeAdmin] = tenantAdminDirectoryRoles.map((r) => r.templateId);
const userRoleTemplate = "b79fbf4d-3ef9-4689-8143-76b194e85509"; // the default "User" directory role

describe("the caller a token stands for", () => {
  it.each([
    ["a user's delegated token", { oid: "u1", sub: "s", name: "Megan Bowen", tid: tenant.toUpperCase(), scp: "access_as_user", roles: ["Sync.Approver"], wids: [globalAdmin] },
      { kind: "user", objectId: "u1", name: "Megan Bowen", tenantId: tenant, roles: ["Sync.Approver"], directoryRoles: [globalAdmin] }],
    ["an app-only token with idtyp app", { oid: "sp1", sub: "sp1", azp: "crm-client", tid: tenant, idtyp: "app", roles: ["Records.ReadWrite"], wids: [globalAdmin] },
      { kind: "app", objectId: "sp1", name: "application crm-client", tenantId: tenant, roles: ["Records.ReadWrite"], directoryRoles: [] }],
    ["an app-only token without the idtyp claim (no scp)", { oid: "sp1", sub: "sp1", azp: "crm-client", tid: tenant, roles: ["Records.ReadWrite"] },
      { kind: "app", objectId: "sp1", name: "application crm-client", tenantId: tenant, roles: ["Records.ReadWrite"], directoryRoles: [] }],
    ["roles of other applications are not this API's", { oid: "u1", name: "X", tid: tenant, scp: "x", roles: ["Mail.ReadWrite", "Directory.Read.All", "sync.admin"] },
      { kind: "user", objectId: "u1", name: "X", tenantId: tenant, roles: [], directoryRoles: [] }],
  ])("%s", (_, claims, caller) => {
    expect(callerFromClaims(claims)).toEqual(caller);
  });
});

const user = (over: Partial<Caller> = {}): Caller => ({ kind: "user", objectId: "u1", name: "A", tenantId: tenant, roles: ["Sync.Approver"], directoryRoles: [globalAdmin!], ...over });

describe("who may approve an Exchange Online mailbox's address", () => {
  it.each<[string, Caller, string, RegExp | undefined]>([
    ["a Global Administrator of the mailbox's tenant", user(), tenant, undefined],
    ["an Exchange Administrator of the mailbox's tenant", user({ directoryRoles: [userRoleTemplate, exchangeAdmin!] }), tenant.toUpperCase(), undefined],
    ["a user without either directory role", user({ directoryRoles: [userRoleTemplate] }), tenant, /Global Administrator or Exchange Administrator/],
    ["an administrator of another tenant", user({ tenantId: otherTenant }), tenant, new RegExp(`mailbox is in tenant ${tenant}`)],
    ["an application, whatever its roles", { ...user(), kind: "app", directoryRoles: [] }, tenant, /an application cannot approve/],
    ["anyone, when the tenant is configured by domain name", user(), "contoso.onmicrosoft.com", /GUID/],
    ["the local operator of npm start --no-auth", localOperator(["Sync.Approver"]), tenant, undefined],
  ])("%s", (_, caller, mailboxTenant, refusal) => {
    const answer = approvalRefusal(caller, mailboxTenant);
    if (refusal) expect(answer).toMatch(refusal);
    else expect(answer).toBeUndefined();
  });

  it("takes the mailbox's tenant from its profile's own app registration, else the deployment's", () => {
    expect(mailboxTenantOf({ kind: "deploymentApp" }, tenant.toUpperCase())).toBe(tenant);
    expect(mailboxTenantOf({ kind: "clientSecret", tenantId: otherTenant, clientId: "c", secretSetting: "PROFILE_CREDENTIAL_X" }, tenant)).toBe(otherTenant);
  });
});

describe("what a caller without mail-content roles sees", () => {
  const monitor = user({ roles: ["Monitor.Read"] });
  const mailbox = { id: "m1", emailAddress: "megan@contoso.example", workloads: { incoming: { lastError: { code: "ErrorX", message: "Mailbox megan@contoso.example not found", at: "t" } }, act: { lastError: null } } };
  const alert = { id: "a1", title: "The email address megan@contoso.example needs approval", cause: "c to pat.o'neil+crm@sub.fabrikam.co.uk", fix: "Approve it." };

  it("hides addresses in free text and leaves the rest", () => {
    expect(withoutAddresses("from a.b-c@x.example and Z@Y.ORG, not @handle or x@localhost")).toBe(`from ${hiddenAddress} and ${hiddenAddress}, not @handle or x@localhost`);
  });

  it("Monitor.Read alone: mailbox address null, addresses hidden in errors and alerts; ids kept", () => {
    expect(mailboxFor(monitor, mailbox)).toEqual({ id: "m1", emailAddress: null, workloads: { incoming: { lastError: { code: "ErrorX", message: `Mailbox ${hiddenAddress} not found`, at: "t" } }, act: { lastError: null } } });
    expect(alertFor(monitor, alert)).toEqual({ id: "a1", title: `The email address ${hiddenAddress} needs approval`, cause: `c to ${hiddenAddress}`, fix: "Approve it." });
  });

  it.each(["Sync.Admin", "Sync.Approver", "Records.ReadWrite"] as const)("%s (with or without Monitor.Read) sees them as they are", (role) => {
    const caller = user({ roles: ["Monitor.Read", role] });
    expect(mailboxFor(caller, mailbox)).toBe(mailbox);
    expect(alertFor(caller, alert)).toBe(alert);
  });
});

describe("what an admin change changed", () => {
  it("lists changed fields as dotted paths with before and after, leaving out what the server stamps", () => {
    const before = { id: "m1", approved: false, emailAddress: "a@x.example", updatedAt: "1", workloads: { incoming: { enabled: false, status: "NotRun", nextRunAt: null, recentItems: [] } } };
    const after = { id: "m1", approved: true, emailAddress: "a@x.example", updatedAt: "2", workloads: { incoming: { enabled: true, status: "Success", nextRunAt: "3", recentItems: [4] } } };
    expect(changedFields(before, after)).toEqual([
      { field: "approved", before: false, after: true },
      { field: "workloads.incoming.enabled", before: false, after: true },
      { field: "workloads.incoming.status", before: "NotRun", after: "Success" },
    ]);
  });

  it("a creation has every field before null, a deletion every field after null; arrays are values", () => {
    expect(changedFields(null, { name: "P", alertLevels: ["Error"] })).toEqual([{ field: "alertLevels", before: null, after: ["Error"] }, { field: "name", before: null, after: "P" }]);
    expect(changedFields({ name: "P" }, null)).toEqual([{ field: "name", before: "P", after: null }]);
    expect(changedFields({ a: 1 }, { a: 1 })).toEqual([]);
  });
});
