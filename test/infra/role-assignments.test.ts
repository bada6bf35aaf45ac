/**
 * The app's identity holds a role for every data-plane call the code makes and nothing broader:
 * tables and blobs (storage data roles), Service Bus send and receive, Key Vault references
 * (Secrets User), Entra-authenticated telemetry (Monitoring Metrics Publisher), host storage and the
 * Flex deployment package (Blob Data Owner). Role ids are the built-in ones, scoped to the resource
 * the call goes to.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { filesUnder, isPlainObject, loadBicep, mainBicepPath, repoRoot, type BicepFile } from "./bicep.js";

/** Built-in role definition ids (the same in every tenant) and their names. */
const builtInRoles: Record<string, string> = {
  "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
  "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
  "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
  "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
  "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39": "Azure Service Bus Data Sender",
  "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0": "Azure Service Bus Data Receiver",
  "090c5cfd-751d-490a-894a-3ce6f1109419": "Azure Service Bus Data Owner",
  "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
  "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
  "a4417e6f-fecd-4de8-b567-7b0420556985": "Key Vault Certificates Officer",
  "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
};

interface Assignment {
  symbol: string;
  role: string;
  scopeType: string;
  principal: string;
  conditional: boolean;
  where: string;
}

interface Family {
  /** What the code does. */
  operation: string;
  /** Whether the code (or the templates' settings) performs it. */
  performed: () => boolean;
  /** Roles that allow it (any one). */
  roles: string[];
  scopeType: string;
}

let main: BicepFile;
let assignments: Assignment[];

const productSources = [...filesUnder(join(repoRoot, "shared"), ".ts"), ...filesUnder(join(repoRoot, "functions"), ".ts")].map((file) => readFileSync(file, "utf8"));
const codeUses = (pattern: RegExp) => productSources.some((source) => pattern.test(source));

beforeAll(async () => {
  main = await loadBicep(mainBicepPath);
  assignments = main.resourcesOfType("Microsoft.Authorization/roleAssignments").map((resource) => {
    const properties = main.property(resource.body, "properties");
    const definition = main.property(properties, "roleDefinitionId");
    const args = definition?.childForFieldName("arguments")?.namedChildren.filter((n) => !!n) ?? [];
    const roleId = main.evaluate(args[args.length - 1]);
    const scopeSymbol = main.property(resource.body, "scope")?.text ?? "";
    return {
      symbol: resource.symbol,
      role: typeof roleId === "string" ? roleId : `unresolved ${definition?.text}`,
      scopeType: main.resource(scopeSymbol)?.typeName ?? `unknown scope '${scopeSymbol}'`,
      principal: main.property(properties, "principalId")?.text ?? "",
      conditional: !!resource.condition,
      where: main.line(resource.node),
    };
  });
});

const appIdentity = (a: Assignment) => a.principal === "identity.properties.principalId" && !a.conditional;

const families: Family[] = [
  {
    operation: "Table Storage: product state and records (@azure/data-tables)",
    performed: () => codeUses(/from "@azure\/data-tables"/),
    roles: ["Storage Table Data Contributor"],
    scopeType: "Microsoft.Storage/storageAccounts",
  },
  {
    operation: "Blob Storage: large bodies (@azure/storage-blob)",
    performed: () => codeUses(/from "@azure\/storage-blob"/),
    roles: ["Storage Blob Data Contributor", "Storage Blob Data Owner"],
    scopeType: "Microsoft.Storage/storageAccounts",
  },
  {
    operation: "Functions host storage over an identity (AzureWebJobsStorage__accountName) and the Flex deployment package",
    performed: () => main.source.includes("AzureWebJobsStorage__accountName") || main.source.includes("'UserAssignedIdentity'"),
    roles: ["Storage Blob Data Owner"],
    scopeType: "Microsoft.Storage/storageAccounts",
  },
  {
    operation: "Service Bus send: workload messages (ServiceBusClient createSender / scheduleMessages)",
    performed: () => codeUses(/createSender\(/),
    roles: ["Azure Service Bus Data Sender", "Azure Service Bus Data Owner"],
    scopeType: "Microsoft.ServiceBus/namespaces",
  },
  {
    operation: "Service Bus receive: queue triggers (kind: serviceBusQueue)",
    performed: () => codeUses(/kind: "serviceBusQueue"/),
    roles: ["Azure Service Bus Data Receiver", "Azure Service Bus Data Owner"],
    scopeType: "Microsoft.ServiceBus/namespaces",
  },
  {
    operation: "Key Vault references in app settings (@Microsoft.KeyVault)",
    performed: () => main.source.includes("@Microsoft.KeyVault("),
    roles: ["Key Vault Secrets User"],
    scopeType: "Microsoft.KeyVault/vaults",
  },
  {
    operation: "Entra-authenticated telemetry (APPLICATIONINSIGHTS_AUTHENTICATION_STRING)",
    performed: () => main.source.includes("APPLICATIONINSIGHTS_AUTHENTICATION_STRING"),
    roles: ["Monitoring Metrics Publisher"],
    scopeType: "Microsoft.Insights/components",
  },
];

/** Roles the app identity may hold beyond the families above, with why. */
const optionalAppRoles: Record<string, string> = {
  "Azure Service Bus Data Owner": "only with serviceBusAccurateScaling: lets the platform read queue lengths to scale",
};

/** Roles the optional admin principal may hold, with why. */
const adminRoles: Record<string, string> = {
  "Key Vault Certificates Officer": "register-app.ps1 creates and rotates the Graph certificate",
  "Key Vault Secrets Officer": "register-app.ps1 stores and rotates the Graph client secret",
};

describe("role assignments", () => {
  it("use known built-in role definition ids", () => {
    const roles = main.evaluate(main.vars.get("roles"));
    expect(isPlainObject(roles), "var roles in infra/main.bicep").toBe(true);
    const unknown = Object.entries(roles as Record<string, unknown>).filter(([, id]) => typeof id !== "string" || !(id in builtInRoles));
    expect(unknown, "role ids in var roles that are not the built-in roles of this test").toEqual([]);
    const unresolved = assignments.filter((a) => !(a.role in builtInRoles)).map((a) => `${a.where} ${a.symbol}: ${a.role}`);
    expect(unresolved).toEqual([]);
  });

  it.each(families.map((f) => [f.operation, f]))("grant the app identity a role for: %s", (_operation, family) => {
    if (!family.performed()) return;
    const granted = assignments.filter((a) => appIdentity(a) && family.roles.includes(builtInRoles[a.role]!) && a.scopeType === family.scopeType);
    expect(
      granted.map((a) => a.symbol),
      `no unconditional role assignment of ${family.roles.join(" or ")} to identity.properties.principalId on a ${family.scopeType} in infra/main.bicep`,
    ).not.toEqual([]);
  });

  it("grant the app identity nothing beyond those roles", () => {
    const needed = new Set(families.filter((f) => f.performed()).flatMap((f) => f.roles));
    const extra = assignments
      .filter((a) => a.principal === "identity.properties.principalId")
      .filter((a) => {
        const name = builtInRoles[a.role]!;
        // An optional role must stay behind its switch; any other role must be one the code needs.
        return a.conditional ? !(name in optionalAppRoles) : !needed.has(name);
      })
      .map((a) => `${a.where} ${a.symbol}: ${builtInRoles[a.role] ?? a.role}`);
    expect(extra).toEqual([]);
    const storageQueue = assignments.filter((a) => builtInRoles[a.role] === "Storage Queue Data Contributor");
    expect(storageQueue.map((a) => a.symbol), "the app uses no storage queues (no blob trigger, no Durable Functions)").toEqual([]);
  });

  it("grant other principals only the optional admin roles on the vault, and only when asked", () => {
    const others = assignments.filter((a) => a.principal !== "identity.properties.principalId");
    for (const a of others) {
      expect(a.principal, `${a.where}`).toBe("adminPrincipalId");
      expect(a.conditional, `${a.where} must depend on adminPrincipalId being set`).toBe(true);
      expect(Object.keys(adminRoles), `${a.where}`).toContain(builtInRoles[a.role]);
      expect(a.scopeType).toBe("Microsoft.KeyVault/vaults");
    }
  });

  it("name each assignment deterministically from scope, principal and role (re-deployable)", () => {
    for (const resource of main.resourcesOfType("Microsoft.Authorization/roleAssignments")) {
      expect(main.property(resource.body, "name")?.text, main.line(resource.node)).toMatch(/^guid\(\w+\.id, (identity\.id|adminPrincipalId), roles\.\w+\)$/);
    }
  });
});
