/**
 * The composition root: every service the handlers use, built once from the settings.
 * Azure Functions get it lazily from process.env with Service Bus as the queue; the local host and
 * tests build their own (in-process bus, Azurite, the simulator) and install it with setRuntime.
 */
import { loadSettings, type SyncSettings } from "./config/settings.js";
import { GraphConnection } from "./graph/graph-connection.js";
import { GraphTokenProvider, type TokenSource } from "./graph/token-provider.js";
import { ServiceBusWorkQueue } from "./queues/service-bus-sender.js";
import type { WorkQueueSender } from "./queues/work-queue.js";
import { CursorRepository } from "./storage/cursor-repository.js";
import { EmailRepository } from "./storage/email-repository.js";
import { ItemFailureRepository } from "./storage/item-failure-repository.js";
import { LargeTextStore } from "./storage/large-text-store.js";
import { MailboxRepository } from "./storage/mailbox-repository.js";
import { ProfileRepository } from "./storage/profile-repository.js";
import { StorageAccount } from "./storage/storage-account.js";

export interface Runtime {
  settings: SyncSettings;
  storage: StorageAccount;
  mailboxes: MailboxRepository;
  profiles: ProfileRepository;
  cursors: CursorRepository;
  emails: EmailRepository;
  failures: ItemFailureRepository;
  graph: GraphConnection;
  queue: WorkQueueSender;
  now: () => number;
}

export function createRuntime(settings: SyncSettings, options: { queue?: WorkQueueSender; tokens?: TokenSource; now?: () => number } = {}): Runtime {
  const storage = new StorageAccount(settings.storage);
  const largeText = new LargeTextStore(storage);
  return {
    settings,
    storage,
    mailboxes: new MailboxRepository(storage),
    profiles: new ProfileRepository(storage),
    cursors: new CursorRepository(storage),
    emails: new EmailRepository(storage, largeText),
    failures: new ItemFailureRepository(storage),
    graph: new GraphConnection(settings.graph, options.tokens ?? new GraphTokenProvider(settings.graph)),
    queue: options.queue ?? serviceBusQueue(settings),
    now: options.now ?? Date.now,
  };
}

function serviceBusQueue(settings: SyncSettings): WorkQueueSender {
  if (!settings.serviceBus) throw new Error("No queue: set ServiceBusConnection, or pass a queue to createRuntime.");
  return new ServiceBusWorkQueue(settings.serviceBus);
}

let current: Promise<Runtime> | undefined;

/** The runtime the function handlers use; built from process.env on first use in Azure. */
export function getRuntime(): Promise<Runtime> {
  current ??= (async () => {
    const runtime = createRuntime(loadSettings(process.env));
    await runtime.storage.ensureCreated();
    return runtime;
  })();
  return current;
}

/** Installs a runtime built elsewhere (local host, tests). */
export function setRuntime(runtime: Runtime): void {
  current = Promise.resolve(runtime);
}
