/**
 * Every API example of README.md and docs/*.md runs as written — with real curl and jq, in order,
 * one shell per file — against `npm start` (demo tenant, in memory), and answers what the text
 * shows. The only substitutions: the local host's ephemeral port for 7071, `$API`/`$KEY`/`$TOKEN`,
 * which the docs set for a deployment, set for the local host (which asks for no key; `$TOKEN` is a
 * Sync.Admin token of the demo tenant), and LOCAL_SIMULATOR_PORT exported as the port its simulator
 * listens on, so `npm run token` finds it as it finds the default 7443. README's sample `npm start`
 * output is what the host prints (numbers aside).
 */
import { execFileSync, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { differs, docScript, jsonValues, parseExpected } from "../support/doc-examples.js";
import { startLocalHostProcess, waitFor, type LocalHostProcess } from "../support/local-host-process.js";

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
// In this order, on one host: the docs' examples build on README's, as a reader's would.
const docs = ["README.md", ...readdirSync(path.join(repoRoot, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)]
  .filter((doc) => docScript(path.join(repoRoot, doc), doc).examples > 0);
let host: LocalHostProcess;

beforeAll(async () => {
  for (const tool of ["curl", "jq", "bash"]) {
    try {
      execFileSync("which", [tool]);
    } catch {
      throw new Error(`The README's examples need ${tool} on PATH.`);
    }
  }
  host = await startLocalHostProcess({ LOCAL_SCHEDULER_INTERVAL_SECONDS: "2" }, ["--in-memory"]);
  // README: "`npm start` prints … a progress line every 10 seconds", then the examples.
  await waitFor(host.child, host.output, "the first progress line", () => (/\] mailboxes ok /.test(host.output()) ? true : undefined), 30_000);
}, 60_000);

afterAll(async () => {
  await host?.stop();
});

function runScript(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const prelude = [
    "set -euo pipefail",
    // Every HTTP status the examples get, on stderr: none may be an error.
    `curl() { command curl -w '%{stderr}@@status %{http_code}\\n' "$@"; }`,
    `API=${host.apiUrl}/api`,
    "KEY=the-local-host-asks-for-none",
    `export LOCAL_SIMULATOR_PORT=${new URL(host.simulatorUrl!).port}`,
    "TOKEN=$(npm run -s token -- Sync.Admin)",
  ].join("\n");
  // From the repository's root, as a reader who cloned it runs them (the migration example uploads docs/ files).
  const bash = spawn("bash", ["-c", `${prelude}\n${script.replaceAll("http://127.0.0.1:7071", host.apiUrl)}`], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  bash.stdout.on("data", (chunk) => (stdout += chunk));
  bash.stderr.on("data", (chunk) => (stderr += chunk));
  const timer = setTimeout(() => bash.kill("SIGKILL"), 40_000);
  return new Promise((resolve) => bash.once("exit", (code) => (clearTimeout(timer), resolve({ code, stdout, stderr }))));
}

describe("documented examples against npm start", () => {
  it("README's sample output of npm start is what it prints", () => {
    const readme = docScript(path.join(repoRoot, "README.md"), "README.md");
    expect(readme.examples).toBeGreaterThan(0);
    const sample = /`npm start` prints[^\n]*\n\n```\n([\s\S]*?)```/.exec(readme.markdown)?.[1];
    expect(sample, "README's sample output after \"`npm start` prints\"").toBeDefined();
    const shape = (line: string) => line.replace(/^\[[\d:]+\] /, "").replace(/\d+/g, "N");
    const printed = new Set(host.output().split("\n").map(shape));
    for (const line of sample!.trim().split("\n")) expect(printed, `README shows: ${line}`).toContain(shape(line));
  });

  it.each(docs)("%s: every example runs and answers what the text shows", async (doc) => {
    const { script, expected } = docScript(path.join(repoRoot, doc), doc);
    const { code, stdout, stderr } = await runScript(script);
    const context = `\n--- output ---\n${stdout}\n--- stderr ---\n${stderr}`;
    expect(code, `the examples of ${doc} stopped with an error${context}`).toBe(0);
    const statuses = [...stderr.matchAll(/@@status (\d+)/g)].map((m) => Number(m[1]));
    expect(statuses.filter((s) => s >= 400), `HTTP errors in ${doc}'s examples${context}`).toEqual([]);
    for (const answer of expected) {
      const segment = stdout.split(`@@expect ${answer.id}\n`)[0]!.split(/@@expect \d+\n|@@example \S+\n/).at(-1)!;
      const shown = parseExpected(answer.text);
      const got = jsonValues(segment).slice(-shown.length);
      const difference = shown.map((value, i) => differs(value, got[i])).find(Boolean);
      expect(difference, `${answer.where} shows ${answer.text}\nbut the example printed:\n${segment}`).toBeUndefined();
    }
  }, 60_000);
});
