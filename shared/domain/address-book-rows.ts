/**
 * How a reader treats an address-book row that a write left pending. A writer marks the rows of
 * every address it touches as pending (with the version it is writing) before it writes the
 * record, and settles them after: so a pending row is either a write under way or the trace of one
 * that stopped half-way. The reader decides from the record as it is now. Pure rules.
 */

/** A write stalled longer than this between marking and writing has stopped (a crash, a lost host). */
export const pendingRowStaleMs = 15 * 60_000;

export interface PendingRow {
  /** The record version the write that marked the row was writing. */
  version: number;
  stagedAt: number;
}

export interface RecordNow {
  version: number;
  holdsAddress: boolean;
}

export interface PendingVerdict {
  /** Whether the address resolves to the record now. */
  resolves: boolean;
  /** confirm: the row is right, trust it from now on; drop: the row is wrong; keep: a write is under way. */
  repair: "confirm" | "drop" | "keep";
}

export function judgePendingRow(row: PendingRow, record: RecordNow | undefined, now: number): PendingVerdict {
  const stale = now - row.stagedAt > pendingRowStaleMs;
  if (!record) return { resolves: false, repair: stale ? "drop" : "keep" };
  // The record reached the marking write's version (or passed it): that write is over, whatever its outcome.
  const settled = record.version >= row.version || stale;
  if (!settled) return { resolves: record.holdsAddress, repair: "keep" };
  return { resolves: record.holdsAddress, repair: record.holdsAddress ? "confirm" : "drop" };
}
