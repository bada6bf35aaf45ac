/**
 * `npm start`'s local host as a child process pointed at a backend's simulator as a "real tenant"
 * (GRAPH_* settings + LOCAL_SYNC_MAILBOXES), the way test/e2e/local-host.test.ts runs it, with
 * helpers for its HTTP API. Used by the latency and outgoing benchmarks and the kill scenario.
 * The simulator is that tenant's identity platform too: it signs the API's tokens, which the local
 * host validates as it would a real tenant's.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { allAppRoles, tenantAdminDirectoryRoles } from "../../../shared/auth/app-roles.js";
import type { Environment } from "../../../shared/config/settings.js";
import { connectExchangeSimulator } from "../../tools/exchange-simulator/index.js";

/** The API's application (client) id the child is told to accept tokens for. */
export const benchApiAudience = "3c2d1e0f-0000-4000-8000-0000000000a1";

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../..");

export interface LocalHostChild {
  child: ChildProcess;
  apiUrl: string;
  output(): string;
  /** `Bearer <token>` of an admin with every role, signed by the tenant's simulator. */
  authorization(): Promise<string>;
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** SIGKILL, no clean-up: what a crashed worker looks like. */
  kill(): Promise<void>;
  /** Ctrl-C. */
  stop(): Promise<void>;
}

export interface LocalHostChildOptions {
  /** The simulator to treat as the tenant, and its app's credentials. */
  tenant: { simulatorUrl: string; caPath: string; tenantId: string; clientId: string; clientSecret: string };
  mailboxes: string[];
  port?: number;
  /** Folder for persisted data; omit for --in-memory. */
  dataDir?: string;
  schedulerIntervalSeconds?: number;
  env?: Environment;
  verbose?: boolean;
  readyTimeoutMs?: number;
}

export async function startLocalHostChild(options: LocalHostChildOptions): Promise<LocalHostChild> {
  const args = ["--import", "tsx", path.join(repoRoot, "test/tools/local-host/cli.ts"), "--port", String(options.port ?? 0)];
  if (!options.dataDir) args.push("--in-memory");
  if (options.verbose) args.push("--verbose");
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: options.tenant.caPath,
      GRAPH_TENANT_ID: options.tenant.tenantId,
      GRAPH_CLIENT_ID: options.tenant.clientId,
      GRAPH_CLIENT_SECRET: options.tenant.clientSecret,
      GRAPH_ENDPOINT: options.tenant.simulatorUrl,
      LOGIN_AUTHORITY_HOST: options.tenant.simulatorUrl,
      API_TENANT_ID: options.tenant.tenantId,
      API_AUDIENCE: benchApiAudience,
      LOCAL_SYNC_MAILBOXES: options.mailboxes.join(","),
      LOCAL_SCHEDULER_INTERVAL_SECONDS: String(options.schedulerIntervalSeconds ?? 60),
      ...(options.dataDir ? { LOCAL_DATA_DIR: options.dataDir, LOCAL_IN_MEMORY: "" } : {}),
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const apiUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the local host was not ready in time:\n${output}`)), options.readyTimeoutMs ?? 60_000);
    const check = () => {
      const url = /local host ready: (http:\/\/\S+)\/api/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the local host exited (${code}) before it was ready:\n${output}`));
    });
  });
  let token: Promise<string> | undefined;
  const authorization = () =>
    (token ??= connectExchangeSimulator(options.tenant.simulatorUrl)
      .issueApiToken({ tenantId: options.tenant.tenantId, audience: benchApiAudience, roles: [...allAppRoles], user: { name: "Bench admin", directoryRoles: [tenantAdminDirectoryRoles[0].templateId] }, lifetimeSeconds: 24 * 3600 })
      .then((jwt) => `Bearer ${jwt}`));
  return {
    child,
    apiUrl,
    output: () => output,
    authorization,
    async api(method, route, body) {
      const response = await fetch(`${apiUrl}/api/${route}`, {
        method,
        headers: { Authorization: await authorization(), ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGINT");
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** The local host's mailbox id for an address (as in demo-tenant.ts mailboxIdFor). */
export { mailboxIdFor } from "../../tools/local-host/demo-tenant.js";
