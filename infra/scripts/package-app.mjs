#!/usr/bin/env node
/**
 * Builds the Function App's deployment package: only what runs in Azure.
 *
 *   node infra/scripts/package-app.mjs                 # stage infra/.build/app (azd deploys it)
 *   node infra/scripts/package-app.mjs --zip app.zip   # and zip it for `az functionapp deployment source config-zip`
 *   node infra/scripts/package-app.mjs --skip-install  # reuse the installed dev dependencies
 *
 * Steps: `npm ci` and `npm run build` at the repository root (a clean dist/), then copy dist/,
 * host.json, package.json and package-lock.json into infra/.build/app and install the production
 * dependencies there (`npm ci --omit=dev`). Tests, sources, tools and dev dependencies stay out.
 * azd runs this as the service's prepackage hook (azure.yaml).
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const out = join(root, "infra", ".build", "app");
const args = process.argv.slice(2);
const skipInstall = args.includes("--skip-install");
const zipIndex = args.indexOf("--zip");
const zipPath = zipIndex >= 0 ? args[zipIndex + 1] : undefined;
if (zipIndex >= 0 && !zipPath) fail("--zip needs a file name, for example --zip infra/.build/app.zip");

const isWindows = process.platform === "win32";

function fail(message) {
  console.error(`package-app: ${message}`);
  process.exit(1);
}

function run(command, commandArgs, cwd) {
  console.log(`package-app: ${command} ${commandArgs.join(" ")}${cwd === root ? "" : `  (in ${cwd})`}`);
  // npm is a .cmd on Windows, which Node only starts through a shell.
  execFileSync(command, commandArgs, { cwd, stdio: "inherit", shell: isWindows });
}

function sizeOf(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + sizeOf(join(path, entry)), 0);
}

// 1. Build from a clean dist/ so that nothing stale (for example compiled tests) is shipped.
if (!skipInstall) run("npm", ["ci", "--no-audit", "--no-fund"], root);
rmSync(join(root, "dist"), { recursive: true, force: true });
run("npm", ["run", "build"], root);

const dist = join(root, "dist");
const distEntries = existsSync(dist) ? readdirSync(dist) : [];
for (const required of ["functions", "shared", "console"]) {
  if (!distEntries.includes(required)) fail(`the build produced no dist/${required}; check tsconfig.build.json`);
}
const unexpected = distEntries.filter((entry) => !["functions", "shared", "console"].includes(entry));
if (unexpected.length > 0) fail(`dist/ holds more than the app (${unexpected.join(", ")}); only functions/, shared/ and console/ (the admin console's static files) are deployed`);
if (!readdirSync(join(dist, "functions")).some((file) => file.endsWith(".js"))) fail("dist/functions has no .js files (package.json main is dist/functions/*.js)");

// 2. Stage exactly what runs in Azure.
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(dist, join(out, "dist"), { recursive: true });
for (const file of ["host.json", "package.json", "package-lock.json"]) {
  if (!existsSync(join(root, file))) fail(`${file} is missing at the repository root`);
  cpSync(join(root, file), join(out, file));
}

// 3. Production dependencies only, exactly as locked; no install scripts run.
run("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], out);

// azd leaves node_modules out of a Node package unless the folder has its own ignore file; these
// ignore only themselves, so the staged folder is deployed as it is.
writeFileSync(join(out, ".funcignore"), ".funcignore\n.zipignore\n");
writeFileSync(join(out, ".zipignore"), ".funcignore\n.zipignore\n");

for (const forbidden of ["test", "functions", "shared", "infra", "docs", "local.settings.json"]) {
  if (existsSync(join(out, forbidden))) fail(`the package must not contain ${forbidden}`);
}

console.log(`package-app: staged ${out} (${(sizeOf(out) / 1024 / 1024).toFixed(1)} MB)`);

// 4. Optional zip for the az CLI path.
if (zipPath) {
  const target = resolve(process.cwd(), zipPath);
  rmSync(target, { force: true });
  if (isWindows) {
    run("pwsh", ["-NoProfile", "-Command", `Compress-Archive -Path '${out}\\*' -DestinationPath '${target}'`], out);
  } else {
    run("zip", ["-q", "-r", target, ".", "-x", ".funcignore", ".zipignore"], out);
  }
  console.log(`package-app: wrote ${target}`);
}
