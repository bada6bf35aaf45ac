/**
 * The demo tenant the local host syncs when no real tenant is configured: a simulated Exchange
 * Online organisation with an app registration, mailboxes, and mail arriving every few seconds;
 * and the product-side records (a profile with fast polling, approved mailboxes) that sync it.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Environment } from "../../../shared/config/settings.js";
import { newMailbox } from "../../../shared/domain/mailbox.js";
import { defaultPolling, maxConcurrentConnectionsLimit, newProfile, type EmailServerProfile } from "../../../shared/domain/profile.js";
import { workloads } from "../../../shared/domain/workloads.js";
import type { Runtime } from "../../../shared/runtime.js";
import { createMailbox, MappingConflict } from "../../../shared/sync/mailbox-mapping.js";
import { customerDomains, startMailFlow } from "../exchange-simulator/demo.js";
import type { ExchangeSimulator } from "../exchange-simulator/index.js";
import { demoApiClientId } from "./demo-sign-in.js";

/** Fixed ids so that records persisted by an earlier run line up with this run's simulator. */
export const demoTenantId = "8f3a3c52-6f2e-4c8e-9a43-2b7f1d0e5a11";
const demoClientId = "5b1e7c0d-3a94-4f7b-8d21-6c9e0f4a2b37";
const demoDomain = "contoso.example";
const demoNames = [
  "Adele Vance", "Alex Wilber", "Diego Siciliani", "Grady Archie", "Henrietta Mueller", "Isaiah Langer",
  "Johanna Lorenz", "Joni Sherman", "Lee Gu", "Lidia Holloway", "Lynne Robbins", "Megan Bowen",
  "Miriam Graham", "Nestor Wilke", "Patti Fernandez", "Pradeep Gupta", "Christie Cline", "Enrico Cattaneo",
  "Irvin Sayers", "Debra Berger",
];
/**
 * Exchange mailboxes of the demo tenant that no CRM mailbox syncs yet, for trying the admin flow
 * (README "HTTP API": map, approve, Test & Enable, send).
 */
export const unmappedDemoMailboxes = [
  { address: `allan@${demoDomain}`, displayName: "Allan Deyoung" },
  // The queues of the sample Email Router files (docs/email-router-samples), for the migration walk-through.
  { address: `support@${demoDomain}`, displayName: "Support" },
  { address: `sales@${demoDomain}`, displayName: "Sales" },
];

export interface LocalMailbox {
  address: string;
  exchangeUserId?: string;
}

export interface DemoTenant {
  settings: Environment;
  mailboxes: LocalMailbox[];
  startMail(everyMs: number): { deliverNext(): Promise<void>; stop(): void };
  /**
   * A welcome message in the Inbox of each demo mailbox this start created, so every mailbox has
   * mail to show from its first cycle (README's first examples read one). Call it after the
   * product's mailboxes exist: mail older than a new mailbox is not synced.
   */
  welcomeNewMailboxes(): void;
  /** The folder under one mailbox's Inbox that the demo tracks (Fabrikam's mail is filed there). */
  trackedFolder?: { mailbox: LocalMailbox; folderId: string; domain: string };
}

/** A stable GUID-shaped id for an address, so re-seeding finds the same mailbox record. */
export function mailboxIdFor(address: string): string {
  const hex = createHash("sha256").update(address.toLowerCase()).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function startDemoTenant(sim: ExchangeSimulator, mailboxCount: number): DemoTenant {
  const clientSecret = randomBytes(24).toString("base64url");
  const tenantId = sim.addTenant({ tenantId: demoTenantId });
  sim.addApp(tenantId, {
    clientId: demoClientId,
    clientSecret,
    roles: ["Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite", "Contacts.ReadWrite", "Tasks.ReadWrite.All", "User.Read.All"],
  });
  // A simulator that kept its state from an earlier run has these mailboxes already.
  const existing = new Map(sim.listMailboxes().map((m) => [m.address.toLowerCase(), m]));
  const created: string[] = [];
  const ensureMailbox = (address: string, displayName: string) => {
    const found = existing.get(address);
    if (found) return found;
    created.push(address);
    return sim.addMailbox({ tenantId, address, displayName, id: mailboxIdFor(`exo:${address}`) });
  };
  const mailboxes = Array.from({ length: mailboxCount }, (_, i) => {
    const name = demoNames[i % demoNames.length]!;
    const suffix = i >= demoNames.length ? String(Math.floor(i / demoNames.length) + 1) : "";
    const address = `${name.split(" ")[0]!.toLowerCase()}${suffix}@${demoDomain}`;
    const added = ensureMailbox(address, name);
    return { address: added.address, exchangeUserId: added.id, displayName: name };
  });
  for (const { address, displayName } of unmappedDemoMailboxes) ensureMailbox(address, displayName);
  // Folder-level tracking: the second mailbox files one customer's mail in a folder of its own.
  const filer = mailboxes[1];
  const trackedFolder = filer ? { mailbox: filer, folderId: sim.ensureFolder(filer.address, "inbox", "Fabrikam").id, domain: customerDomains[0]! } : undefined;
  return {
    settings: {
      GRAPH_ENDPOINT: sim.url,
      LOGIN_AUTHORITY_HOST: sim.url,
      GRAPH_TENANT_ID: tenantId,
      GRAPH_CLIENT_ID: demoClientId,
      GRAPH_CREDENTIAL_KIND: "clientSecret",
      GRAPH_CLIENT_SECRET: clientSecret,
      // The API accepts the simulator's tokens for the demo tenant, by the same code path as Entra's.
      API_TENANT_ID: tenantId,
      API_AUDIENCE: demoApiClientId,
    },
    mailboxes,
    welcomeNewMailboxes: () => {
      for (const { address, displayName } of mailboxes.filter((m) => created.includes(m.address))) {
        sim.deliverMessage({
          mailbox: address,
          subject: "Welcome to the demo tenant",
          body: { contentType: "text", content: `Hi ${displayName.split(" ")[0]}, this mailbox is synced by the local host's demo profile.` },
          from: { name: "Contoso IT", address: `it@${demoDomain}` },
          to: [{ name: displayName, address }],
        });
      }
    },
    trackedFolder,
    startMail: (everyMs) =>
      startMailFlow(sim, mailboxes.map((m) => ({ id: m.exchangeUserId, address: m.address, displayName: m.displayName })), {
        everyMs,
        ...(trackedFolder ? { fileInto: { mailbox: trackedFolder.mailbox.address, folderId: trackedFolder.folderId, domain: trackedFolder.domain } } : {}),
      }),
  };
}

/**
 * Creates the profile and mailboxes that are missing; what exists — and what an admin changed in
 * it — is kept. In the demo, polling is fast so mail shows within seconds, and the profile has a
 * connection for each workload of each mailbox: they all come due together at start, and the
 * demo should show them syncing, not waiting for a connection. Real profiles keep server-side
 * sync's defaults.
 */
export async function seedLocalMailboxes(runtime: Runtime, mailboxes: LocalMailbox[], profileId: "demo" | "local"): Promise<void> {
  const now = runtime.now();
  if (!(await runtime.profiles.get(profileId))) {
    const fast = { minSeconds: 5, defaultSeconds: 10, maxSeconds: 30 };
    const profile: EmailServerProfile = newProfile(
      profileId === "demo"
        ? {
            id: profileId,
            name: "Demo tenant (simulated Exchange Online)",
            polling: { incoming: fast, outgoing: fast, act: fast },
            maxConcurrentConnections: Math.min(maxConcurrentConnectionsLimit, mailboxes.length * workloads.length),
          }
        : { id: profileId, name: "Local host", polling: defaultPolling },
      now,
    );
    await runtime.profiles.put(profile);
  }
  for (const { address, exchangeUserId } of mailboxes) {
    const id = mailboxIdFor(address);
    const mailbox = newMailbox(
      {
        id, emailAddress: address, profileId, approved: true, exchangeUserId,
        methods: { incoming: "ServerSideSync", outgoing: "ServerSideSync", act: "ServerSideSync" },
        enabled: { incoming: true, outgoing: true, act: true },
      },
      now,
    );
    // Through the mailbox index, as the API maps mailboxes: an address (or owner) an admin mapped to
    // another mailbox stays there, and is not seeded a second time.
    try {
      await createMailbox(runtime, mailbox);
    } catch (error) {
      if (!(error instanceof MappingConflict)) throw error;
    }
  }
}
