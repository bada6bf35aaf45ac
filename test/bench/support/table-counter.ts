/**
 * Counts the Table Storage requests a runtime makes, by adding a policy to the HTTP pipeline of
 * every TableClient the runtime's repositories use (runtime.storage.table(name) returns the same
 * cached client they hold). One HTTP request is one billable transaction: a query page, a point
 * read, a write, or an entity group transaction ($batch, counted once; its operations are counted
 * separately in batchOperations).
 */
import { tableNames } from "../../../shared/config/names.js";
import type { Runtime } from "../../../shared/runtime.js";

export interface TableCounts {
  /** Every request (billable transactions). */
  total: number;
  /** Point reads and query pages (GET). */
  reads: number;
  /** Inserts, updates, merges, deletes (one entity each). */
  writes: number;
  /** Entity group transactions ($batch). */
  batches: number;
  /** Entity operations inside the batches. */
  batchOperations: number;
  byTable: Record<string, { reads: number; writes: number; batches: number }>;
}

export interface TableCounter {
  snapshot(): TableCounts;
  reset(): void;
}

export function emptyCounts(): TableCounts {
  return { total: 0, reads: 0, writes: 0, batches: 0, batchOperations: 0, byTable: {} };
}

export function diffCounts(after: TableCounts, before: TableCounts): TableCounts {
  const byTable: TableCounts["byTable"] = {};
  for (const [name, a] of Object.entries(after.byTable)) {
    const b = before.byTable[name] ?? { reads: 0, writes: 0, batches: 0 };
    byTable[name] = { reads: a.reads - b.reads, writes: a.writes - b.writes, batches: a.batches - b.batches };
  }
  return {
    total: after.total - before.total,
    reads: after.reads - before.reads,
    writes: after.writes - before.writes,
    batches: after.batches - before.batches,
    batchOperations: after.batchOperations - before.batchOperations,
    byTable,
  };
}

const instrumented = new WeakSet<object>();

export function countTableRequests(runtime: Runtime): TableCounter {
  let counts = emptyCounts();
  for (const name of Object.values(tableNames)) {
    const client = runtime.storage.table(name);
    if (instrumented.has(client)) throw new Error(`table client ${name} is already counted`);
    instrumented.add(client);
    client.pipeline.addPolicy({
      name: `bench-count-${name}`,
      async sendRequest(request, next) {
        const row = (counts.byTable[name] ??= { reads: 0, writes: 0, batches: 0 });
        counts.total++;
        if (/\/\$batch(\?|$)/.test(request.url)) {
          counts.batches++;
          row.batches++;
          const body = typeof request.body === "string" ? request.body : "";
          counts.batchOperations += Math.max(1, (body.match(/^Content-ID:/gim) ?? []).length || (body.match(/^(POST|PUT|MERGE|PATCH|DELETE) http/gim) ?? []).length);
        } else if (request.method === "GET") {
          counts.reads++;
          row.reads++;
        } else {
          counts.writes++;
          row.writes++;
        }
        return next(request);
      },
    });
  }
  return {
    snapshot: () => structuredClone(counts),
    reset: () => {
      counts = emptyCounts();
    },
  };
}
