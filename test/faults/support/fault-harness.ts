/**
 * The fault scenarios' harness: the product's runtime with the real MSAL and Graph client against
 * the simulator over HTTPS, Azurite persisted to a folder on fixed ports (so it can be stopped and
 * started again with its data), and the in-process bus. Mailboxes are approved and incoming-enabled.
 *
 * Cycles are run as the queue trigger runs them (runWorkload with the mailbox's current slot);
 * a "round" runs one cycle of every mailbox at once. Postponements and retries are not waited for:
 * recovery is counted in cycles, never timed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { freePort } from "../../support/free-port.js";
import os from "node:os";
import path from "node:path";
import { loadSettings, type Environment } from "../../../shared/config/settings.js";
import { newMailbox } from "../../../shared/domain/mailbox.js";
import { defaultPolling, newProfile } from "../../../shared/domain/profile.js";
import { InProcessServiceBus } from "../../../shared/queues/in-process-bus.js";
import { createRuntime, type Runtime } from "../../../shared/runtime.js";
import type { TrackingSettings } from "../../../shared/domain/tracking/tracking-settings.js";
import { incomingEngine } from "../../../shared/sync/incoming/incoming-engine.js";
import { runWorkload } from "../../../shared/sync/workload-runner.js";
import type { CycleReport } from "../../../shared/telemetry/cycle-report.js";
import { startAzurite, type Azurite } from "../../tools/azurite.js";
import { startExchangeSimulator, type ExchangeSimulator } from "../../tools/exchange-simulator/index.js";
import { MailLedger, type FaultMailbox } from "./ledger.js";
import { checkInvariant, runtimeReader, type InvariantReport } from "./invariant.js";

export interface FaultHarness {
  sim: ExchangeSimulator;
  runtime: Runtime;
  bus: InProcessServiceBus;
  env: Environment;
  clientId: string;
  mailboxes: FaultMailbox[];
  ledger: MailLedger;
  /** A second runtime over the same storage and tenant: another worker process. */
  newWorker(): Runtime;
  /** One cycle of a mailbox, as the queue trigger would run its current slot. Errors the cycle does not handle come back as outcome "error". */
  cycle(mailboxId: string, runtime?: Runtime): Promise<CycleReport | { outcome: "error"; error: string; mailboxId: string }>;
  /** One cycle of every mailbox, side by side. */
  round(): Promise<Array<CycleReport | { outcome: "error"; error: string; mailboxId: string }>>;
  check(): Promise<InvariantReport>;
  /** Runs rounds until the invariant holds (at most `max`); returns how many it took. */
  recover(max?: number, pauseMs?: number): Promise<{ rounds: number; report: InvariantReport }>;
  stopAzurite(): Promise<void>;
  startAzurite(): Promise<void>;
  stop(): Promise<void>;
}

export async function startFaultHarness(options: { mailboxes?: number; env?: Environment; pageSize?: number; tracking?: Partial<TrackingSettings> } = {}): Promise<FaultHarness> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "faults-azurite-"));
  const ports = { tablePort: await freePort(), blobPort: await freePort() };
  let azurite: Azurite | undefined = await startAzurite({ location: dataDir, ...ports });
  const sim = await startExchangeSimulator();
  const tenantId = sim.addTenant();
  const clientSecret = "fault-harness-secret";
  const { clientId } = sim.addApp(tenantId, { clientSecret, roles: ["Mail.ReadWrite", "Mail.Send", "User.Read.All"] });
  const env: Environment = {
    GRAPH_ENDPOINT: sim.url,
    LOGIN_AUTHORITY_HOST: sim.url,
    GRAPH_TENANT_ID: tenantId,
    GRAPH_CLIENT_ID: clientId,
    GRAPH_CLIENT_SECRET: clientSecret,
    GRAPH_PAGE_SIZE: String(options.pageSize ?? 10),
    // The profile's request timeout governs its mailboxes' requests; both are set to this.
    GRAPH_REQUEST_TIMEOUT_SECONDS: "1",
    SyncStorage: azurite.connectionString,
    ...options.env,
  };
  const bus = new InProcessServiceBus();
  const makeRuntime = () => createRuntime(loadSettings(env, { serviceBus: false }), { queue: bus, env });
  const runtime = makeRuntime();
  await runtime.storage.ensureCreated();
  // The invariants count delivered mail as activities: every message is tracked (track option `all`).
  await runtime.orgSettings.put({ ...(await runtime.orgSettings.get()), defaultTrackOption: "all", autoTrackSentFolderItems: true, ...options.tracking });
  await runtime.profiles.put(newProfile({ id: "faults", name: "Fault scenarios", maxConcurrentConnections: 50, polling: defaultPolling, requestTimeoutSeconds: Number(env.GRAPH_REQUEST_TIMEOUT_SECONDS) }, Date.now()));
  const mailboxes: FaultMailbox[] = [];
  for (let i = 0; i < (options.mailboxes ?? 4); i++) {
    const address = `fault${i}@contoso.example`;
    const added = sim.addMailbox({ tenantId, address, displayName: `Fault ${i}` });
    const mailbox = newMailbox(
      {
        id: `mbx-fault${i}`,
        emailAddress: address,
        profileId: "faults",
        approved: true,
        exchangeUserId: added.id,
        processEmailsFrom: "2000-01-01T00:00:00.000Z",
        methods: { incoming: "ServerSideSync" },
        enabled: { incoming: true },
      },
      Date.now(),
    );
    await runtime.mailboxes.put(mailbox);
    mailboxes.push({ id: mailbox.id, address });
  }
  const ids = mailboxes.map((m) => m.id);
  const ledger = new MailLedger((input) => sim.deliverMessage(input));

  const cycle: FaultHarness["cycle"] = async (mailboxId, on = runtime) => {
    try {
      const stored = await on.mailboxes.get(mailboxId);
      return await runWorkload(on, incomingEngine, { mailboxId, workload: "incoming", slot: stored?.mailbox.workloads.incoming.nextSlot ?? 0, reason: "scheduled" });
    } catch (error) {
      return { outcome: "error", error: error instanceof Error ? error.message.slice(0, 200) : String(error), mailboxId };
    }
  };
  const round = () => Promise.all(ids.map((id) => cycle(id)));
  const check = () => checkInvariant(runtimeReader(runtime), ledger.expected, ids);

  return {
    sim,
    runtime,
    bus,
    env,
    clientId,
    mailboxes,
    ledger,
    newWorker: makeRuntime,
    cycle,
    round,
    check,
    async recover(max = 10, pauseMs = 0) {
      let report = await check();
      let rounds = 0;
      while (!report.ok && rounds < max) {
        if (pauseMs > 0 && rounds > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
        await round();
        rounds++;
        report = await check();
      }
      return { rounds, report };
    },
    async stopAzurite() {
      await azurite?.stop();
      azurite = undefined;
    },
    async startAzurite() {
      azurite = await startAzurite({ location: dataDir, ...ports });
    },
    async stop() {
      await bus.close();
      await sim.close();
      await azurite?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
