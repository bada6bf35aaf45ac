/**
 * The one place that holds the signed-in user's token (in memory and sessionStorage: gone when the
 * tab closes). Two ways in, one token either way: Entra ID with MSAL for the browser (Azure, or
 * the local host on a real tenant), or the local host's demo sign-in, where the simulator of the
 * demo tenant signs a token for the roles picked. The API cannot tell them apart.
 */
export type SignInConfig =
  | { kind: "entra"; clientId: string; authority: string; scopes: string[] }
  | { kind: "localDemo"; url: string }
  | { kind: "none" };

export interface ConsoleConfig {
  apiBase: string;
  signIn: SignInConfig;
}

export interface Session {
  name: string;
  roles: string[];
  expiresOn: number;
  token?: string;
  /** Azure: the function key sent beside the token, when the app keeps keys in front of the API. */
  functionKey?: string;
}

const storageKey = "console.session";
let config: ConsoleConfig | undefined;
let current: Session | undefined = read();

function read(): Session | undefined {
  try {
    const stored = JSON.parse(sessionStorage.getItem(storageKey) ?? "null") as Session | null;
    return stored && stored.expiresOn > Date.now() + 60_000 ? stored : undefined;
  } catch {
    return undefined;
  }
}

function keep(session: Session | undefined): void {
  current = session;
  if (session) sessionStorage.setItem(storageKey, JSON.stringify(session));
  else sessionStorage.removeItem(storageKey);
  for (const listener of listeners) listener();
}

const listeners = new Set<() => void>();
export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function loadConfig(): Promise<ConsoleConfig> {
  if (config) return config;
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`The console's settings did not load (HTTP ${response.status}).`);
  config = (await response.json()) as ConsoleConfig;
  if (config.signIn.kind === "none") keep({ name: "local operator (sign-in is off)", roles: ["Sync.Admin", "Sync.Approver", "Records.ReadWrite", "Monitor.Read"], expiresOn: Number.MAX_SAFE_INTEGER });
  if (config.signIn.kind === "entra") await finishEntraSignIn(config.signIn);
  return config;
}

export function session(): Session | undefined {
  if (current && current.expiresOn <= Date.now()) keep(undefined);
  return current;
}

export function hasRole(...roles: string[]): boolean {
  return roles.some((role) => session()?.roles.includes(role));
}

/** The API's base URL, absolute (config.json gives it relative to the page). */
export function apiBase(): string {
  return new URL(config?.apiBase ?? "../", location.href.split("#")[0]).toString();
}

function claims(token: string): { roles?: string[]; name?: string; exp?: number } {
  const payload = token.split(".")[1] ?? "";
  return JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { roles?: string[]; name?: string; exp?: number };
}

export async function signInLocalDemo(url: string, roles: string[]): Promise<void> {
  const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ roles }) });
  const body = (await response.json().catch(() => ({}))) as { accessToken?: string; name?: string; error?: { message: string } };
  if (!response.ok || !body.accessToken) throw new Error(body.error?.message ?? `The demo sign-in failed (HTTP ${response.status}).`);
  const token = body.accessToken;
  const { exp } = claims(token);
  keep({ token, name: body.name ?? "demo admin", roles: claims(token).roles ?? [], expiresOn: (exp ?? 0) * 1000 });
}

// MSAL is loaded only for an Entra ID sign-in: the local demo never downloads it.
async function msal(signIn: Extract<SignInConfig, { kind: "entra" }>) {
  const { PublicClientApplication } = await import("@azure/msal-browser");
  const redirectUri = location.href.split("#")[0];
  const app = new PublicClientApplication({
    auth: { clientId: signIn.clientId, authority: signIn.authority, redirectUri },
    cache: { cacheLocation: "sessionStorage" },
  });
  await app.initialize();
  return app;
}

async function finishEntraSignIn(signIn: Extract<SignInConfig, { kind: "entra" }>): Promise<void> {
  if (!location.hash.includes("code=") && !sessionStorage.getItem("console.entraPending")) return;
  sessionStorage.removeItem("console.entraPending");
  const app = await msal(signIn);
  const result = await app.handleRedirectPromise();
  const account = result?.account ?? app.getAllAccounts()[0];
  if (!account) return;
  const token = result?.accessToken ?? (await app.acquireTokenSilent({ account, scopes: signIn.scopes })).accessToken;
  keep({ token, name: account.name ?? account.username, roles: claims(token).roles ?? [], expiresOn: (claims(token).exp ?? 0) * 1000, functionKey: sessionStorage.getItem("console.functionKey") ?? undefined });
}

export async function signInEntra(signIn: Extract<SignInConfig, { kind: "entra" }>, functionKey: string): Promise<void> {
  if (functionKey) sessionStorage.setItem("console.functionKey", functionKey);
  sessionStorage.setItem("console.entraPending", "1");
  const app = await msal(signIn);
  await app.loginRedirect({ scopes: signIn.scopes });
}

export function signOut(): void {
  sessionStorage.removeItem("console.functionKey");
  keep(undefined);
}
