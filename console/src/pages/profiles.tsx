/** Email server profiles: create, edit, delete (the API refuses what its rules forbid, and says why). */
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { href } from "../router.js";
import { ErrorText, Loading, Notice, Page, useApi, when } from "../ui.js";

interface Profile {
  id: string;
  name: string;
  credential: Record<string, unknown>;
  maxConcurrentConnections: number;
  requestTimeoutSeconds: number;
  saveSentToSentItems: boolean;
  alertOwnerWhenMajorityFail: boolean;
  updatedAt: string;
  [field: string]: unknown;
}

const blank = { id: "", name: "", credential: '{ "kind": "deploymentApp" }', maxConcurrentConnections: "12", saveSentToSentItems: true, alertOwnerWhenMajorityFail: true };

export function ProfilesPage() {
  const profiles = useApi<{ items: Profile[] }>("profiles?pageSize=1000");
  const [form, setForm] = useState(blank);
  const [editing, setEditing] = useState<Profile>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();

  function edit(profile: Profile) {
    setEditing(profile);
    setForm({ id: profile.id, name: profile.name, credential: JSON.stringify(profile.credential), maxConcurrentConnections: String(profile.maxConcurrentConnections), saveSentToSentItems: profile.saveSentToSentItems, alertOwnerWhenMajorityFail: profile.alertOwnerWhenMajorityFail });
    document.getElementById("profile-name")?.focus();
  }

  async function save(event: Event) {
    event.preventDefault();
    setError(undefined);
    let credential: unknown;
    try {
      credential = JSON.parse(form.credential);
    } catch {
      return setError("Credential is not valid JSON: for example { \"kind\": \"deploymentApp\" }.");
    }
    const { id: _id, createdAt: _c, updatedAt: _u, ...kept } = editing ?? ({} as Profile);
    try {
      await api("PUT", `profiles/${encodeURIComponent(form.id.trim())}`, { ...kept, name: form.name, credential, maxConcurrentConnections: Number(form.maxConcurrentConnections), saveSentToSentItems: form.saveSentToSentItems, alertOwnerWhenMajorityFail: form.alertOwnerWhenMajorityFail });
      setNotice(`Profile ${form.id} saved.`);
      setEditing(undefined);
      setForm(blank);
      profiles.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function remove(profile: Profile) {
    if (!confirm(`Delete the profile ${profile.name}?`)) return;
    setError(undefined);
    try {
      await api("DELETE", `profiles/${encodeURIComponent(profile.id)}`);
      setNotice(`Profile ${profile.name} deleted.`);
      profiles.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <Page title="Email server profiles">
      <ErrorText message={error} />
      <Notice message={notice} />
      <Loading loaded={profiles} />
      <table>
        <caption>Profiles</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Id</th>
            <th scope="col">Credential</th>
            <th scope="col">Connections</th>
            <th scope="col">Changed</th>
            <th scope="col"><span class="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {(profiles.data?.items ?? []).map((p) => (
            <tr key={p.id}>
              <th scope="row"><a href={href("mailboxes", { profileId: p.id })}>{p.name}</a></th>
              <td>{p.id}</td>
              <td>{String(p.credential.kind)}</td>
              <td>{p.maxConcurrentConnections}</td>
              <td>{when(p.updatedAt)}</td>
              <td>
                <button type="button" onClick={() => edit(p)} aria-label={`Edit ${p.name}`}>Edit</button>{" "}
                <button type="button" onClick={() => remove(p)} aria-label={`Delete ${p.name}`}>Delete</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="card" onSubmit={save} aria-labelledby="profile-form-title">
        <h2 id="profile-form-title">{editing ? `Edit ${editing.name}` : "New profile"}</h2>
        <label class="field">
          Id (letters, digits, dashes)
          <input required value={form.id} readOnly={!!editing} onInput={(e) => setForm({ ...form, id: (e.target as HTMLInputElement).value })} />
        </label>
        <label class="field">
          Name
          <input id="profile-name" required value={form.name} onInput={(e) => setForm({ ...form, name: (e.target as HTMLInputElement).value })} />
        </label>
        <label class="field">
          Credential (JSON: deploymentApp, clientSecret, certificate or managedIdentity; see docs/admin-api.md)
          <textarea rows={2} value={form.credential} onInput={(e) => setForm({ ...form, credential: (e.target as HTMLTextAreaElement).value })} />
        </label>
        <label class="field">
          Maximum concurrent connections
          <input type="number" min={1} value={form.maxConcurrentConnections} onInput={(e) => setForm({ ...form, maxConcurrentConnections: (e.target as HTMLInputElement).value })} />
        </label>
        <label class="check">
          <input type="checkbox" checked={form.saveSentToSentItems} onChange={(e) => setForm({ ...form, saveSentToSentItems: (e.target as HTMLInputElement).checked })} /> Save sent email in Sent Items
        </label>
        <label class="check">
          <input type="checkbox" checked={form.alertOwnerWhenMajorityFail} onChange={(e) => setForm({ ...form, alertOwnerWhenMajorityFail: (e.target as HTMLInputElement).checked })} /> Alert the owner when most mailboxes fail
        </label>
        <button type="submit">Save profile</button>{" "}
        {editing && <button type="button" onClick={() => (setEditing(undefined), setForm(blank))}>Cancel</button>}
      </form>
    </Page>
  );
}
