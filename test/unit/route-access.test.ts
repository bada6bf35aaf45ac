/**
 * Every HTTP function has an access rule (shared/auth/route-access.ts) and every admin change is
 * audited (shared/audit/audited-changes.ts): checked against the functions that functions/*.ts
 * register, so a new route cannot ship without a rule.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { auditedChanges } from "../../shared/audit/audited-changes.js";
import { routeAccess } from "../../shared/auth/route-access.js";
import { hostFunctionsLocally, registeredFunctions, type FunctionDefinition } from "../../shared/hosting/function-registry.js";

const functionsDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../functions");
type HttpDefinition = Extract<FunctionDefinition, { kind: "http" }>;
let http: HttpDefinition[];

beforeAll(async () => {
  hostFunctionsLocally();
  for (const file of readdirSync(functionsDir).filter((f) => f.endsWith(".ts"))) await import(pathToFileURL(path.join(functionsDir, file)).href);
  http = registeredFunctions().filter((d): d is HttpDefinition => d.kind === "http");
}, 60_000);

const describeRoute = (d: HttpDefinition) => `${d.name} (${d.methods.join(",")} /api/${d.route})`;

describe("the route → role table", () => {
  it("has a rule for every registered HTTP function", () => {
    expect(http.length).toBeGreaterThan(50);
    const missing = http.filter((d) => !Object.hasOwn(routeAccess, d.name)).map(describeRoute);
    expect(missing, `HTTP functions without an access rule: add a row for each to routeAccess in shared/auth/route-access.ts (the app roles it needs, or { exempt: "why" })`).toEqual([]);
  });

  it("has no row for a function that is not registered (a renamed or removed route)", () => {
    const names = new Set(http.map((d) => d.name));
    expect(Object.keys(routeAccess).filter((name) => !names.has(name)), "rows of routeAccess that name no HTTP function").toEqual([]);
  });

  it("gives every rule at least one role or the reason for its exemption (the health probe; Graph's notifications check clientState)", () => {
    for (const [name, rule] of Object.entries(routeAccess)) {
      if ("exempt" in rule) expect(rule.exempt.length, `${name}: say why it is exempt`).toBeGreaterThan(10);
      else expect(rule.roles.length, name).toBeGreaterThan(0);
    }
    expect(routeAccess.health).toHaveProperty("exempt");
  });

  it("keeps the admin API for Sync.Admin, approval for Sync.Approver, records for Records.ReadWrite, and lets Monitor.Read read only status, alerts, item-level failures (without subjects) and the dashboard", () => {
    const withRole = (role: string) => Object.entries(routeAccess).filter(([, rule]) => "roles" in rule && rule.roles.includes(role as never)).map(([name]) => name).sort();
    expect(withRole("Monitor.Read")).toEqual(["getMailbox", "getMonitoring", "listAlerts", "listFailures", "listMailboxes"]);
    expect(withRole("Sync.Approver")).toEqual(["approveMailbox", "getMailbox", "listMailboxes"]);
    expect(routeAccess.approveMailbox).toEqual({ roles: ["Sync.Approver"] });
    expect(routeAccess.listAudit).toEqual({ roles: ["Sync.Admin"] });
    for (const name of ["getEmail", "listEmails", "createEmail", "trackMessage", "createContact", "resolveAddresses"]) expect(routeAccess[name], name).toEqual({ roles: ["Records.ReadWrite"] });
  });
});

describe("the audited admin changes", () => {
  it("audit every admin API function that changes something (not GET, needs Sync.Admin or Sync.Approver)", () => {
    const changes = http.filter((d) => !d.methods.every((m) => m === "GET")).filter((d) => {
      const rule = routeAccess[d.name];
      return rule !== undefined && "roles" in rule && rule.roles.some((role) => role === "Sync.Admin" || role === "Sync.Approver");
    });
    expect(changes.length).toBeGreaterThan(5);
    const missing = changes.filter((d) => !Object.hasOwn(auditedChanges, d.name)).map(describeRoute);
    expect(missing, "admin changes without an audit row: add each to auditedChanges in shared/audit/audited-changes.ts").toEqual([]);
  });

  it("name only registered functions", () => {
    const names = new Set(http.map((d) => d.name));
    expect(Object.keys(auditedChanges).filter((name) => !names.has(name))).toEqual([]);
  });
});
