/**
 * The local host: the product's own function definitions run on this machine with nothing but
 * Node. Azurite in-process for Table and Blob Storage, an in-process Service Bus with the real
 * semantics, the timers on an interval, the HTTP functions on 127.0.0.1:7071, and — unless a real
 * tenant is configured — the Exchange Online simulator with a demo tenant whose mail keeps flowing.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import azureFunctions, { type ServiceBusQueueHandler, type Timer, type TimerHandler } from "@azure/functions";
import { noAuthentication, tokenAuthentication } from "../../../shared/auth/token-authentication.js";
import { loadSettings, readApiAuthSettings, type Environment } from "../../../shared/config/settings.js";
import { hostFunctionsLocally, registeredFunctions } from "../../../shared/hosting/function-registry.js";
import { workloads } from "../../../shared/domain/workloads.js";
import { InProcessServiceBus } from "../../../shared/queues/in-process-bus.js";
import { createRuntime, setRuntime, type Runtime } from "../../../shared/runtime.js";
import type { CycleReport } from "../../../shared/telemetry/cycle-report.js";
import { startAzurite } from "../azurite.js";
import { startExchangeSimulator, type ExchangeSimulator } from "../exchange-simulator/index.js";
import { seedLocalMailboxes, startDemoTenant, type DemoTenant } from "./demo-tenant.js";
import { seedDemoTracking, trackDemoFolder } from "./demo-tracking.js";
import { demoSignInRoute } from "./demo-sign-in-route.js";
import { serveHttpFunctions } from "./http-adapter.js";
import { CycleTally, type ProgressCounts } from "./progress.js";

// The package is CommonJS: under plain Node ESM its classes come through the default export.
const { InvocationContext } = azureFunctions;

export interface LocalHostOptions {
  /** Settings as the Functions host would see them (environment merged with local.settings.json). */
  env: Environment;
  host: string;
  httpPort: number;
  /**
   * This mode's data folder (see data-folders.ts): Azurite's data and, for the demo, the simulated
   * tenant's state file beside it. Ignored when inMemory.
   */
  dataDir: string;
  inMemory: boolean;
  schedulerIntervalMs: number;
  /** Present when no real tenant is configured: run the simulator with a demo tenant. */
  demo?: { mailboxCount: number; mailEveryMs: number; simulatorPort: number };
  /** Addresses to sync when a real tenant is configured. */
  realMailboxes: string[];
  log: (line: string) => void;
  verbose: boolean;
  /**
   * `--no-auth`: the API asks for no token (every request is the local operator with every role).
   * Only on the operator's explicit request; otherwise tokens are checked as in Azure.
   */
  noAuth?: boolean;
  /**
   * Table and Blob Storage elsewhere (a connection string), instead of Azurite in this process:
   * the fleet benchmark keeps Azurite's CPU out of the worker's.
   */
  storageConnectionString?: string;
  /** Every cycle's report, as the host logs it (the benchmarks count them). */
  onCycle?: (report: CycleReport) => void;
}

export interface LocalHost {
  url: string;
  simulatorUrl?: string;
  runtime: Runtime;
  bus: InProcessServiceBus;
  progress(): ProgressCounts;
  stop(): Promise<void>;
}

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../..");
const functionsDir = path.join(repoRoot, "functions");

/** host.json's extensions.serviceBus.maxConcurrentSessions: the cycles of one queue an instance runs side by side. */
export function hostSessionsPerQueue(): number {
  const hostJson = JSON.parse(readFileSync(path.join(repoRoot, "host.json"), "utf8")) as { extensions?: { serviceBus?: { maxConcurrentSessions?: number } } };
  return hostJson.extensions?.serviceBus?.maxConcurrentSessions ?? 8;
}

async function loadFunctionDefinitions() {
  hostFunctionsLocally();
  const files = readdirSync(functionsDir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith(".d.ts"));
  for (const file of files) await import(pathToFileURL(path.join(functionsDir, file)).href);
  return registeredFunctions();
}

/**
 * The in-process bus starts empty, so the next runs queued before a restart are gone (Service Bus
 * would have kept them): every scheduled workload is made due now.
 */
async function makeEnabledWorkloadsDue(runtime: Runtime): Promise<void> {
  const now = runtime.now();
  let continuationToken: string | undefined;
  do {
    const page = await runtime.mailboxes.listPage({ pageSize: 1000, continuationToken });
    for (const mailbox of page.items) {
      for (const workload of workloads) {
        if (mailbox.workloads[workload].dueAt !== null) await runtime.mailboxes.patch(mailbox.id, { workload: { name: workload, state: { nextSlot: now, dueAt: now } } });
      }
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
}

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const azuriteDir = path.join(options.dataDir, "azurite");
    const simulatorStateFile = options.demo && !options.inMemory ? path.join(options.dataDir, "exchange-simulator.json") : undefined;
    if (simulatorStateFile && !existsSync(simulatorStateFile) && existsSync(azuriteDir)) {
      // The product's demo data without the simulated tenant it was synced with: its ids and links
      // would name nothing, so the two start over together.
      options.log(`the demo's data in ${options.dataDir} has no simulated tenant beside it: starting the demo over`);
      rmSync(azuriteDir, { recursive: true, force: true });
    }
    let storage = options.storageConnectionString;
    if (!storage) {
      const azurite = await startAzurite({ location: azuriteDir, inMemory: options.inMemory });
      cleanups.push(() => azurite.stop());
      storage = azurite.connectionString;
    }

    const env: Environment = { ...options.env, SyncStorage: storage };
    let simulator: ExchangeSimulator | undefined;
    let demo: DemoTenant | undefined;
    if (options.demo) {
      simulator = await startExchangeSimulator({ port: options.demo.simulatorPort, stateFile: simulatorStateFile });
      cleanups.push(() => simulator!.close());
      demo = startDemoTenant(simulator, options.demo.mailboxCount);
      simulator.saveState();
      Object.assign(env, demo.settings);
    }

    // The console's sign-in (shared/console/static-files.ts): the demo's picked role, or none with --no-auth.
    if (options.noAuth) env.CONSOLE_SIGN_IN = "none";
    else if (demo) env.CONSOLE_SIGN_IN = "localDemo";
    const settings = loadSettings(env, { serviceBus: false });
    // Demo: the simulator's tokens for the demo tenant; a real tenant: that tenant's (API_AUDIENCE).
    const authentication = options.noAuth ? noAuthentication() : tokenAuthentication(readApiAuthSettings(env));
    const bus = new InProcessServiceBus();
    cleanups.push(() => bus.close());
    const runtime = createRuntime(settings, { queue: bus, env, authentication });
    await runtime.storage.ensureCreated();
    setRuntime(runtime);
    await seedLocalMailboxes(runtime, demo ? demo.mailboxes : options.realMailboxes.map((address) => ({ address })), demo ? "demo" : "local");
    if (demo) await seedDemoTracking(runtime, demo.mailboxes);
    if (demo?.trackedFolder) await trackDemoFolder(runtime, demo.trackedFolder);
    await makeEnabledWorkloadsDue(runtime);

    if (demo) {
      // A first handful of mail before the first cycle, so the demo shows synced mail at once.
      demo.welcomeNewMailboxes();
      const flow = demo.startMail(options.demo!.mailEveryMs);
      cleanups.push(() => flow.stop());
      for (let i = 0; i < Math.min(10, options.demo!.mailboxCount * 2); i++) await flow.deliverNext();
    }

    const tally = new CycleTally();
    const logHandler = (level: string, ...args: unknown[]) => {
      const [message, properties] = args;
      if (typeof message === "string" && message.startsWith("cycle ") && properties && typeof properties === "object") {
        const report = properties as CycleReport;
        tally.record(report);
        options.onCycle?.(report);
        if (options.verbose || report.outcome === "failed") {
          options.log(`${report.workload} ${report.mailboxId}: ${report.outcome} items=${report.items}${Object.entries(report.counts ?? {}).map(([kind, count]) => ` ${kind}=${count}`).join("")} graph=${report.graphRequests} ${report.durationMs}ms${report.errorCode ? ` error=${report.errorCode}` : ""}`);
        }
        return;
      }
      if (level === "error" || level === "warning" || options.verbose) {
        options.log(`${level}: ${typeof message === "string" ? message : ""}${properties && typeof properties === "object" ? ` ${JSON.stringify(properties)}` : ""}`);
      }
    };

    const definitions = await loadFunctionDefinitions();
    // As many sessions of each queue at a time as one Functions instance takes (host.json).
    const maxConcurrentCalls = hostSessionsPerQueue();
    for (const definition of definitions) {
      if (definition.kind !== "serviceBusQueue") continue;
      const handler = definition.handler as ServiceBusQueueHandler;
      bus.subscribe(definition.queueName, async (body, delivery) => {
        const context = new InvocationContext({
          invocationId: randomUUID(),
          functionName: definition.name,
          logHandler: logHandler as never,
          triggerMetadata: { messageId: delivery.messageId, sessionId: delivery.sessionId, deliveryCount: delivery.deliveryCount, enqueuedTimeUtc: delivery.enqueuedTime.toISOString() },
        });
        await handler(body, context);
      }, { maxConcurrentCalls });
    }

    for (const definition of definitions) {
      if (definition.kind !== "timer") continue;
      const handler = definition.handler as TimerHandler;
      let running = false;
      const tick = async () => {
        if (running) return;
        running = true;
        const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
        try {
          await handler(timer, new InvocationContext({ invocationId: randomUUID(), functionName: definition.name, logHandler: logHandler as never }));
        } catch (error) {
          options.log(`error: timer ${definition.name} failed: ${error instanceof Error ? error.message : "unknown error"}`);
        } finally {
          running = false;
        }
      };
      const interval = setInterval(tick, options.schedulerIntervalMs);
      cleanups.push(() => clearInterval(interval));
      void tick();
    }

    const localRoutes = simulator && !options.noAuth ? [demoSignInRoute(simulator)] : [];
    const http = await serveHttpFunctions(definitions, { host: options.host, port: options.httpPort, logHandler, localRoutes });
    cleanups.push(() => http.close());
    if (simulator && !runtime.settings.pushNotificationUrl) {
      // Push against the simulator: it posts notifications to this host's routes over loopback
      // (the pushRenewal timer subscribes every enabled mailbox on its next tick).
      runtime.settings.pushNotificationUrl = `http://127.0.0.1:${new URL(http.url).port}`;
    }

    return { url: http.url, simulatorUrl: simulator?.url, runtime, bus, progress: () => tally.counts(), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
