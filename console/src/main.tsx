/** The console: sign-in, navigation, and the page the address names. */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { AlertsPage } from "./pages/alerts.js";
import { AuditPage } from "./pages/audit.js";
import { DashboardPage } from "./pages/dashboard.js";
import { FailuresPage } from "./pages/failures.js";
import { MailboxPage } from "./pages/mailbox.js";
import { MailboxesPage } from "./pages/mailboxes.js";
import { MigrationPage } from "./pages/migration.js";
import { ProfilesPage } from "./pages/profiles.js";
import { SettingsPage } from "./pages/settings.js";
import { SignInPage } from "./pages/sign-in.js";
import { href, useRoute, type Route } from "./router.js";
import { loadConfig, onSessionChange, session, signOut, type ConsoleConfig } from "./session.js";
import { ErrorText } from "./ui.js";

const pages: Array<{ id: string; title: string; view(route: Route): preact.JSX.Element }> = [
  { id: "dashboard", title: "Monitoring", view: () => <DashboardPage /> },
  { id: "mailboxes", title: "Mailboxes", view: (r) => <MailboxesPage params={r.params} /> },
  { id: "profiles", title: "Email server profiles", view: () => <ProfilesPage /> },
  { id: "alerts", title: "Alerts", view: (r) => <AlertsPage params={r.params} /> },
  { id: "failures", title: "Item-level failures", view: (r) => <FailuresPage params={r.params} /> },
  { id: "migration", title: "Email Router migration", view: (r) => <MigrationPage params={r.params} /> },
  { id: "settings", title: "Settings", view: () => <SettingsPage /> },
  { id: "audit", title: "Audit", view: () => <AuditPage /> },
];

function App() {
  const [config, setConfig] = useState<ConsoleConfig>();
  const [error, setError] = useState<string>();
  const [, setVersion] = useState(0);
  const route = useRoute();
  useEffect(() => onSessionChange(() => setVersion((v) => v + 1)), []);
  useEffect(() => {
    loadConfig().then(setConfig, (e: Error) => setError(e.message));
  }, []);
  if (error) return <main id="main"><ErrorText message={error} /></main>;
  if (!config) return <p role="status">Loading…</p>;
  const signedIn = session();
  if (!signedIn) return <SignInPage config={config} />;

  const view = route.page === "mailbox" ? <MailboxPage id={route.params.get("id") ?? ""} /> : (pages.find((p) => p.id === route.page) ?? pages[0]!).view(route);
  return (
    <>
      <header class="top">
        <span class="product">Server-side sync</span>
        <nav aria-label="Console">
          <ul>
            {pages.map((p) => (
              <li key={p.id}>
                <a href={href(p.id)} aria-current={route.page === p.id || (p.id === "mailboxes" && route.page === "mailbox") ? "page" : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          {signedIn.name} · <span class="roles">{signedIn.roles.join(", ") || "no roles"}</span>{" "}
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main">{view}</main>
    </>
  );
}

render(<App />, document.getElementById("app")!);

// First paint, for BENCHMARKS.md and the browser test (performance.getEntriesByType("paint")).
addEventListener("load", () => performance.mark("console-loaded"));
