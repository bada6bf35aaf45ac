/**
 * Real parts for integration tests: Azurite in this process, the Exchange Online simulator over
 * HTTPS, the product's runtime with the real MSAL and Graph client, and the in-process bus.
 */
import { loadSettings, type Environment } from "../../shared/config/settings.js";
import { newMailbox, type Mailbox } from "../../shared/domain/mailbox.js";
import { defaultIncomingPolling, defaultPolling, newProfile, type PollingBounds } from "../../shared/domain/profile.js";
import { InProcessServiceBus } from "../../shared/queues/in-process-bus.js";
import type { WorkloadMessageBody } from "../../shared/queues/work-queue.js";
import { createRuntime, type Runtime } from "../../shared/runtime.js";
import { incomingEngine } from "../../shared/sync/incoming/incoming-engine.js";
import { runWorkload, type WorkloadEngine } from "../../shared/sync/workload-runner.js";
import type { CycleReport } from "../../shared/telemetry/cycle-report.js";
import type { TrackingSettings } from "../../shared/domain/tracking/tracking-settings.js";
import { startAzurite, type Azurite } from "../tools/azurite.js";
import { startExchangeSimulator, type ExchangeSimulator } from "../tools/exchange-simulator/index.js";

export interface HarnessMailbox {
  id: string;
  address: string;
  exchangeUserId: string;
}

export interface SyncHarness {
  azurite: Azurite;
  sim: ExchangeSimulator;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  bus: InProcessServiceBus;
  runtime: Runtime;
  env: Environment;
  addMailbox(localPart: string, options?: { processEmailsFrom?: string; approved?: boolean; outgoing?: boolean; act?: boolean; ownerType?: "user" | "queue" }): Promise<HarnessMailbox>;
  /** Runs one cycle of a workload now, as the queue trigger would for the mailbox's current slot. */
  runCycle(engine: WorkloadEngine, mailboxId: string): Promise<CycleReport>;
  /** Runs one incoming cycle now, as the queue trigger would for the mailbox's current slot. */
  runIncoming(mailboxId: string): Promise<CycleReport>;
  mailbox(mailboxId: string): Promise<Mailbox>;
  stop(): Promise<void>;
}

/**
 * Tracking settings for tests of the sync machinery rather than of tracking: every message of
 * Inbox and Sent Items becomes an activity (track option `all`, Sent Items auto-tracked), as the
 * engine did before email tracking.
 */
export const trackEverything: Partial<TrackingSettings> = { defaultTrackOption: "all", autoTrackSentFolderItems: true };

export async function startSyncHarness(
  options: { env?: Environment; polling?: PollingBounds; pageSize?: number; tracking?: Partial<TrackingSettings> } = {},
): Promise<SyncHarness> {
  const azurite = await startAzurite({ inMemory: true });
  const sim = await startExchangeSimulator();
  const tenantId = sim.addTenant();
  const clientSecret = "harness-secret-value";
  const { clientId } = sim.addApp(tenantId, { clientSecret, roles: ["Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite", "Contacts.ReadWrite", "Tasks.ReadWrite.All", "User.Read.All"] });
  const env: Environment = {
    GRAPH_ENDPOINT: sim.url,
    LOGIN_AUTHORITY_HOST: sim.url,
    GRAPH_TENANT_ID: tenantId,
    GRAPH_CLIENT_ID: clientId,
    GRAPH_CLIENT_SECRET: clientSecret,
    GRAPH_PAGE_SIZE: String(options.pageSize ?? 50),
    SyncStorage: azurite.connectionString,
    ...options.env,
  };
  const bus = new InProcessServiceBus();
  const runtime = createRuntime(loadSettings(env, { serviceBus: false }), { queue: bus, env });
  await runtime.storage.ensureCreated();
  if (options.tracking) await runtime.orgSettings.put({ ...(await runtime.orgSettings.get()), ...options.tracking });
  await runtime.profiles.put(newProfile({ id: "profile-1", name: "Test profile", polling: { ...defaultPolling, incoming: options.polling ?? defaultIncomingPolling } }, runtime.now()));

  async function runCycle(engine: WorkloadEngine, mailboxId: string): Promise<CycleReport> {
    const stored = await runtime.mailboxes.get(mailboxId);
    const message: WorkloadMessageBody = { mailboxId, workload: engine.workload, slot: stored?.mailbox.workloads[engine.workload].nextSlot ?? 0, reason: "scheduled" };
    return runWorkload(runtime, engine, message);
  }

  return {
    azurite, sim, tenantId, clientId, clientSecret, bus, runtime, env,
    async addMailbox(localPart, mailboxOptions = {}) {
      const address = `${localPart}@contoso.example`;
      const added = sim.addMailbox({ tenantId, address, displayName: localPart });
      const mailbox = newMailbox(
        {
          id: `mbx-${localPart}`,
          emailAddress: address,
          profileId: "profile-1",
          approved: mailboxOptions.approved ?? true,
          exchangeUserId: added.id,
          // Tests deliver mail with past timestamps; start from the epoch unless told otherwise.
          processEmailsFrom: mailboxOptions.processEmailsFrom ?? "2000-01-01T00:00:00.000Z",
          ownerType: mailboxOptions.ownerType,
          methods: { incoming: "ServerSideSync", outgoing: mailboxOptions.outgoing ? "ServerSideSync" : "None", act: mailboxOptions.act ? "ServerSideSync" : "None" },
          enabled: { incoming: true, outgoing: mailboxOptions.outgoing === true, act: mailboxOptions.act === true },
        },
        runtime.now(),
      );
      await runtime.mailboxes.put(mailbox);
      return { id: mailbox.id, address, exchangeUserId: added.id };
    },
    runIncoming: (mailboxId) => runCycle(incomingEngine, mailboxId),
    runCycle,
    async mailbox(mailboxId) {
      const stored = await runtime.mailboxes.get(mailboxId);
      if (!stored) throw new Error(`no mailbox ${mailboxId}`);
      return stored.mailbox;
    },
    async stop() {
      await bus.close();
      await sim.close();
      await azurite.stop();
    },
  };
}

/** Every activity stored for a mailbox, following continuation tokens. */
export async function allEmails(runtime: Runtime, mailboxId: string) {
  const items = [];
  let continuationToken: string | undefined;
  do {
    const page = await runtime.emails.listForMailbox(mailboxId, { pageSize: 100, continuationToken });
    items.push(...page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return items;
}
