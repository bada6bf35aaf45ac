/**
 * Where `npm start` keeps its data: one folder per mode under the data root (`.local/` or
 * LOCAL_DATA_DIR), so the demo's records never meet a real tenant's and two tenants never share
 * mailboxes: `demo/` for the simulated tenant, `tenant-<GRAPH_TENANT_ID>/` for a real one.
 */
import { z } from "zod";

export function modeDataFolder(realTenantId: string | undefined): string {
  if (!realTenantId) return "demo";
  return `tenant-${realTenantId.trim().toLowerCase().replace(/[^a-z0-9.-]/g, "_")}`;
}

const address = z.email().max(320);

/**
 * LOCAL_SYNC_MAILBOXES: comma-separated addresses, each checked as the admin API checks a
 * mailbox's address; duplicates (in any letter case) count once.
 */
export function parseSyncMailboxes(raw: string | undefined): { addresses: string[] } | { error: string } {
  const entries = (raw ?? "").split(",").map((a) => a.trim()).filter(Boolean);
  const bad = entries.find((entry) => !address.safeParse(entry).success);
  if (bad !== undefined) {
    return { error: `Setting LOCAL_SYNC_MAILBOXES is malformed ("${bad}" is not an email address): expected email addresses separated by commas.` };
  }
  const seen = new Set<string>();
  return { addresses: entries.filter((entry) => !seen.has(entry.toLowerCase()) && seen.add(entry.toLowerCase())) };
}
