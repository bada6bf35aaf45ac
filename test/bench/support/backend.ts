/**
 * Starts backend-process.ts as a child process and talks to it over IPC. The parent gets the
 * settings to point a runtime (or the local host) at it, the simulator's control methods as
 * promises, bulk helpers, and the child's CPU usage.
 */
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Environment } from "../../../shared/config/settings.js";
import type { DeliverMessageInput, RemoteExchangeSimulator } from "../../tools/exchange-simulator/index.js";
import type { BackendOptions, BackendReady } from "./backend-process.js";

export type { BackendOptions, BackendReady };

const here = path.dirname(new URL(import.meta.url).pathname);

export interface Backend extends BackendReady {
  child: ChildProcess;
  /** Settings for a runtime or the local host: Graph at the simulator, storage at Azurite. */
  env: Environment;
  /** The simulator's control methods, run in the backend process. */
  sim: RemoteExchangeSimulator;
  addMailboxes(prefix: string, count: number, domain?: string): Promise<Array<{ id: string; address: string }>>;
  deliverBatch(messages: DeliverMessageInput[]): Promise<Array<{ id: string; internetMessageId: string }>>;
  usage(): Promise<{ cpu: NodeJS.CpuUsage; memory: NodeJS.MemoryUsage }>;
  stopAzurite(): Promise<void>;
  startAzurite(): Promise<string | null>;
  stop(): Promise<void>;
}

export async function startBackend(options: BackendOptions = { azurite: "memory" }): Promise<Backend> {
  const child = fork(path.join(here, "backend-process.ts"), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, BENCH_BACKEND_OPTIONS: JSON.stringify(options) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const ready = await new Promise<BackendReady>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the backend process exited (${code}) before it was ready`));
    child.once("exit", onExit);
    child.on("message", (message: { ready?: BackendReady; id?: number; result?: unknown; error?: string }) => {
      if (message.ready) {
        child.off("exit", onExit);
        resolve(message.ready);
        return;
      }
      const waiter = message.id === undefined ? undefined : pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id!);
      if (message.error !== undefined) waiter.reject(new Error(message.error));
      else waiter.resolve(message.result);
    });
  });
  child.on("exit", () => {
    for (const waiter of pending.values()) waiter.reject(new Error("the backend process exited"));
    pending.clear();
  });
  const call = <T>(op: string, fields: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, op, ...fields });
    });
  const sim = new Proxy({ url: ready.simulatorUrl } as Record<string, unknown>, {
    get(target, property) {
      if (property in target) return target[property as string];
      if (typeof property !== "string" || property === "then") return undefined;
      return (...args: unknown[]) => call("control", { method: property, args }).then((r) => (r === null ? undefined : r));
    },
  }) as unknown as RemoteExchangeSimulator;
  const env: Environment = {
    GRAPH_ENDPOINT: ready.simulatorUrl,
    LOGIN_AUTHORITY_HOST: ready.simulatorUrl,
    GRAPH_TENANT_ID: ready.tenantId,
    GRAPH_CLIENT_ID: ready.clientId,
    GRAPH_CLIENT_SECRET: ready.clientSecret,
    ...(ready.connectionString ? { SyncStorage: ready.connectionString } : {}),
  };
  return {
    ...ready,
    child,
    env,
    sim,
    addMailboxes: (prefix, count, domain) => call("addMailboxes", { prefix, count, domain }),
    deliverBatch: (messages) => call("deliverBatch", { messages }),
    usage: () => call("usage"),
    stopAzurite: () => call("stopAzurite"),
    startAzurite: () => call("startAzurite"),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.disconnect();
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
