/**
 * Re-renders BENCHMARKS.md's figures section from test/bench/results/latest.json without running
 * anything (after a change to report.ts):  npx tsx test/bench/render.ts
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { writeBenchmarksSection } from "./report.js";
import type { BenchResults } from "./run.js";

const here = path.dirname(new URL(import.meta.url).pathname);
const results = JSON.parse(readFileSync(path.join(here, "results/latest.json"), "utf8")) as BenchResults;
writeBenchmarksSection(path.resolve(here, "../../BENCHMARKS.md"), "bench", results);
