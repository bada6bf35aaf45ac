/**
 * azd wiring: azure.yaml deploys the Function App the templates tag, from the folder that
 * infra/scripts/package-app.mjs stages with only what runs in Azure; main.parameters.json feeds
 * every required template parameter.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { infraDir, loadBicep, mainBicepPath, repoRoot, type BicepFile } from "./bicep.js";

const azureYaml = readFileSync(join(repoRoot, "azure.yaml"), "utf8");
const packageScript = readFileSync(join(infraDir, "scripts", "package-app.mjs"), "utf8");
const yamlValue = (key: string) => new RegExp(`^\\s*${key}:\\s*(\\S+)\\s*$`, "m").exec(azureYaml)?.[1];

let main: BicepFile;
beforeAll(async () => {
  main = await loadBicep(mainBicepPath);
});

describe("azure.yaml", () => {
  it("provisions infra/main.bicep", () => {
    expect([yamlValue("provider"), yamlValue("path"), yamlValue("module")]).toEqual(["bicep", "infra", "main"]);
  });

  it("deploys a TypeScript function app service to the site tagged with the same service name", () => {
    const service = /^services:\s*\n\s+(\S+):/m.exec(azureYaml)?.[1];
    expect([yamlValue("host"), yamlValue("language"), yamlValue("project")]).toEqual(["function", "ts", "."]);
    const [site] = main.resourcesOfType("Microsoft.Web/sites");
    expect(main.property(site!.body, "tags")?.text).toContain(`'azd-service-name': '${service}'`);
  });

  it("packages the folder package-app.mjs stages, with the script as the prepackage hook", () => {
    expect(yamlValue("dist")).toBe("infra/.build/app");
    expect(packageScript).toContain('join(root, "infra", ".build", "app")');
    const hooks = [...azureYaml.matchAll(/run:\s*(.+)$/gm)].map((m) => m[1]!.trim());
    expect(hooks.length).toBeGreaterThan(0);
    for (const hook of hooks) {
      expect(hook).toBe("node infra/scripts/package-app.mjs");
    }
    expect(yamlValue("remoteBuild")).toBe("false");
    expect(readFileSync(join(infraDir, ".gitignore"), "utf8")).toMatch(/^\.build\/$/m);
  });

  it("stages only dist/, host.json, package.json, package-lock.json and production dependencies", () => {
    expect(packageScript).toMatch(/for \(const file of \["host\.json", "package\.json", "package-lock\.json"\]\)/);
    expect(packageScript).toContain('cpSync(dist, join(out, "dist"), { recursive: true })');
    expect(packageScript).toContain('"ci", "--omit=dev"');
    expect(packageScript).toMatch(/for \(const forbidden of \["test",/);
    const packageJson = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { main: string; scripts: Record<string, string> };
    expect(packageJson.main.startsWith("dist/")).toBe(true);
    expect(packageJson.scripts.build).toBeDefined();
  });
});

describe("main.parameters.json", () => {
  const parameters = JSON.parse(readFileSync(join(infraDir, "main.parameters.json"), "utf8")) as { parameters: Record<string, { value: unknown }> };

  it("names only parameters main.bicep declares", () => {
    expect(Object.keys(parameters.parameters).filter((name) => !main.params.has(name))).toEqual([]);
  });

  it("supplies every parameter main.bicep requires (no default)", () => {
    const required = [...main.params.entries()].filter(([, p]) => !p.defaultValue).map(([name]) => name);
    expect(required.filter((name) => !(name in parameters.parameters))).toEqual([]);
  });

  it("exists next to the scripts the guide runs", () => {
    for (const script of ["register-app.ps1", "scope-mailboxes.ps1", "graph-permissions.json", "package-app.mjs"]) {
      expect(existsSync(join(infraDir, "scripts", script)), script).toBe(true);
    }
  });
});
