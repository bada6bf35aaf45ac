/** Email Router migration wizard: upload the routers' files, review and exclude, start, watch the waves. */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";
import { href, setParams } from "../router.js";
import { hasRole } from "../session.js";
import { ErrorText, Loading, Notice, Page, Progress, Status, useApi, when } from "../ui.js";

interface Migration {
  id: string;
  status: string;
  createdAt: string;
  routers: Array<{ name: string; files: string[] }>;
  settings: { waves: { size: number; intervalMinutes: number; enabled: boolean }; approveMailboxes: boolean };
  plan: {
    profiles: Array<{ id: string; name: string; router: string; mailboxes: number; excluded: boolean }>;
    mailboxes: Array<{ id: string; emailAddress: string; kind: string; router: string; profileId: string; existingMailboxId: string | null; excluded: boolean }>;
    notMigrated: Array<{ kind: string; router: string; name: string; reason: string }>;
  };
  progress?: {
    apply?: Record<string, unknown> | null;
    waves?: Array<{ wave: number; dueAt: string; status: string; mailboxes: number; passed: number; failed: Array<{ mailboxId: string; cause: string }> }>;
  };
}

export function MigrationPage({ params }: { params: URLSearchParams }) {
  const id = params.get("id");
  return id ? <Review id={id} /> : <Upload />;
}

function Upload() {
  const migrations = useApi<{ items: Migration[] }>("migrations?pageSize=20");
  const [routers, setRouters] = useState<Array<{ name: string; files: File[] }>>([{ name: "", files: [] }]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function upload(event: Event) {
    event.preventDefault();
    setError(undefined);
    const form = new FormData();
    for (const router of routers) for (const file of router.files) form.append(router.name.trim(), file, file.name);
    setBusy(true);
    try {
      const created = await api<Migration>("POST", "migrations", form);
      setParams("migration", { id: created.id });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title="Email Router migration">
      <form class="card" onSubmit={upload} aria-labelledby="upload-title">
        <h2 id="upload-title">1. Upload the routers' configuration</h2>
        <p>For each Email Router (up to 4): its name, and its Microsoft.Crm.Tools.EmailAgent.xml with, optionally, Microsoft.Crm.Tools.EmailAgent.SystemState.xml. Credentials are never imported.</p>
        {routers.map((router, i) => (
          <fieldset key={i}>
            <legend>Router {i + 1}</legend>
            <label class="field">
              Router name
              <input required pattern="[A-Za-z0-9._-]+" value={router.name} onInput={(e) => setRouters(routers.map((r, j) => (j === i ? { ...r, name: (e.target as HTMLInputElement).value } : r)))} />
            </label>
            <label class="field">
              Router files
              <input type="file" required multiple accept=".xml" onChange={(e) => setRouters(routers.map((r, j) => (j === i ? { ...r, files: [...((e.target as HTMLInputElement).files ?? [])] } : r)))} />
            </label>
          </fieldset>
        ))}
        {routers.length < 4 && <button type="button" onClick={() => setRouters([...routers, { name: "", files: [] }])}>Add another router</button>}{" "}
        <button type="submit" disabled={busy}>{busy ? "Uploading…" : "Upload and plan"}</button>
        <ErrorText message={error} />
      </form>
      <Loading loaded={migrations} />
      {migrations.data && migrations.data.items.length > 0 && (
        <table>
          <caption>Earlier migrations</caption>
          <thead><tr><th scope="col">Created</th><th scope="col">Routers</th><th scope="col">Status</th></tr></thead>
          <tbody>
            {migrations.data.items.map((m) => (
              <tr key={m.id}>
                <th scope="row"><a href={href("migration", { id: m.id })}>{when(m.createdAt)}</a></th>
                <td>{m.routers.map((r) => r.name).join(", ")}</td>
                <td>{m.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

function Review({ id }: { id: string }) {
  const migration = useApi<Migration>(`migrations/${encodeURIComponent(id)}`);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const m = migration.data;
  const planned = m?.status === "Planned";

  // While waves run, the page follows them.
  useEffect(() => {
    if (!m || m.status === "Planned" || m.status === "Completed") return;
    const timer = setTimeout(migration.reload, 2000);
    return () => clearTimeout(timer);
  }, [m]);

  async function patch(body: Record<string, unknown>) {
    setError(undefined);
    try {
      await api("PATCH", `migrations/${encodeURIComponent(id)}`, body);
      migration.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  }
  const toggle = (list: "excludedProfiles" | "excludedMailboxes", itemId: string, excluded: boolean) => {
    const current = (list === "excludedProfiles" ? m!.plan.profiles : m!.plan.mailboxes).filter((x) => x.excluded).map((x) => x.id);
    void patch({ [list]: excluded ? [...current, itemId] : current.filter((x) => x !== itemId) });
  };

  async function start() {
    setError(undefined);
    setNotice("Creating the profiles and mailboxes…");
    try {
      await api("POST", `migrations/${encodeURIComponent(id)}/start`);
      setNotice("Started: the waves Test & Enable the mailboxes.");
      migration.reload();
    } catch (e) {
      setNotice(undefined);
      setError((e as Error).message);
    }
  }

  const waves = m?.progress?.waves ?? [];
  const done = waves.reduce((sum, w) => sum + w.passed + w.failed.length, 0);
  const total = waves.reduce((sum, w) => sum + w.mailboxes, 0);
  return (
    <Page title="Email Router migration">
      <p><a href={href("migration")}>← Upload other routers</a></p>
      <Loading loaded={migration} />
      <ErrorText message={error} />
      <Notice message={notice} />
      {m && (
        <>
          <p>Status: <strong>{m.status}</strong> · routers {m.routers.map((r) => r.name).join(", ")}</p>
          <h2>2. Review{planned ? " and exclude" : ""}</h2>
          <table>
            <caption>Email server profiles to create</caption>
            <thead><tr><th scope="col">Migrate</th><th scope="col">Profile</th><th scope="col">Router</th><th scope="col">Mailboxes</th></tr></thead>
            <tbody>
              {m.plan.profiles.map((p) => (
                <tr key={p.id}>
                  <td>{planned ? <input type="checkbox" checked={!p.excluded} aria-label={`Migrate profile ${p.name}`} onChange={(e) => toggle("excludedProfiles", p.id, !(e.target as HTMLInputElement).checked)} /> : p.excluded ? "Excluded" : "Yes"}</td>
                  <th scope="row">{p.name}</th>
                  <td>{p.router}</td>
                  <td>{p.mailboxes}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table>
            <caption>Mailboxes</caption>
            <thead><tr><th scope="col">Migrate</th><th scope="col">Address</th><th scope="col">Kind</th><th scope="col">Router</th><th scope="col">Already a mailbox</th></tr></thead>
            <tbody>
              {m.plan.mailboxes.map((x) => (
                <tr key={x.id}>
                  <td>{planned ? <input type="checkbox" checked={!x.excluded} aria-label={`Migrate mailbox ${x.emailAddress}`} onChange={(e) => toggle("excludedMailboxes", x.id, !(e.target as HTMLInputElement).checked)} /> : x.excluded ? "Excluded" : "Yes"}</td>
                  <th scope="row">{x.emailAddress}</th>
                  <td>{x.kind}</td>
                  <td>{x.router}</td>
                  <td>{x.existingMailboxId ? <a href={href("mailbox", { id: x.existingMailboxId })}>yes</a> : "no"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Not migrated</h3>
          <ul>
            {m.plan.notMigrated.map((n, i) => (
              <li key={i}><strong>{n.kind} {n.name}</strong> ({n.router}): {n.reason}</li>
            ))}
          </ul>
          {planned && (
            <section class="card" aria-labelledby="start-title">
              <h2 id="start-title">3. Start</h2>
              <label class="check">
                <input type="checkbox" checked={m.settings.approveMailboxes} disabled={!hasRole("Sync.Approver")} onChange={(e) => patch({ approveMailboxes: (e.target as HTMLInputElement).checked })} /> Approve the migrated mailboxes{hasRole("Sync.Approver") ? "" : " (needs the Sync.Approver role)"}
              </label>
              <label class="field">
                Mailboxes per wave (at most 200)
                <input type="number" min={1} max={200} value={m.settings.waves.size} onChange={(e) => patch({ waves: { ...m.settings.waves, size: Number((e.target as HTMLInputElement).value) } })} />
              </label>
              <label class="field">
                Minutes between waves
                <input type="number" min={0} value={m.settings.waves.intervalMinutes} onChange={(e) => patch({ waves: { ...m.settings.waves, intervalMinutes: Number((e.target as HTMLInputElement).value) } })} />
              </label>
              <button type="button" onClick={start}>Start migration</button>
            </section>
          )}
          {!planned && (
            <section aria-labelledby="waves-title">
              <h2 id="waves-title">4. Waves</h2>
              {total > 0 && <Progress label="Mailboxes tested" done={done} total={total} />}
              <ol>
                {waves.map((w) => (
                  <li key={w.wave}>
                    Wave {w.wave}: <Status value={w.status === "Done" ? (w.failed.length ? "Failure" : "Success") : "NotRun"} /> {w.status} · {w.passed} of {w.mailboxes} enabled · due {when(w.dueAt)}
                    {w.failed.length > 0 && (
                      <ul>
                        {w.failed.map((f) => (
                          <li key={f.mailboxId}><a href={href("mailbox", { id: f.mailboxId })}>{f.mailboxId}</a>: {f.cause}</li>
                        ))}
                      </ul>
                    )}
                  </li>
                ))}
              </ol>
            </section>
          )}
        </>
      )}
    </Page>
  );
}
