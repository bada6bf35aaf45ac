/**
 * Bulk actions on selected mailboxes, with progress and one result per mailbox: Approve and
 * Disable one request each; Test & Enable through the bulk route, 10 mailboxes a request, so the
 * page can show how far it got (the route takes up to 200; the page allows 200 at a time).
 */
import { api } from "../api.js";

export const bulkLimit = 200;
const testChunk = 10;

export interface BulkResult {
  mailboxId: string;
  ok: boolean;
  words: string;
}

type Probe = { status: string; reason?: string };

function describeTest(result: { mailboxId: string; workloads: Record<string, Probe> }): BulkResult {
  const failed = Object.entries(result.workloads).filter(([, p]) => p.status === "Failure");
  const enabled = Object.entries(result.workloads).filter(([, p]) => p.status === "Success").map(([w]) => w);
  if (failed.length) return { mailboxId: result.mailboxId, ok: false, words: failed.map(([w, p]) => `${w}: ${p.reason ?? "failed"}`).join(" · ") };
  return { mailboxId: result.mailboxId, ok: true, words: enabled.length ? `Enabled: ${enabled.join(", ")}` : "Nothing to enable (every workload skipped)" };
}

export async function runBulk(action: "approve" | "test" | "disable", ids: string[], progress: (done: number, results: BulkResult[]) => void): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  if (action === "test") {
    for (let i = 0; i < ids.length; i += testChunk) {
      const chunk = ids.slice(i, i + testChunk);
      try {
        const answer = await api<{ items: Array<{ mailboxId: string; workloads: Record<string, Probe> }> }>("POST", "mailboxes/test-and-enable", { mailboxIds: chunk });
        results.push(...answer.items.map(describeTest));
      } catch (error) {
        results.push(...chunk.map((mailboxId) => ({ mailboxId, ok: false, words: (error as Error).message })));
      }
      progress(results.length, [...results]);
    }
    return results;
  }
  for (const mailboxId of ids) {
    try {
      await api("POST", `mailboxes/${encodeURIComponent(mailboxId)}/${action}`, action === "disable" ? {} : undefined);
      results.push({ mailboxId, ok: true, words: action === "approve" ? "Approved" : "Disabled" });
    } catch (error) {
      results.push({ mailboxId, ok: false, words: (error as Error).message });
    }
    progress(results.length, [...results]);
  }
  return results;
}
