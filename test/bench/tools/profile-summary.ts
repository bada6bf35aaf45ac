/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time by package (node_modules/<pkg>, node:
 * internals, the product's own files) and the top functions by self time, plus the inclusive
 * time of frames whose name or file matches --focus.
 *   npx tsx test/bench/tools/profile-summary.ts <file.cpuprofile> [--top 25] [--focus acquireToken]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export function summarise(profile: Profile, options: { top?: number; focus?: string[]; callers?: string[] } = {}): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const pkg = (url: string): string => {
    if (!url) return "(native / idle / gc)";
    if (url.startsWith("node:")) return url.split("/")[0]!.replace(/:.*$/, ":internals");
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) return m[1]!;
    const local = /\/(shared|functions|test)\//.exec(url);
    return local ? `project ${local[1]}/` : url;
  };
  const byPkg = new Map<string, number>();
  const byFn = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    const p = pkg(n.callFrame.url);
    byPkg.set(p, (byPkg.get(p) ?? 0) + t);
    const key = `${n.callFrame.functionName || "(anonymous)"}  ${n.callFrame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(shared|test|functions)\//, "$1/")}:${n.callFrame.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + t);
  }
  const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
  const lines = [`total sampled ${(total / 1000).toFixed(0)} ms`, "", "self time by package:"];
  for (const [p, t] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 20)) lines.push(`  ${pct(t)}  ${p}`);
  lines.push("", "top functions by self time:");
  for (const [f, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, options.top ?? 25)) lines.push(`  ${pct(t)}  ${f}`);
  for (const focus of options.focus ?? []) {
    // Inclusive: samples with a matching frame anywhere on their stack (counted once per sample).
    let inclusive = 0;
    profile.samples.forEach((id, i) => {
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const f = byId.get(cur)!.callFrame;
        if (f.functionName.includes(focus) || f.url.includes(focus)) {
          inclusive += profile.timeDeltas[i] ?? 0;
          break;
        }
      }
    });
    lines.push(`inclusive "${focus}": ${pct(inclusive)}`);
  }
  for (const leaf of options.callers ?? []) {
    // Where the self time of a function comes from: its callers' stacks (five frames up).
    const stacks = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      if (!byId.get(id)!.callFrame.functionName.includes(leaf)) return;
      const frames: string[] = [];
      for (let cur = parent.get(id); cur !== undefined && frames.length < 5; cur = parent.get(cur)) {
        const f = byId.get(cur)!.callFrame;
        frames.push(`${f.functionName || "(anon)"}@${f.url.replace(/^.*node_modules\//, "").replace(/^.*\/(shared|test)\//, "$1/")}:${f.lineNumber + 1}`);
      }
      const key = frames.join(" < ");
      stacks.set(key, (stacks.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
    lines.push("", `callers of ${leaf}:`);
    for (const [k, t] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 8)) lines.push(`  ${pct(t)}  ${k}`);
  }
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { top: { type: "string", default: "25" }, focus: { type: "string", multiple: true }, callers: { type: "string", multiple: true } } });
  for (const file of positionals) {
    console.log(`== ${file}`);
    console.log(summarise(JSON.parse(readFileSync(file, "utf8")) as Profile, { top: Number(values.top), focus: values.focus, callers: values.callers }));
  }
}
