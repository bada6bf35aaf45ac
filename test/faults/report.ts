/** The fault scenarios' rows (test/faults/results/*.json) as a table, for the console and BENCHMARKS.md. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { resultsDir, type FaultRow } from "./support/results.js";

export function readRows(): FaultRow[] {
  if (!existsSync(resultsDir)) return [];
  return readdirSync(resultsDir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(path.join(resultsDir, f), "utf8")) as FaultRow)
    .sort((a, b) => a.scenario.localeCompare(b.scenario));
}

export function faultTable(rows: FaultRow[]): string {
  const lines = [
    "| scenario | run | delivered | stored | duplicated | lost | left disabled | recovery (cycles) | recovery (s) | verdict | notes |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const ok = r.stored === r.delivered && r.duplicated === 0 && r.lost === 0 && r.disabled === 0;
    const verdict = ok ? "holds" : r.knownBug ? `**fails: known bug** (${r.knownBug})` : "**fails**";
    lines.push(`| ${r.scenario} | ${r.mode} | ${r.delivered} | ${r.stored} | ${r.duplicated} | ${r.lost} | ${r.disabled} | ${r.recoveryCycles ?? "–"} | ${r.recoverySeconds ?? "–"} | ${verdict} | ${r.notes.replace(/\|/g, "/")} |`);
  }
  return lines.join("\n");
}
