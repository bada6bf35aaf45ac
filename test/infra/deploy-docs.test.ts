/**
 * The deployment guide against the templates and the code: the number of alert rules it promises,
 * the Exchange tenant azd can set, and a field reference (docs/admin-api.md) that lists every field
 * of profiles, mailboxes and settings instead of sending admins to a TypeScript file.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { credentialSchema, mailboxBody, mailboxReadOnlyFields, profileBody, settingsBody } from "../../shared/api/admin-schemas.js";
import { infraDir, loadBicep, mainBicepPath, repoRoot, type BicepFile } from "./bicep.js";

const doc = (name: string) => readFileSync(join(repoRoot, "docs", name), "utf8");
const numberWords = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

let main: BicepFile;
let monitoring: BicepFile;
beforeAll(async () => {
  main = await loadBicep(mainBicepPath);
  monitoring = await loadBicep(join(infraDir, "monitoring", "monitoring.bicep"));
});

describe("docs/deploy.md", () => {
  it("promises as many alert rules as the templates deploy, and operations.md explains each", () => {
    const rules = ["Microsoft.Insights/metricAlerts", "Microsoft.Insights/scheduledQueryRules"].flatMap((type) => monitoring.resourcesOfType(type));
    expect(doc("deploy.md")).toMatch(new RegExp(`lists the ${numberWords[rules.length]} rules of this deployment`));
    const operations = doc("operations.md");
    const table = operations.slice(operations.indexOf("**The alert rules**"), operations.indexOf("**The product's own alerts**"));
    expect(table.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| rule") && !line.startsWith("| ---"))).toHaveLength(rules.length);
  });

  it("lets azd set the Exchange tenant (GRAPH_TENANT_ID), the subscription's tenant when unset", () => {
    const parameters = JSON.parse(readFileSync(join(infraDir, "main.parameters.json"), "utf8")) as { parameters: Record<string, { value: string }> };
    expect(parameters.parameters.graphTenantId?.value).toBe("${GRAPH_TENANT_ID=}");
    expect(main.evaluate(main.params.get("graphTenantId")!.defaultValue)).toBe("");
    // The evaluator has no empty(): the fallback is checked as written.
    expect(main.vars.get("effectiveGraphTenantId")?.text).toBe("!empty(graphTenantId) ? graphTenantId : tenant().tenantId");
    const appSetting = main.property(main.vars.get("syncSettings"), "GRAPH_TENANT_ID");
    expect(appSetting?.text).toBe("effectiveGraphTenantId");
    expect(doc("deploy.md")).toMatch(/azd env set GRAPH_TENANT_ID /);
    expect(doc("deploy.md")).toMatch(/graphTenantId=/);
  });

  it("sends admins to the field reference, not to the code", () => {
    expect(doc("deploy.md")).not.toMatch(/\.ts\b.*every field|admin-schemas/);
    expect(doc("deploy.md")).toMatch(/\(admin-api\.md\)/);
  });
});

/** The keys of an object schema, through optional/default/pipe wrappers. */
function keysOf(schema: z.core.$ZodType): string[] {
  const def = schema._zod.def as unknown as Record<string, any>;
  if (def.type === "object") return Object.keys(def.shape);
  if (def.type === "pipe") return keysOf(def.in);
  if (def.innerType) return keysOf(def.innerType);
  if (def.type === "union") return [...new Set((def.options as z.core.$ZodType[]).flatMap(keysOf))];
  return [];
}

describe("docs/admin-api.md", () => {
  const reference = doc("admin-api.md");
  const section = (title: string) => reference.slice(reference.indexOf(`## ${title}`)).split(/\n## /)[0]!;
  /** In a table row of the section, as `field`. */
  const documented = (text: string, field: string) => new RegExp("^\\|.*`" + field + "`", "m").test(text);

  it.each([
    ["Email server profiles", [...keysOf(profileBody), ...keysOf(credentialSchema), "id", "createdAt", "updatedAt"]],
    ["Mailboxes", [...keysOf(mailboxBody), ...mailboxReadOnlyFields]],
    ["Organization settings", [...keysOf(settingsBody), "updatedAt", "deploymentId"]],
  ])("documents every field of %s in its tables", (title, fields) => {
    const text = section(title);
    expect(fields.filter((field) => !documented(text, field))).toEqual([]);
  });
});
