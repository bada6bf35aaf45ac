/** Organization settings: the common ones as a form, the rest as the API's JSON. */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";
import { ErrorText, Loading, Notice, Page, useApi, when } from "../ui.js";

type Settings = Record<string, unknown> & { requireApprovedMailboxes: boolean; alertLevels: string[]; updatedAt: string | null };

export function SettingsPage() {
  const settings = useApi<Settings>("settings");
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  useEffect(() => {
    if (settings.data) {
      const { updatedAt: _u, deploymentId: _d, ...editable } = settings.data;
      setText(JSON.stringify(editable, null, 2));
    }
  }, [settings.data]);

  async function save(event: Event) {
    event.preventDefault();
    setError(undefined);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      return setError(`The settings are not valid JSON: ${(e as Error).message}`);
    }
    try {
      await api("PUT", "settings", body);
      setNotice("Settings saved.");
      settings.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const patch = (change: Record<string, unknown>) => {
    try {
      setText(JSON.stringify({ ...JSON.parse(text), ...change }, null, 2));
    } catch {
      setError("Fix the JSON below first.");
    }
  };
  let current: Partial<Settings> = {};
  try {
    current = JSON.parse(text || "{}");
  } catch {
    // shown as an error on save
  }

  return (
    <Page title="Settings">
      <Loading loaded={settings} />
      {settings.data && (
        <form class="card" onSubmit={save}>
          <p class="muted">Deployment {String(settings.data.deploymentId)} · last changed {when(settings.data.updatedAt)}</p>
          <label class="check">
            <input type="checkbox" checked={current.requireApprovedMailboxes ?? true} onChange={(e) => patch({ requireApprovedMailboxes: (e.target as HTMLInputElement).checked })} /> Process email only for approved mailboxes
          </label>
          <fieldset>
            <legend>Alert levels raised</legend>
            {["Error", "Warning", "Information"].map((level) => (
              <label class="check" key={level}>
                <input type="checkbox" checked={(current.alertLevels ?? []).includes(level)} onChange={(e) => patch({ alertLevels: (e.target as HTMLInputElement).checked ? [...(current.alertLevels ?? []), level] : (current.alertLevels ?? []).filter((l) => l !== level) })} /> {level}
              </label>
            ))}
          </fieldset>
          <label class="field">
            All settings (JSON, as PUT /api/settings takes them; docs/admin-api.md lists every field)
            <textarea rows={18} spellcheck={false} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
          </label>
          <button type="submit">Save settings</button>
          <ErrorText message={error} />
          <Notice message={notice} />
        </form>
      )}
    </Page>
  );
}
