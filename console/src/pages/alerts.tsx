/** Alerts, newest first, by level, mailbox and profile: what happened and the fix in plain words. */
import { query } from "../api.js";
import { href, setParams } from "../router.js";
import { Choice, Loading, Page, Status, useApi, when } from "../ui.js";

interface Alert {
  id: string;
  level: string;
  mailboxId?: string;
  profileId?: string;
  workload?: string;
  title: string;
  cause: string;
  fix: string;
  createdAt: string;
}

export function AlertsPage({ params }: { params: URLSearchParams }) {
  const filters = { level: params.get("level") ?? undefined, mailboxId: params.get("mailboxId") ?? undefined, profileId: params.get("profileId") ?? undefined };
  const alerts = useApi<{ items: Alert[] }>(`alerts${query({ ...filters, pageSize: "100" })}`);
  const filter = (name: string, value: string) => setParams("alerts", { ...filters, [name]: value || undefined });
  return (
    <Page title="Alerts">
      <form class="filters" aria-label="Filter alerts" onSubmit={(e) => e.preventDefault()}>
        <Choice label="Level" value={filters.level ?? ""} onChange={(v) => filter("level", v)} options={[["", "Any level"], ["Error", "Error"], ["Warning", "Warning"], ["Information", "Information"]]} />
        <label class="field">
          Mailbox id
          <input value={filters.mailboxId ?? ""} onChange={(e) => filter("mailboxId", (e.target as HTMLInputElement).value.trim())} />
        </label>
        <label class="field">
          Profile id
          <input value={filters.profileId ?? ""} onChange={(e) => filter("profileId", (e.target as HTMLInputElement).value.trim())} />
        </label>
      </form>
      <Loading loaded={alerts} />
      {alerts.data && alerts.data.items.length === 0 && <p>No alerts{Object.values(filters).some(Boolean) ? " match the filters" : ""}.</p>}
      <ol class="alerts">
        {(alerts.data?.items ?? []).map((a) => (
          <li key={a.id} class="alert">
            <article aria-labelledby={`alert-${a.id}`}>
              <h2 id={`alert-${a.id}`}>
                <Status value={a.level} /> {a.title}
              </h2>
              <p class="muted">
                {when(a.createdAt)}
                {a.mailboxId && <> · mailbox <a href={href("mailbox", { id: a.mailboxId })}>{a.mailboxId}</a></>}
                {a.profileId && <> · profile {a.profileId}</>}
                {a.workload && <> · {a.workload}</>}
              </p>
              <p><strong>What happened:</strong> {a.cause}</p>
              <p><strong>How to fix it:</strong> {a.fix}</p>
            </article>
          </li>
        ))}
      </ol>
    </Page>
  );
}
