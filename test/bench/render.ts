/**
 * Re-renders BENCHMARKS.md's figures sections from test/bench/results/latest.json (and fleet.json,
 * when there is one) without running anything (after a change to report.ts or fleet-report.ts):
 *   npx tsx test/bench/render.ts
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fleetMarkdown, type FleetResults } from "./fleet-report.js";
import { writeBenchmarksSection } from "./report.js";
import type { BenchResults } from "./run.js";

const here = path.dirname(new URL(import.meta.url).pathname);
const benchmarks = path.resolve(here, "../../BENCHMARKS.md");
const results = JSON.parse(readFileSync(path.join(here, "results/latest.json"), "utf8")) as BenchResults;
writeBenchmarksSection(benchmarks, "bench", results);
const fleetFile = path.join(here, "results/fleet.json");
if (existsSync(fleetFile)) writeBenchmarksSection(benchmarks, "fleet", { markdown: fleetMarkdown(JSON.parse(readFileSync(fleetFile, "utf8")) as FleetResults) });
