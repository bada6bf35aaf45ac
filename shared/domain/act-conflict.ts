/**
 * The conflict rule for appointments, contacts and tasks changed on both sides since the last
 * sync: field by field, a field changed on one side only takes that side's value; a field changed
 * on both sides to different values takes the value of the side changed most recently, and
 * Exchange wins ties. Pure; the engine applies the merged record to whichever side differs and
 * raises a Warning alert naming the conflicting fields.
 */

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export interface MergeResult<F> {
  merged: F;
  /** Fields changed on both sides to different values. */
  conflicts: string[];
  crmNeedsUpdate: boolean;
  exchangeNeedsUpdate: boolean;
}

export function mergeChanges<F extends object>(snapshot: F, crm: F, exchange: F, crmModifiedAt: string, exchangeModifiedAt: string): MergeResult<F> {
  const keys = new Set([...Object.keys(snapshot), ...Object.keys(crm), ...Object.keys(exchange)]);
  const merged: Record<string, unknown> = {};
  const conflicts: string[] = [];
  // Compared to the second: Exchange's timestamps carry no finer precision, so a change in the
  // same second is a tie — and Exchange wins ties.
  const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  const exchangeIsNewer = seconds(exchangeModifiedAt) >= seconds(crmModifiedAt);
  for (const key of [...keys].sort()) {
    const base = (snapshot as Record<string, unknown>)[key];
    const ours = (crm as Record<string, unknown>)[key];
    const theirs = (exchange as Record<string, unknown>)[key];
    let value: unknown;
    if (same(ours, base)) value = theirs;
    else if (same(theirs, base) || same(ours, theirs)) value = ours;
    else {
      conflicts.push(key);
      value = exchangeIsNewer ? theirs : ours;
    }
    if (value !== undefined) merged[key] = value;
  }
  return { merged: merged as F, conflicts, crmNeedsUpdate: !same(normal(merged), normal(crm)), exchangeNeedsUpdate: !same(normal(merged), normal(exchange)) };
}

/** Key order does not make two records differ. */
function normal(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)));
}
