/** Mailboxes: filter, select, and Approve, Test & Enable or Disable with progress and per-mailbox results. */
import { useState } from "preact/hooks";
import { query } from "../api.js";
import { href, setParams } from "../router.js";
import { hasRole } from "../session.js";
import { Choice, ErrorText, Loading, Page, Progress, Status, useApi } from "../ui.js";
import { bulkLimit, runBulk, type BulkResult } from "./bulk.js";

export const workloadNames = ["incoming", "outgoing", "act"] as const;
export const workloadTitles: Record<string, string> = { incoming: "Incoming email", outgoing: "Outgoing email", act: "Appointments, contacts, tasks" };

export interface MailboxView {
  id: string;
  emailAddress: string | null;
  profileId: string;
  ownerType: string;
  approved: boolean;
  processEmailsFrom: string | null;
  workloads: Record<string, { syncMethod: string; enabled: boolean; status: string; nextRunAt: string | null; lastSuccessAt: string | null; lastError: { code: string; message: string; at: string } | null }>;
  push?: unknown;
}

export function mailboxName(m: Pick<MailboxView, "emailAddress" | "id">): string {
  return m.emailAddress ?? `${m.id} (address hidden for your role)`;
}

export function MailboxesPage({ params }: { params: URLSearchParams }) {
  const filters = { profileId: params.get("profileId") ?? undefined, status: params.get("status") ?? undefined, workload: params.get("workload") ?? undefined, approved: params.get("approved") ?? undefined };
  const [pageToken, setPageToken] = useState<string>();
  const mailboxes = useApi<{ items: MailboxView[]; continuationToken: string | null }>(`mailboxes${query({ ...filters, pageSize: "100", continuationToken: pageToken })}`);
  const profiles = useApi<{ items: Array<{ id: string; name: string }> }>(hasRole("Sync.Admin") ? "profiles?pageSize=1000" : undefined);
  const [selected, setSelected] = useState<string[]>([]);
  const [running, setRunning] = useState<{ label: string; done: number; total: number }>();
  const [results, setResults] = useState<BulkResult[]>([]);
  // Names as they were when the action started: after it the list may no longer show them (a filter on approval).
  const [names, setNames] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const items = mailboxes.data?.items ?? [];

  const filter = (name: string, value: string) => {
    setPageToken(undefined);
    setSelected([]);
    setParams("mailboxes", { ...filters, [name]: value || undefined });
  };
  const toggle = (id: string, on: boolean) => setSelected((s) => (on ? [...s, id] : s.filter((x) => x !== id)));

  async function bulk(action: "approve" | "test" | "disable", label: string) {
    setError(undefined);
    if (selected.length > bulkLimit) return setError(`Select at most ${bulkLimit} mailboxes at a time (${selected.length} are selected).`);
    setResults([]);
    setNames((known) => ({ ...known, ...Object.fromEntries(items.map((m) => [m.id, mailboxName(m)])) }));
    setRunning({ label, done: 0, total: selected.length });
    await runBulk(action, selected, (done, partial) => {
      setRunning({ label, done, total: selected.length });
      setResults(partial);
    });
    setRunning(undefined);
    mailboxes.reload();
  }

  return (
    <Page title="Mailboxes">
      <form class="filters" aria-label="Filter mailboxes" onSubmit={(e) => e.preventDefault()}>
        <Choice label="Profile" value={filters.profileId ?? ""} onChange={(v) => filter("profileId", v)} options={[["", "Any profile"], ...(profiles.data?.items ?? []).map((p): [string, string] => [p.id, p.name]), ...(filters.profileId && !profiles.data ? [[filters.profileId, filters.profileId] as [string, string]] : [])]} />
        <Choice label="Status" value={filters.status ?? ""} onChange={(v) => filter("status", v)} options={[["", "Any status"], ["Success", "Success"], ["Failure", "Failure"], ["NotRun", "Not run"]]} />
        <Choice label="Workload" value={filters.workload ?? ""} onChange={(v) => filter("workload", v)} options={[["", "Any workload"], ...workloadNames.map((w): [string, string] => [w, workloadTitles[w]!])]} />
        <Choice label="Approval" value={filters.approved ?? ""} onChange={(v) => filter("approved", v)} options={[["", "Approved or not"], ["true", "Approved"], ["false", "Awaiting approval"]]} />
      </form>

      <div class="actions" role="group" aria-label="Actions on the selected mailboxes">
        <span>{selected.length} selected</span>
        {hasRole("Sync.Approver") && (
          <button type="button" disabled={!selected.length || !!running} onClick={() => bulk("approve", "Approving")}>
            Approve email
          </button>
        )}
        {hasRole("Sync.Admin") && (
          <>
            <button type="button" disabled={!selected.length || !!running} onClick={() => bulk("test", "Testing and enabling")}>
              Test &amp; Enable mailboxes
            </button>
            <button type="button" disabled={!selected.length || !!running} onClick={() => bulk("disable", "Disabling")}>
              Disable
            </button>
          </>
        )}
      </div>
      <ErrorText message={error} />
      {running && <Progress label={running.label} done={running.done} total={running.total} />}
      {results.length > 0 && (
        <section aria-label="Results" class="results">
          <h2>Results</h2>
          <ul>
            {results.map((r) => (
              <li key={r.mailboxId} class={r.ok ? "ok" : "bad"}>
                <Status value={r.ok ? "Success" : "Failure"} /> {names[r.mailboxId] ?? r.mailboxId}: {r.words}
              </li>
            ))}
          </ul>
        </section>
      )}

      <Loading loaded={mailboxes} />
      <table>
        <caption>{items.length} mailboxes{Object.values(filters).some(Boolean) ? " matching the filters" : ""}</caption>
        <thead>
          <tr>
            <th scope="col">
              <input type="checkbox" aria-label="Select every mailbox shown" checked={items.length > 0 && selected.length === items.length} onChange={(e) => setSelected((e.target as HTMLInputElement).checked ? items.slice(0, bulkLimit).map((m) => m.id) : [])} />
            </th>
            <th scope="col">Mailbox</th>
            <th scope="col">Profile</th>
            <th scope="col">Approval</th>
            {workloadNames.map((w) => (
              <th scope="col" key={w}>{workloadTitles[w]}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {items.map((m) => (
            <tr key={m.id}>
              <td>
                <input type="checkbox" aria-label={`Select ${mailboxName(m)}`} checked={selected.includes(m.id)} onChange={(e) => toggle(m.id, (e.target as HTMLInputElement).checked)} />
              </td>
              <th scope="row">
                <a href={href("mailbox", { id: m.id })}>{mailboxName(m)}</a>
              </th>
              <td>{m.profileId}</td>
              <td>{m.approved ? "Approved" : <strong>Awaiting approval</strong>}</td>
              {workloadNames.map((w) => {
                const s = m.workloads[w];
                return <td key={w}>{!s || s.syncMethod === "None" ? "None" : <><Status value={s.status} />{s.enabled ? "" : " · disabled"}</>}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {mailboxes.data?.continuationToken && (
        <button type="button" onClick={() => setPageToken(mailboxes.data!.continuationToken!)}>
          Next page
        </button>
      )}
    </Page>
  );
}
