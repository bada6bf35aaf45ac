/** Sign-in: Entra ID (MSAL) in Azure; on the local host's demo tenant, the demo sign-in with picked roles. */
import { useState } from "preact/hooks";
import { signInEntra, signInLocalDemo, type ConsoleConfig } from "../session.js";
import { ErrorText } from "../ui.js";

const roleChoices = [
  ["Sync.Admin", "Sync administrator: profiles, mailboxes, Test & Enable, settings, migration, audit"],
  ["Sync.Approver", "Mailbox approver: approve email addresses (a tenant administrator)"],
  ["Monitor.Read", "Sync monitor: status and alerts, without mail content"],
  ["Records.ReadWrite", "CRM records: tracked folders of mailbox owners"],
] as const;

export function SignInPage({ config }: { config: ConsoleConfig }) {
  const [roles, setRoles] = useState<string[]>(["Sync.Admin", "Sync.Approver"]);
  const [functionKey, setFunctionKey] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const signIn = config.signIn;

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (signIn.kind === "localDemo") await signInLocalDemo(signIn.url, roles);
      else if (signIn.kind === "entra") await signInEntra(signIn, functionKey.trim());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="sign-in">
      <h1>Server-side sync console</h1>
      <form onSubmit={submit} aria-describedby="sign-in-about">
        {signIn.kind === "localDemo" ? (
          <>
            <p id="sign-in-about" class="demo-banner">
              <strong>Local demo sign-in.</strong> This is the local host's simulated tenant: you sign in as its admin, Megan Bowen, with
              the roles you pick. In Azure the console signs in with your Entra ID account instead.
            </p>
            <fieldset>
              <legend>Roles for this session</legend>
              {roleChoices.map(([role, about]) => (
                <label class="check" key={role}>
                  <input
                    type="checkbox"
                    name="role"
                    value={role}
                    checked={roles.includes(role)}
                    onChange={(e) => setRoles((current) => ((e.target as HTMLInputElement).checked ? [...current, role] : current.filter((r) => r !== role)))}
                  />
                  <span>
                    <strong>{role}</strong> — {about}
                  </span>
                </label>
              ))}
            </fieldset>
          </>
        ) : (
          <>
            <p id="sign-in-about">Sign in with your work account. The console asks the API with your token; what you can do depends on the app roles an administrator assigned you.</p>
            <label class="field">
              Function key (only if your deployment keeps function keys in front of the API)
              <input type="password" autoComplete="off" value={functionKey} onInput={(e) => setFunctionKey((e.target as HTMLInputElement).value)} />
            </label>
          </>
        )}
        <ErrorText message={error} />
        <button type="submit" disabled={busy || (signIn.kind === "localDemo" && roles.length === 0)}>
          {busy ? "Signing in…" : signIn.kind === "localDemo" ? "Sign in to the demo" : "Sign in with Microsoft"}
        </button>
      </form>
    </main>
  );
}
