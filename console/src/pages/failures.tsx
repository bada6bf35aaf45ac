/** Item-level failures: which item, which mailbox, when, the cause. Subjects only for roles that see mail content. */
import { query } from "../api.js";
import { href } from "../router.js";
import { Loading, Page, useApi, when } from "../ui.js";

interface Failure {
  mailboxId: string;
  workload: string;
  graphItemId: string;
  code: string;
  message: string;
  subject?: string;
  sizeBytes?: number;
  at: string;
}

export function FailuresPage({ params }: { params: URLSearchParams }) {
  const mailboxId = params.get("mailboxId") ?? undefined;
  const failures = useApi<{ retentionDays: number; total: number; items: Failure[] }>(`failures${query({ mailboxId })}`);
  const data = failures.data;
  return (
    <Page title="Item-level failures">
      <Loading loaded={failures} />
      {data && (
        <table>
          <caption>
            {data.total} items that could not be synced in the last {data.retentionDays} days{mailboxId ? ` for mailbox ${mailboxId}` : ""}, newest first
            {data.total > data.items.length ? ` (the ${data.items.length} newest shown)` : ""}
          </caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Mailbox</th>
              <th scope="col">Item</th>
              <th scope="col">Cause</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((f) => (
              <tr key={`${f.mailboxId}|${f.graphItemId}`}>
                <td>{when(f.at)}</td>
                <td><a href={href("mailbox", { id: f.mailboxId })}>{f.mailboxId}</a> ({f.workload})</td>
                <td>
                  {f.subject ?? <span class="muted">subject hidden for your role</span>}
                  {f.sizeBytes !== undefined && ` · ${(f.sizeBytes / 1024 / 1024).toFixed(1)} MB`}
                  <br />
                  <small class="muted">{f.graphItemId}</small>
                </td>
                <td><strong>{f.code}</strong>: {f.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && data.items.length === 0 && <p>No item failed to sync in the last {data.retentionDays} days.</p>}
    </Page>
  );
}
