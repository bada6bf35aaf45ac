/**
 * Shared arrangement for the simulator tests: a running simulator with one tenant, one app and a
 * couple of mailboxes, plus the real MSAL and Graph clients pointed at it the way the product does.
 */
import { ConfidentialClientApplication, type Configuration } from "@azure/msal-node";
import { Client } from "@microsoft/microsoft-graph-client";
import { startExchangeSimulator, type ExchangeSimulator } from "../tools/exchange-simulator/index.js";

export const allMailRoles = ["Mail.ReadWrite", "Mail.Send", "User.Read.All"];

export interface SimulatorFixture {
  sim: ExchangeSimulator;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  alice: { id: string; address: string };
  bob: { id: string; address: string };
  /** One MSAL app for the fixture, so its token cache is used like the product's. */
  app: ConfidentialClientApplication;
  token(): Promise<string>;
}

export async function startFixture(options: { roles?: string[]; now?: () => number } = {}): Promise<SimulatorFixture> {
  const roles = options.roles ?? allMailRoles;
  const sim = await startExchangeSimulator({ now: options.now });
  const tenantId = sim.addTenant();
  const clientSecret = "fixture-secret";
  const { clientId } = sim.addApp(tenantId, { clientSecret, roles });
  const alice = sim.addMailbox({ tenantId, address: "alice@contoso.example", displayName: "Alice Example" });
  const bob = sim.addMailbox({ tenantId, address: "bob@contoso.example", displayName: "Bob Example" });
  const app = msalApp(sim, tenantId, clientId, { clientSecret });
  return { sim, tenantId, clientId, clientSecret, alice, bob, app, token: () => acquireToken(app, sim) };
}

/** The minimal MSAL configuration against the simulator (documented in the README). */
export function msalApp(
  sim: ExchangeSimulator,
  tenantId: string,
  clientId: string,
  credential: { clientSecret: string } | { clientCertificate: { thumbprintSha256: string; privateKey: string; x5c?: string } },
): ConfidentialClientApplication {
  const config: Configuration = {
    auth: {
      clientId,
      authority: `${sim.url}/${tenantId}`,
      // Without it MSAL asks login.microsoftonline.com whether the host is a trusted authority.
      knownAuthorities: [new URL(sim.url).host],
      ...credential,
    },
  };
  return new ConfidentialClientApplication(config);
}

export async function acquireToken(app: ConfidentialClientApplication, sim: ExchangeSimulator): Promise<string> {
  const result = await app.acquireTokenByClientCredential({ scopes: [`${sim.url}/.default`] });
  if (!result?.accessToken) throw new Error("no token");
  return result.accessToken;
}

/** A second app in the fixture's tenant with exactly these roles, and a token for it. */
export async function tokenForNewApp(f: SimulatorFixture, roles: string[]): Promise<{ clientId: string; token: string }> {
  const clientSecret = "another-secret";
  const { clientId } = f.sim.addApp(f.tenantId, { clientSecret, roles });
  return { clientId, token: await acquireToken(msalApp(f.sim, f.tenantId, clientId, { clientSecret }), f.sim) };
}

export function graphClient(sim: ExchangeSimulator, app: ConfidentialClientApplication): Client {
  return Client.initWithMiddleware({
    authProvider: { getAccessToken: () => acquireToken(app, sim) },
    baseUrl: sim.url,
    customHosts: new Set(["localhost"]),
    defaultVersion: "v1.0",
  });
}

export function fixtureGraph(f: SimulatorFixture): Client {
  return graphClient(f.sim, f.app);
}

/** Plain fetch against Graph (fixture token unless given), for asserting raw status, headers and bodies. */
export async function rawGraph(
  f: SimulatorFixture,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; token?: string } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const token = init.token ?? (await f.token());
  const response = await fetch(path.startsWith("https://") ? path : `${f.sim.url}/v1.0${path}`, {
    method: init.method ?? "GET",
    headers: {
      Authorization: `Bearer ${token}`,
      ...(init.body === undefined ? {} : { "Content-Type": "application/json" }),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** Polls until the condition holds (a wait, not an assertion about time). */
export async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Timed out waiting until ${what}`);
}

/** Follows nextLinks to the deltaLink; returns every item and the deltaLink. */
export async function deltaRound(
  f: SimulatorFixture,
  first: string,
  headers: Record<string, string> = {},
): Promise<{ items: any[]; deltaLink: string; pages: number }> {
  const items: any[] = [];
  let link = first;
  for (let pages = 1; ; pages++) {
    const page = await rawGraph(f, link, { headers });
    if (page.status !== 200) throw new Error(`delta page ${pages}: ${page.status} ${JSON.stringify(page.body)}`);
    items.push(...page.body.value);
    if (page.body["@odata.deltaLink"]) return { items, deltaLink: page.body["@odata.deltaLink"], pages };
    link = page.body["@odata.nextLink"];
  }
}
