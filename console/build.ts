/**
 * `npm run build` (and `npm start` when the build is missing or older than its sources): bundles the
 * console with vite and prints what the browser downloads, gzipped. Fails over the budget (150 KB
 * of JavaScript, issue 15), so a heavy dependency cannot slip in unnoticed.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

export const consoleSource = path.dirname(new URL(import.meta.url).pathname);
export const consoleOutput = path.resolve(consoleSource, "../dist/console");
const budgetBytes = 150 * 1024;

function newest(directory: string): number {
  return Math.max(...readdirSync(directory, { withFileTypes: true }).map((entry) => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? newest(full) : statSync(full).mtimeMs;
  }));
}

/** True when dist/console is missing or older than console/. */
export function consoleBuildStale(): boolean {
  try {
    return statSync(path.join(consoleOutput, "index.html")).mtimeMs < newest(consoleSource);
  } catch {
    return true;
  }
}

export interface BundleSizes {
  files: Array<{ file: string; bytes: number; gzipBytes: number }>;
  jsGzipBytes: number;
  /** What the first page load needs: index.html's own script, style and preloads, without lazy chunks (MSAL). */
  initialJsGzipBytes: number;
}

export function bundleSizes(): BundleSizes {
  const assets = path.join(consoleOutput, "assets");
  const files = readdirSync(assets).map((file) => {
    const content = readFileSync(path.join(assets, file));
    return { file, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
  });
  const html = readFileSync(path.join(consoleOutput, "index.html"), "utf8");
  const js = files.filter((f) => f.file.endsWith(".js"));
  return {
    files,
    jsGzipBytes: js.reduce((sum, f) => sum + f.gzipBytes, 0),
    initialJsGzipBytes: js.filter((f) => html.includes(f.file)).reduce((sum, f) => sum + f.gzipBytes, 0),
  };
}

export async function buildConsole(log: (line: string) => void = console.log): Promise<BundleSizes> {
  // vite only when building: `npm start` imports this module to check freshness on every start.
  const { build } = await import("vite");
  await build({ configFile: path.join(consoleSource, "vite.config.ts") });
  const sizes = bundleSizes();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  for (const f of sizes.files) log(`console: ${f.file.padEnd(36)} ${kb(f.bytes).padStart(9)}  gzip ${kb(f.gzipBytes).padStart(8)}`);
  log(`console: JavaScript ${kb(sizes.jsGzipBytes)} gzipped in all (budget ${kb(budgetBytes)}); the first load needs ${kb(sizes.initialJsGzipBytes)} (MSAL loads only for an Entra ID sign-in)`);
  if (sizes.jsGzipBytes > budgetBytes) throw new Error(`The console's JavaScript is ${kb(sizes.jsGzipBytes)} gzipped, over the ${kb(budgetBytes)} budget.`);
  return sizes;
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  buildConsole().catch((error: unknown) => {
    process.stderr.write(`console build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
