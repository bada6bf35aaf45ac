/**
 * Starts fleet-worker.ts as a child process over a backend's simulator (the tenant) and a storage
 * account elsewhere, and talks to it: its API over HTTP with a token the simulator signs, its
 * counters over IPC.
 */
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { allAppRoles, tenantAdminDirectoryRoles } from "../../../shared/auth/app-roles.js";
import type { Environment } from "../../../shared/config/settings.js";
import type { Backend } from "./backend.js";
import type { FleetSnapshot } from "./fleet-worker.js";
import { benchApiAudience } from "./local-host-child.js";

const here = path.dirname(new URL(import.meta.url).pathname);

export interface FleetWorker {
  child: ChildProcess;
  apiUrl: string;
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
  snapshot(): Promise<FleetSnapshot>;
  stop(): Promise<void>;
}

export async function startFleetWorker(options: { tenant: Backend; storage: string; port: number; env?: Environment }): Promise<FleetWorker> {
  const { tenant } = options;
  const env: Environment = {
    GRAPH_TENANT_ID: tenant.tenantId,
    GRAPH_CLIENT_ID: tenant.clientId,
    GRAPH_CLIENT_SECRET: tenant.clientSecret,
    GRAPH_ENDPOINT: tenant.simulatorUrl,
    LOGIN_AUTHORITY_HOST: tenant.simulatorUrl,
    API_TENANT_ID: tenant.tenantId,
    API_AUDIENCE: benchApiAudience,
    SyncStorage: options.storage,
    ...options.env,
  };
  const child = fork(path.join(here, "fleet-worker.ts"), [], {
    // FLEET_CPU_PROF=<folder>: a CPU profile of the worker, written when it stops.
    execArgv: ["--import", "tsx", ...(process.env.FLEET_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.FLEET_CPU_PROF}`] : [])],
    env: { ...process.env, NODE_EXTRA_CA_CERTS: tenant.caPath },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, (value: FleetSnapshot) => void>();
  let nextId = 1;
  const apiUrl = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the fleet worker exited (${code}) before it was ready`)));
    child.on("message", (message: { ready?: { apiUrl: string }; id?: number; result?: FleetSnapshot }) => {
      if (message.ready) resolve(message.ready.apiUrl);
      else if (message.id !== undefined) {
        pending.get(message.id)?.(message.result!);
        pending.delete(message.id);
      }
    });
    child.send({ start: { env, port: options.port } });
  });
  const token = tenant.sim
    .issueApiToken({ tenantId: tenant.tenantId, audience: benchApiAudience, roles: [...allAppRoles], user: { name: "Bench admin", directoryRoles: [tenantAdminDirectoryRoles[0].templateId] }, lifetimeSeconds: 24 * 3600 })
    .then((jwt) => `Bearer ${jwt}`);
  return {
    child,
    apiUrl,
    async api(method, route, body) {
      const response = await fetch(`${apiUrl}/api/${route}`, {
        method,
        headers: { Authorization: await token, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    snapshot: () =>
      new Promise<FleetSnapshot>((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        child.send({ id, op: "snapshot" });
      }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.disconnect();
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
