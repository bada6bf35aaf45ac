/**
 * Every Bicep file and every PowerShell script under infra/ parses without an ERROR or MISSING node
 * (tree-sitter-bicep / tree-sitter-powershell, WebAssembly builds), and every file a template loads
 * (modules, loadTextContent) exists. The Bicep compiler cannot run here; this is the offline check.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { filesUnder, grammarParser, infraDir, loadBicep, rel, syntaxProblems } from "./bicep.js";

const bicepFiles = filesUnder(infraDir, ".bicep");
const powershellFiles = filesUnder(infraDir, ".ps1");

describe("infra syntax", () => {
  it("finds the templates and scripts", () => {
    expect(bicepFiles.map(rel)).toContain("infra/main.bicep");
    expect(powershellFiles.map(rel)).toEqual(expect.arrayContaining(["infra/scripts/register-app.ps1", "infra/scripts/scope-mailboxes.ps1"]));
  });

  it("detects a syntax error (the check itself works)", async () => {
    const parser = await grammarParser("tree-sitter-bicep");
    const broken = parser.parse("resource r 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: \n}\n")!;
    expect(syntaxProblems(broken.rootNode).length).toBeGreaterThan(0);
    const ps = await grammarParser("tree-sitter-powershell");
    expect(syntaxProblems(ps.parse("function f {\n  if ($a) { 'x'\n}\n")!.rootNode).length).toBeGreaterThan(0);
  });

  it.each(bicepFiles.map((file) => [rel(file), file]))("%s parses without errors", async (_name, file) => {
    const parser = await grammarParser("tree-sitter-bicep");
    const tree = parser.parse(readFileSync(file, "utf8"))!;
    const problems = syntaxProblems(tree.rootNode).map((p) => `${rel(file)}:${p.line}:${p.column} ${p.kind} ${p.text}`);
    expect(problems).toEqual([]);
  });

  it.each(powershellFiles.map((file) => [rel(file), file]))("%s parses without errors", async (_name, file) => {
    const parser = await grammarParser("tree-sitter-powershell");
    const tree = parser.parse(readFileSync(file, "utf8"))!;
    const problems = syntaxProblems(tree.rootNode).map((p) => `${rel(file)}:${p.line}:${p.column} ${p.kind} ${p.text}`);
    expect(problems).toEqual([]);
  });

  it.each(bicepFiles.map((file) => [rel(file), file]))("%s loads only files that exist", async (_name, file) => {
    const bicep = await loadBicep(file);
    const missing: string[] = [];
    for (const module of bicep.modules) {
      if (!existsSync(join(dirname(file), module.path))) missing.push(`module ${module.symbol}: ${module.path}`);
    }
    for (const match of bicep.source.matchAll(/load(?:Text|Json|FileAsBase64)Content\('([^']+)'/g)) {
      if (!existsSync(join(dirname(file), match[1]!))) missing.push(`${match[0]}')`);
    }
    expect(missing).toEqual([]);
  });

  it("uses no public module registry (plain resources only)", () => {
    const offenders = bicepFiles.filter((file) => /\bmodule\s+\w+\s+'(br[:/]|ts[:/])/.test(readFileSync(file, "utf8"))).map(rel);
    expect(offenders).toEqual([]);
  });
});
