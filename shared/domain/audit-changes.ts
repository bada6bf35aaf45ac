/**
 * What an admin change changed (pure): the fields of a target's view that differ before and after,
 * as dotted paths with their values. Volatile fields — timestamps the server stamps, a workload's
 * schedule and counters, the text of its last error (which may quote Exchange) — are not changes
 * anyone made and are left out.
 */

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** Leaf paths never reported; `*` matches one path segment. */
export const volatileFields = [
  "createdAt",
  "updatedAt",
  "deploymentId",
  "workloads.*.nextRunAt",
  "workloads.*.lastRunAt",
  "workloads.*.lastSuccessAt",
  "workloads.*.lastError",
  "workloads.*.transientFailures",
  "workloads.*.recentItems",
];

const volatile = volatileFields.map((pattern) => new RegExp(`^${pattern.split(".").map((s) => (s === "*" ? "[^.]+" : s.replace(/[$()*+.?[\\\]^{|}]/g, "\\$&"))).join("\\.")}$`));

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Objects are walked; arrays and scalars are values. */
function leaves(value: unknown, prefix: string, into: Map<string, unknown>): void {
  if (isPlainObject(value)) {
    for (const [key, child] of Object.entries(value)) leaves(child, prefix ? `${prefix}.${key}` : key, into);
    return;
  }
  if (prefix) into.set(prefix, value);
}

/** null before: created; null after: deleted. */
export function changedFields(before: unknown, after: unknown): FieldChange[] {
  const was = new Map<string, unknown>();
  const now = new Map<string, unknown>();
  leaves(before ?? {}, "", was);
  leaves(after ?? {}, "", now);
  const fields = [...new Set([...was.keys(), ...now.keys()])].filter((field) => !volatile.some((pattern) => pattern.test(field))).sort();
  return fields
    .filter((field) => JSON.stringify(was.get(field) ?? null) !== JSON.stringify(now.get(field) ?? null))
    .map((field) => ({ field, before: was.get(field) ?? null, after: now.get(field) ?? null }));
}
