/**
 * `npm run test:faults`: every fault scenario in its long form (FAULTS_FULL=1), then the table of
 * rows, printed and written into BENCHMARKS.md. Exits with vitest's code.
 *   npm run test:faults                       all scenarios (the kill scenario alone takes ~20 min)
 *   npm run test:faults -- graph-faults       some files (vitest filters)
 *   FAULTS_KILLS=5 npm run test:faults        more kills
 *   npm run test:faults -- --render-only      only rewrite the table from test/faults/results
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { writeBenchmarksSection } from "../bench/report.js";
import { faultTable, readRows } from "./report.js";
import { resultsDir } from "./support/results.js";

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const renderOnly = process.argv.includes("--render-only");
const filters = process.argv.slice(2).filter((a) => a !== "--render-only");
const started = Date.now();
let vitest: { status: number | null } = { status: 0 };
if (!renderOnly) {
  // Rows of scenarios not run this time are dropped only on a whole run.
  if (filters.length === 0) rmSync(resultsDir, { recursive: true, force: true });
  vitest = spawnSync(process.execPath, [path.join(repoRoot, "node_modules/vitest/vitest.mjs"), "run", ...(filters.length ? filters.map((f) => `test/faults/${f}`) : ["test/faults"])], {
    cwd: repoRoot,
    stdio: "inherit",
    env: { ...process.env, FAULTS_FULL: "1" },
  });
}
const rows = readRows();
const table = faultTable(rows);
process.stdout.write(`\n${table}\n`);
const minutes = Math.round((Date.now() - started) / 6000) / 10;
writeBenchmarksSection(path.join(repoRoot, "BENCHMARKS.md"), "faults", {
  markdown: `Taken ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC with \`npm run test:faults${filters.length ? ` -- ${filters.join(" ")}` : ""}\`${renderOnly ? " (rendered from test/faults/results)" : ` (FAULTS_FULL=1, ${minutes} min; vitest exit code ${vitest.status})`}; rows in the "run" column say whether each came from the long (full) or short form.\n\n${table}`,
});
process.exit(vitest.status ?? 1);
