/**
 * `npm start`: runs the product on this machine. See README "Quick start" and "Configuration".
 *
 * Flags: --in-memory (keep no data), --port N (HTTP, default 7071), --verbose (one line per cycle),
 * --no-auth (the API asks for no token: only when asked for, and said on every start).
 * Settings come from the environment and, when present, local.settings.json's "Values" (the
 * environment wins), exactly as the Functions host reads them.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { allAppRoles } from "../../../shared/auth/app-roles.js";
import { SettingsError, type Environment } from "../../../shared/config/settings.js";
import { buildConsole, consoleBuildStale } from "../../../console/build.js";
import { ensureDevCertificates } from "../dev-certificates.js";
import { StateFileError } from "../exchange-simulator/state-file.js";
import { modeDataFolder, parseSyncMailboxes } from "./data-folders.js";
import { startLocalHost, type LocalHost } from "./local-host.js";
import { readLocalSettings, repoRoot } from "./local-settings.js";
import { progressLine } from "./progress.js";

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function integerSetting(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) fail(`Setting ${name} is malformed ("${raw}"): expected a whole number from ${min} to ${max}.`);
  return value;
}

function flagValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  let env: Environment;
  try {
    env = { ...readLocalSettings(), ...process.env };
  } catch (error) {
    return fail((error as Error).message);
  }
  const realTenant = Boolean(env.GRAPH_TENANT_ID?.trim());

  // The simulator's TLS certificate comes from a local CA; Node trusts extra CAs only from
  // NODE_EXTRA_CA_CERTS at start-up, so start again with it set.
  if (!realTenant) {
    const certificates = ensureDevCertificates();
    if (process.env.NODE_EXTRA_CA_CERTS !== certificates.caPath) {
      const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
        stdio: "inherit",
        env: { ...process.env, NODE_EXTRA_CA_CERTS: certificates.caPath },
      });
      // Ctrl-C reaches both processes; the child shuts down and this one follows it.
      process.on("SIGINT", () => undefined);
      process.on("SIGTERM", () => child.kill("SIGTERM"));
      child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
      return;
    }
  }

  const port = flagValue("--port") ?? env.LOCAL_HTTP_PORT;
  const syncMailboxes = parseSyncMailboxes(env.LOCAL_SYNC_MAILBOXES);
  if ("error" in syncMailboxes) fail(syncMailboxes.error);
  const dataRoot = env.LOCAL_DATA_DIR ? path.resolve(env.LOCAL_DATA_DIR) : path.join(repoRoot, ".local");
  const options = {
    env,
    host: "127.0.0.1",
    httpPort: integerSetting({ LOCAL_HTTP_PORT: port }, "LOCAL_HTTP_PORT", 7071, 0, 65535),
    dataDir: path.join(dataRoot, modeDataFolder(realTenant ? env.GRAPH_TENANT_ID : undefined)),
    inMemory: process.argv.includes("--in-memory") || env.LOCAL_IN_MEMORY === "1" || env.LOCAL_IN_MEMORY === "true",
    schedulerIntervalMs: integerSetting(env, "LOCAL_SCHEDULER_INTERVAL_SECONDS", 5, 1, 600) * 1000,
    demo: realTenant
      ? undefined
      : {
          mailboxCount: integerSetting(env, "LOCAL_DEMO_MAILBOXES", 20, 1, 1000),
          mailEveryMs: integerSetting(env, "LOCAL_DEMO_MAIL_EVERY_MS", 3000, 100, 3_600_000),
          simulatorPort: integerSetting(env, "LOCAL_SIMULATOR_PORT", 7443, 0, 65535),
        },
    realMailboxes: syncMailboxes.addresses,
    log: (line: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`),
    verbose: process.argv.includes("--verbose") || env.LOCAL_VERBOSE === "1",
    // A flag only, never a setting: an open API is a choice made at each start.
    noAuth: process.argv.includes("--no-auth"),
  };
  if (realTenant && options.realMailboxes.length === 0) {
    options.log("A real tenant is configured but LOCAL_SYNC_MAILBOXES is empty: set it to the addresses to sync (comma-separated).");
  }

  // The console's page: built on the first start and whenever its sources are newer than the build.
  if (consoleBuildStale()) {
    options.log("building the console (console/ → dist/console)…");
    try {
      await buildConsole(options.log);
    } catch (error) {
      fail(`the console did not build: ${(error as Error).message}`);
    }
  }

  let host: LocalHost;
  try {
    host = await startLocalHost(options);
  } catch (error) {
    if (error instanceof SettingsError || error instanceof StateFileError) fail(error.message);
    if ((error as { code?: string }).code === "EADDRINUSE") fail(`Port in use: ${(error as Error).message}. Stop the other process or choose another port (--port, LOCAL_HTTP_PORT, LOCAL_SIMULATOR_PORT).`);
    throw error;
  }

  options.log(`local host ready: ${host.url}/api (health, profiles, mailboxes, emails, appointments, contacts, tasks, alerts, settings: see README "HTTP API")`);
  if (host.simulatorUrl) options.log(`demo tenant: simulated Exchange Online at ${host.simulatorUrl} with ${options.demo!.mailboxCount} mailboxes; mail arrives every ${options.demo!.mailEveryMs} ms`);
  else options.log(`real tenant ${env.GRAPH_TENANT_ID}: syncing ${options.realMailboxes.length} mailbox(es)`);
  options.log(`console: ${host.url}/api/console/ ${host.simulatorUrl && !options.noAuth ? "(local demo sign-in: pick the roles to sign in with)" : options.noAuth ? "(sign-in is off)" : "(signs in with Entra ID: see README \"Admin console\")"}`);
  options.log(`data: ${options.inMemory ? "in memory" : options.dataDir} · Ctrl-C stops`);
  if (options.noAuth) {
    options.log(`SIGN-IN IS OFF (--no-auth): every request to ${host.url}/api is served as the local operator with every role (${allAppRoles.join(", ")}), without a token`);
  } else if (host.simulatorUrl) {
    options.log(`API tokens: npm run -s token -- <role>... (${allAppRoles.join(", ")}; --app for the CRM application's), then curl -H "Authorization: Bearer $TOKEN"`);
  } else {
    options.log(`API tokens come from tenant ${env.API_TENANT_ID || env.GRAPH_TENANT_ID}: az account get-access-token --scope api://${env.API_AUDIENCE}/.default --query accessToken -o tsv`);
  }

  if (!options.inMemory && existsSync(path.join(dataRoot, "azurite"))) {
    options.log(`${path.join(dataRoot, "azurite")} is from an earlier version of the local host (one data folder for every mode) and is no longer read: delete it`);
  }

  const progress = setInterval(() => options.log(progressLine(host.progress())), 10_000);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(progress);
    options.log("stopping…");
    await host.stop();
    options.log("stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
}

main().catch((error: unknown) => fail(`local host failed to start: ${error instanceof Error ? error.message : String(error)}`));
