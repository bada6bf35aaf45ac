/** Audit: who changed what through the admin API, newest first. */
import { useState } from "preact/hooks";
import { query } from "../api.js";
import { Loading, Page, useApi, when } from "../ui.js";

interface AuditRecord {
  id: string;
  at: string;
  who: { objectId: string; name: string; kind: string };
  action: string;
  target: { type: string; id: string };
  changes: Array<{ field: string; before?: unknown; after?: unknown }>;
}

const show = (value: unknown) => (value === undefined ? "—" : JSON.stringify(value));

export function AuditPage() {
  const [token, setToken] = useState<string>();
  const audit = useApi<{ items: AuditRecord[]; continuationToken: string | null }>(`audit${query({ pageSize: "50", continuationToken: token })}`);
  return (
    <Page title="Audit">
      <Loading loaded={audit} />
      {audit.data && audit.data.items.length === 0 && <p>No change has been made through the admin API yet.</p>}
      <table>
        <caption>Changes made through the admin API, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Target</th>
            <th scope="col">Changes</th>
          </tr>
        </thead>
        <tbody>
          {(audit.data?.items ?? []).map((r) => (
            <tr key={r.id}>
              <td>{when(r.at)}</td>
              <td>{r.who.name} ({r.who.kind})</td>
              <td>{r.action}</td>
              <td>{r.target.type} {r.target.id}</td>
              <td>
                <ul class="changes">
                  {r.changes.map((c, i) => (
                    <li key={i}>
                      {c.field}: {show(c.before)} → {show(c.after)}
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {audit.data?.continuationToken && <button type="button" onClick={() => setToken(audit.data!.continuationToken!)}>Older changes</button>}
    </Page>
  );
}
