/**
 * `npm start`'s local host as a child process, the way a user runs it (the CLI, its settings from
 * the environment), on ephemeral ports so parallel test runs never collide.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { allAppRoles, type AppRole } from "../../shared/auth/app-roles.js";
import { connectExchangeSimulator } from "../tools/exchange-simulator/index.js";
import { demoTokenInput } from "../tools/local-host/demo-sign-in.js";
import { demoTenantId } from "../tools/local-host/demo-tenant.js";

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

export interface LocalHostProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** http://127.0.0.1:PORT (without /api), once ready. */
  apiUrl: string;
  simulatorUrl?: string;
  /** A token of the demo tenant for the API, as `npm run token` gets it (the demo's admin user, or --app). */
  token(roles?: AppRole[], options?: { app?: boolean }): Promise<string>;
  /** Calls the API with a token holding every role (or the headers given, e.g. another Authorization). */
  api(method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** Ctrl-C, and its exit code. */
  stop(): Promise<number | null>;
}

/** Runs the CLI and resolves with its exit code and output, for start-ups that must fail. */
export function runLocalHostToExit(env: Record<string, string>, timeoutMs = 30_000): Promise<{ code: number | null; output: string }> {
  const child = spawnCli(env, []);
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve) => child.once("exit", (code) => (clearTimeout(timer), resolve({ code, output }))));
}

function spawnCli(env: Record<string, string>, args: string[]): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "test/tools/local-host/cli.ts"), "--port", "0", ...args], {
    cwd: repoRoot,
    env: { ...process.env, LOCAL_SIMULATOR_PORT: "0", GRAPH_TENANT_ID: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export async function startLocalHostProcess(env: Record<string, string>, args: string[] = []): Promise<LocalHostProcess> {
  const child = spawnCli(env, args);
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const apiUrl = await waitFor(child, () => output, "the local host to be ready", () => /local host ready: (http:\/\/\S+)\/api/.exec(output)?.[1], 60_000);
  const simulatorUrl = /simulated Exchange Online at (https:\/\/\S+)/.exec(output)?.[1];
  const token = async (roles: AppRole[] = [...allAppRoles], options: { app?: boolean } = {}) => {
    if (!simulatorUrl) throw new Error("token(): only the demo tenant's simulator issues tokens here");
    return connectExchangeSimulator(simulatorUrl).issueApiToken(demoTokenInput(demoTenantId, { roles, app: options.app === true }));
  };
  let allRoles: string | undefined;
  return {
    child,
    output: () => output,
    apiUrl,
    simulatorUrl,
    token,
    async api(method, route, body, headers = {}) {
      // Without the demo's simulator (a real tenant's settings) no token is sent: such tests run --no-auth.
      allRoles ??= simulatorUrl ? await token() : "";
      const authorization = headers.Authorization ?? (allRoles ? `Bearer ${allRoles}` : undefined);
      const response = await fetch(`${apiUrl}/api/${route}`, { method, headers: { "Content-Type": "application/json", ...headers, ...(authorization ? { Authorization: authorization } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    stop() {
      if (child.exitCode !== null) return Promise.resolve(child.exitCode);
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGINT");
      const forced = setTimeout(() => child.kill("SIGKILL"), 20_000);
      return exited.finally(() => clearTimeout(forced));
    },
  };
}

/** Polls `probe` until it answers something, failing with the host's output when it exits or times out. */
export function waitFor<T>(child: ChildProcess, output: () => string, what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const attempt = async () => {
      try {
        const value = await probe();
        if (value !== undefined) return resolve(value);
      } catch {
        // not yet
      }
      if (child.exitCode !== null) return reject(new Error(`The local host exited (${child.exitCode}) while waiting for ${what}. Output:\n${output()}`));
      if (Date.now() - started > timeoutMs) return reject(new Error(`Timed out waiting for ${what}. Output so far:\n${output()}`));
      setTimeout(attempt, 250);
    };
    void attempt();
  });
}
