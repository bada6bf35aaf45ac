/** One mailbox: each workload's state with its last error and the fix, Process Emails From, the owner's tracking. */
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { href } from "../router.js";
import { hasRole } from "../session.js";
import { Choice, ErrorText, Loading, Notice, Page, Status, useApi, when } from "../ui.js";
import { mailboxName, workloadNames, workloadTitles, type MailboxView } from "./mailboxes.js";

interface Alert {
  id: string;
  level: string;
  workload?: string;
  title: string;
  cause: string;
  fix: string;
  createdAt: string;
}

const trackOptions: Array<[string, string]> = [
  ["", "Organization default"],
  ["all", "All email messages"],
  ["responsesToCrmEmail", "Email messages in response to CRM email"],
  ["fromLeadsContactsAccounts", "Email messages from CRM leads, contacts and accounts"],
  ["fromEmailEnabledRecords", "Email messages from CRM records that are email enabled"],
  ["none", "No email messages"],
];

/** Push health as issue 12 reports it (GET /api/mailboxes/{id} `push`), in words; nothing when absent. */
function pushWords(push: unknown): string | undefined {
  if (!push || typeof push !== "object") return undefined;
  const p = push as Record<string, unknown>;
  const word = typeof p.status === "string" ? p.status : typeof p.state === "string" ? p.state : typeof p.healthy === "boolean" ? (p.healthy ? "healthy" : "unhealthy") : undefined;
  const detail = typeof p.message === "string" ? p.message : typeof p.reason === "string" ? p.reason : "";
  return [word ?? "reported", detail].filter(Boolean).join(": ");
}

export function MailboxPage({ id }: { id: string }) {
  const mailbox = useApi<MailboxView>(`mailboxes/${encodeURIComponent(id)}`);
  const alerts = useApi<{ items: Alert[] }>(`alerts?mailboxId=${encodeURIComponent(id)}&pageSize=50`);
  const m = mailbox.data;
  return (
    <Page title={m ? mailboxName(m) : "Mailbox"}>
      <p>
        <a href={href("mailboxes")}>← All mailboxes</a>
      </p>
      <Loading loaded={mailbox} />
      {m && (
        <>
          <dl class="facts">
            <dt>Profile</dt>
            <dd>{m.profileId}</dd>
            <dt>Owner</dt>
            <dd>{m.ownerType === "queue" ? "Queue" : "User"}</dd>
            <dt>Approval</dt>
            <dd>{m.approved ? "Approved" : "Awaiting approval"}</dd>
            {pushWords(m.push) && (
              <>
                <dt>Push (change notifications)</dt>
                <dd>{pushWords(m.push)}</dd>
              </>
            )}
          </dl>
          <table>
            <caption>Workloads</caption>
            <thead>
              <tr>
                <th scope="col">Workload</th>
                <th scope="col">Method</th>
                <th scope="col">Enabled</th>
                <th scope="col">Status</th>
                <th scope="col">Last success</th>
                <th scope="col">Next run</th>
                <th scope="col">Last error and its fix</th>
              </tr>
            </thead>
            <tbody>
              {workloadNames.map((w) => {
                const s = m.workloads[w]!;
                const alert = alerts.data?.items.find((a) => a.workload === w && a.level === "Error");
                return (
                  <tr key={w}>
                    <th scope="row">{workloadTitles[w]}</th>
                    <td>{s.syncMethod === "ServerSideSync" ? "Server-side sync" : "None"}</td>
                    <td>{s.enabled ? "Yes" : "No"}</td>
                    <td><Status value={s.status} /></td>
                    <td>{when(s.lastSuccessAt)}</td>
                    <td>{when(s.nextRunAt)}</td>
                    <td>
                      {s.lastError ? (
                        <>
                          <p>{s.lastError.message} ({s.lastError.code}, {when(s.lastError.at)})</p>
                          {alert && <p><strong>Fix:</strong> {alert.fix}</p>}
                        </>
                      ) : (
                        "—"
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {hasRole("Sync.Admin") && <ProcessEmailsFrom mailbox={m} onSaved={mailbox.reload} />}
          {hasRole("Sync.Admin", "Records.ReadWrite") && <OwnerTracking id={m.id} />}
          <TrackedFolders id={m.id} />
        </>
      )}
    </Page>
  );
}

function ProcessEmailsFrom({ mailbox, onSaved }: { mailbox: MailboxView; onSaved(): void }) {
  const [value, setValue] = useState(mailbox.processEmailsFrom ? mailbox.processEmailsFrom.slice(0, 16) : "");
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  async function save(event: Event) {
    event.preventDefault();
    setError(undefined);
    try {
      // Read, change, write: the PUT takes the mailbox as GET shows it.
      const current = await api<MailboxView>("GET", `mailboxes/${encodeURIComponent(mailbox.id)}`);
      await api("PUT", `mailboxes/${encodeURIComponent(mailbox.id)}`, { ...current, processEmailsFrom: value ? new Date(`${value}Z`).toISOString() : null });
      setNotice("Process Emails From saved.");
      onSaved();
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <form class="card" onSubmit={save}>
      <h2>Process Emails From</h2>
      <label class="field">
        Process email received after (UTC)
        <input type="datetime-local" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
      </label>
      <button type="submit">Save</button>
      <ErrorText message={error} />
      <Notice message={notice} />
    </form>
  );
}

function OwnerTracking({ id }: { id: string }) {
  const tracking = useApi<{ trackOption: string | null; effectiveTrackOption: string; autoCreateRecords: boolean }>(`mailboxes/${encodeURIComponent(id)}/tracking`);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  async function change(trackOption: string) {
    setError(undefined);
    try {
      await api("PUT", `mailboxes/${encodeURIComponent(id)}/tracking`, { trackOption: trackOption || null, autoCreateRecords: tracking.data?.autoCreateRecords ?? false });
      setNotice("Track option saved.");
      tracking.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <section class="card" aria-labelledby="tracking-title">
      <h2 id="tracking-title">Owner's track option</h2>
      <Loading loaded={tracking} />
      {tracking.data && (
        <>
          <Choice label="Track" value={tracking.data.trackOption ?? ""} options={trackOptions} onChange={change} />
          <p>In effect: {trackOptions.find(([v]) => v === tracking.data!.effectiveTrackOption)?.[1] ?? tracking.data.effectiveTrackOption}</p>
        </>
      )}
      <ErrorText message={error} />
      <Notice message={notice} />
    </section>
  );
}

function TrackedFolders({ id }: { id: string }) {
  const allowed = hasRole("Records.ReadWrite");
  const folders = useApi<{ items: Array<{ id: string; path: string[]; regarding?: { type: string; id: string } | null }> }>(allowed ? `mailboxes/${encodeURIComponent(id)}/tracked-folders` : undefined);
  return (
    <section class="card" aria-labelledby="folders-title">
      <h2 id="folders-title">Tracked folders</h2>
      {!allowed ? (
        <p>Tracked folders are the CRM application's (role Records.ReadWrite); sign in with it to see them.</p>
      ) : (
        <>
          <Loading loaded={folders} />
          <ul>
            {(folders.data?.items ?? []).map((f) => (
              <li key={f.id}>
                {f.path.join(" › ")}
                {f.regarding ? ` — regarding ${f.regarding.type} ${f.regarding.id}` : ""}
              </li>
            ))}
          </ul>
          {folders.data && folders.data.items.length === 0 && <p>No folder of this mailbox is tracked.</p>}
        </>
      )}
    </section>
  );
}
