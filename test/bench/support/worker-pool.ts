/** Starts N worker processes (worker-process.ts) over one backend and runs them to completion. */
import { fork } from "node:child_process";
import path from "node:path";
import type { Environment } from "../../../shared/config/settings.js";
import type { TableCounts } from "./table-counter.js";

const here = path.dirname(new URL(import.meta.url).pathname);

export interface WorkerDone {
  cycles: number;
  items: number;
  /** The cycle reports' counts summed (incoming: tracked, untracked). */
  counts: Record<string, number>;
  cpuMs: number;
  table: TableCounts;
  outcomes: Record<string, number>;
  wallMs: number;
}

export interface WorkerPool {
  /** Starts every worker at once; resolves when all have finished. */
  go(): Promise<WorkerDone[]>;
}

export async function startWorkers(count: number, env: Environment, mailboxes: Array<{ id: string; slot: number }>, concurrency: number): Promise<WorkerPool> {
  const workers = Array.from({ length: count }, (_, i) => {
    const child = fork(path.join(here, "worker-process.ts"), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const share = mailboxes.filter((_, j) => j % count === i);
    const ready = new Promise<void>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`worker ${i} exited (${code})`)));
      child.on("message", (m: { ready?: boolean }) => m.ready && resolve());
    });
    const done = new Promise<WorkerDone>((resolve, reject) => {
      child.on("message", (m: { done?: WorkerDone }) => m.done && resolve(m.done));
      child.once("exit", (code) => code !== 0 && reject(new Error(`worker ${i} exited (${code})`)));
    });
    child.send({ env, mailboxes: share, concurrency });
    return { child, ready, done };
  });
  await Promise.all(workers.map((w) => w.ready));
  return {
    async go() {
      for (const w of workers) w.child.send({ op: "go" });
      return Promise.all(workers.map((w) => w.done));
    },
  };
}
