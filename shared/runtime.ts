/**
 * The composition root: every service the handlers use, built once from the settings.
 * Azure Functions get it lazily from process.env with Service Bus as the queue; the local host and
 * tests build their own (in-process bus, Azurite, the simulator) and install it with setRuntime.
 */
import { profileGraphSettings } from "./config/profile-credentials.js";
import { loadSettings, readApiAuthSettings, type Environment, type SyncSettings } from "./config/settings.js";
import { tokenAuthentication, type Authentication } from "./auth/token-authentication.js";
import { AuditRepository } from "./storage/audit-repository.js";
import type { EmailServerProfile } from "./domain/profile.js";
import { GraphConnection, type ConnectionAdmission } from "./graph/graph-connection.js";
import { GraphRequestError } from "./graph/graph-errors.js";
import { MailboxRequestGate, workloadLane } from "./graph/mailbox-request-gate.js";
import type { Workload } from "./domain/workloads.js";
import { MailboxLaneLeases } from "./storage/mailbox-lane-leases.js";
import { GraphTokenProvider, type TokenSource } from "./graph/token-provider.js";
import { ServiceBusWorkQueue } from "./queues/service-bus-sender.js";
import type { WorkQueueSender } from "./queues/work-queue.js";
import { ActLinkRepository } from "./storage/act-link-repository.js";
import type { DeclaredRecordFields, PartyFieldsByType } from "./domain/party-records.js";
import { ActRecordRepository, CrmRecordRepository } from "./storage/act-record-repository.js";
import { AddressBook } from "./storage/address-book.js";
import { AddressBookIndex } from "./storage/address-book-index.js";
import { EmailEnabledTypeRepository } from "./storage/email-enabled-type-repository.js";
import { AlertRepository } from "./storage/alert-repository.js";
import { AttachmentStore } from "./storage/attachment-store.js";
import { CrmEmailRepository } from "./storage/crm-email-repository.js";
import { CorrelationIndex } from "./storage/correlation-index.js";
import { StoredCorrelationLookups } from "./storage/correlation-lookups.js";
import { OwnerTrackingRepository } from "./storage/owner-tracking-repository.js";
import { ConnectionSlots, connectionLimitCode, connectionWaitMs } from "./storage/connection-slots.js";
import { CursorRepository } from "./storage/cursor-repository.js";
import { EmailRepository } from "./storage/email-repository.js";
import { EmailAttachmentRepository } from "./storage/email-attachment-repository.js";
import { ItemFailureRepository } from "./storage/item-failure-repository.js";
import { SyncStatsRepository } from "./storage/sync-stats-repository.js";
import { LargeTextStore } from "./storage/large-text-store.js";
import { MailboxIndex } from "./storage/mailbox-index.js";
import { MailboxRepository } from "./storage/mailbox-repository.js";
import { MigrationRepository } from "./migration/migration-repository.js";
import { OrgSettingsRepository } from "./storage/org-settings-repository.js";
import { ProfileRepository } from "./storage/profile-repository.js";
import { StorageAccount } from "./storage/storage-account.js";
import { startTelemetry } from "./telemetry/telemetry.js";
import { NotificationIntake } from "./push/notification-intake.js";
import { PushSubscriptionRepository } from "./push/subscription-repository.js";
import { SyncFilterRepository } from "./storage/sync-filter-repository.js";
import { TrackingNumberRepository } from "./storage/tracking-number-repository.js";
import { TrackedFolderRepository } from "./storage/tracked-folder-repository.js";

export interface Runtime {
  settings: SyncSettings;
  env: Environment;
  storage: StorageAccount;
  mailboxes: MailboxRepository;
  /** Who holds each email address and each CRM owner: every mapping goes through it (sync/mailbox-mapping.ts). */
  mailboxIndex: MailboxIndex;
  profiles: ProfileRepository;
  orgSettings: OrgSettingsRepository;
  cursors: CursorRepository;
  emails: EmailRepository;
  crmEmails: CrmEmailRepository;
  /** Each mailbox owner's user number and counter for tracking tokens. */
  trackingNumbers: TrackingNumberRepository;
  /** Conversation, token and subject-hash → activity lookups, written as mail is tracked or sent. */
  correlationIndex: CorrelationIndex;
  /** Correlation's lookups: the index and the activities themselves. */
  correlationLookups: StoredCorrelationLookups;
  /** Each owner's track option and "automatically create records". */
  ownerTracking: OwnerTrackingRepository;
  attachments: AttachmentStore;
  /** Tracked mail's attachments: what each activity has, and whether its import is complete. */
  emailAttachments: EmailAttachmentRepository;
  failures: ItemFailureRepository;
  /** Hourly sync figures for the monitoring dashboard. */
  syncStats: SyncStatsRepository;
  alerts: AlertRepository;
  connectionSlots: ConnectionSlots;
  /** The CRM's appointments, contacts and tasks, and which of them sync (per user and type). */
  actRecords: ActRecordRepository;
  /** Accounts and leads: CRM-only records (not synced with Exchange). */
  partyRecords: CrmRecordRepository<PartyFieldsByType>;
  /** Records of the email-enabled types the organization declares; reads any type. */
  declaredRecords: CrmRecordRepository<Record<string, DeclaredRecordFields>>;
  emailEnabledTypes: EmailEnabledTypeRepository;
  /** Email address → the CRM records (and users and queues) it stands for. */
  addressBook: AddressBook;
  syncFilters: SyncFilterRepository;
  /** Folders under the Inbox each mailbox tracks, with their regarding records. */
  trackedFolders: TrackedFolderRepository;
  actLinks: ActLinkRepository;
  /** Graph change-notification subscriptions per mailbox (push). */
  pushSubscriptions: PushSubscriptionRepository;
  /** Checks and folds incoming change notifications (one per process: it caches owners). */
  notificationIntake: NotificationIntake;
  /** Email Router migrations: plan documents, status, step log and wave progress. */
  migrations: MigrationRepository;
  /** The deployment app's connection (alert notices, and profiles that use the deployment app). */
  graph: GraphConnection;
  /**
   * The connection for a profile's mailboxes: each request takes one of the profile's connections
   * and goes in the workload's mailbox lane — the `shared` one, leased across workers, for callers
   * outside a workload's session (graph/mailbox-request-gate.ts).
   */
  graphFor(profile: EmailServerProfile, workload?: Workload): GraphConnection;
  queue: WorkQueueSender;
  /** Who calls the HTTP API: bearer tokens checked against the API's tenant (shared/auth). */
  authentication: Authentication;
  /** Changes made through the admin API: who, what, before/after (shared/audit). */
  audit: AuditRepository;
  now: () => number;
}

export interface RuntimeOptions {
  queue?: WorkQueueSender;
  tokens?: TokenSource;
  /** Default: tokens of API_TENANT_ID for API_AUDIENCE, read when the first HTTP request comes. */
  authentication?: Authentication;
  now?: () => number;
  env?: Environment;
}

export function createRuntime(settings: SyncSettings, options: RuntimeOptions = {}): Runtime {
  const storage = new StorageAccount(settings.storage);
  const largeText = new LargeTextStore(storage);
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  // One gate for every connection of the process: a mailbox's lanes count all its callers.
  const gate = new MailboxRequestGate(new MailboxLaneLeases(storage, () => now()));
  const graph = new GraphConnection(settings.graph, options.tokens ?? new GraphTokenProvider(settings.graph), { gate });
  const perProfile = new Map<string, { key: string; connection: GraphConnection }>();
  const connectionSlots = new ConnectionSlots(storage, () => now());
  const connectionOf = (profile: EmailServerProfile): GraphConnection => {
    const key = JSON.stringify([profile.credential, profile.requestTimeoutSeconds]);
    if (profile.credential.kind === "deploymentApp" && profile.requestTimeoutSeconds * 1000 === settings.graph.requestTimeoutMs) return graph;
    const cached = perProfile.get(profile.id);
    if (cached?.key === key) return cached.connection;
    const graphSettings = profileGraphSettings(settings.graph, profile.credential, profile.requestTimeoutSeconds, env);
    const tokens = profile.credential.kind === "deploymentApp" && options.tokens ? options.tokens : new GraphTokenProvider(graphSettings);
    const connection = new GraphConnection(graphSettings, tokens, { gate });
    perProfile.set(profile.id, { key, connection });
    return connection;
  };
  const mailboxes = new MailboxRepository(storage);
  const pushSubscriptions = new PushSubscriptionRepository(storage);
  const emailEnabledTypes = new EmailEnabledTypeRepository(storage);
  // Every record repository writes through the one address index, whoever writes (API or ACT sync).
  const addressIndex = new AddressBookIndex(storage, emailEnabledTypes, () => now());
  const declaredRecords = new CrmRecordRepository<Record<string, DeclaredRecordFields>>(storage, largeText, () => now(), addressIndex);
  const correlationIndex = new CorrelationIndex(storage);
  const addressBook = new AddressBook(addressIndex, emailEnabledTypes, {
    record: async (type, id) => (await declaredRecords.get(type, id))?.record,
    mailbox: async (id) => (await mailboxes.get(id))?.mailbox,
  }, () => now());
  return {
    settings,
    env,
    storage,
    mailboxes,
    mailboxIndex: new MailboxIndex(storage),
    profiles: new ProfileRepository(storage),
    orgSettings: new OrgSettingsRepository(storage),
    cursors: new CursorRepository(storage),
    emails: new EmailRepository(storage, largeText),
    crmEmails: new CrmEmailRepository(storage, largeText),
    trackingNumbers: new TrackingNumberRepository(storage),
    correlationIndex,
    correlationLookups: new StoredCorrelationLookups(storage, correlationIndex),
    ownerTracking: new OwnerTrackingRepository(storage),
    attachments: new AttachmentStore(storage),
    emailAttachments: new EmailAttachmentRepository(storage),
    failures: new ItemFailureRepository(storage),
    syncStats: new SyncStatsRepository(storage),
    alerts: new AlertRepository(storage),
    connectionSlots,
    actRecords: new ActRecordRepository(storage, largeText, () => now(), addressIndex),
    partyRecords: new CrmRecordRepository<PartyFieldsByType>(storage, largeText, () => now(), addressIndex),
    declaredRecords,
    emailEnabledTypes,
    addressBook,
    syncFilters: new SyncFilterRepository(storage),
    trackedFolders: new TrackedFolderRepository(storage),
    actLinks: new ActLinkRepository(storage, largeText),
    pushSubscriptions,
    notificationIntake: new NotificationIntake(pushSubscriptions),
    migrations: new MigrationRepository(storage, largeText),
    graph,
    graphFor(profile, workload) {
      const lane = workload ? workloadLane[workload] : "shared";
      return connectionOf(profile).scoped({ lane, connections: profileConnections(connectionSlots, profile) });
    },
    queue: options.queue ?? serviceBusQueue(settings),
    authentication: options.authentication ?? lazyTokenAuthentication(env),
    audit: new AuditRepository(storage),
    now,
  };
}

/** A profile's connection limit as its requests meet it; none free in time is Exchange's 429, postponed. */
function profileConnections(slots: ConnectionSlots, profile: EmailServerProfile): ConnectionAdmission {
  return {
    async enter() {
      const permit = await slots.acquire(profile.id, profile.maxConcurrentConnections);
      if (!permit) throw new GraphRequestError({ status: 429, code: connectionLimitCode, message: `Every connection of profile ${profile.id} stayed busy; the work is postponed.`, retryAfterMs: connectionWaitMs + Math.floor(Math.random() * connectionWaitMs) });
      return () => permit.release();
    },
  };
}

function serviceBusQueue(settings: SyncSettings): WorkQueueSender {
  if (!settings.serviceBus) throw new Error("No queue: set ServiceBusConnection, or pass a queue to createRuntime.");
  return new ServiceBusWorkQueue(settings.serviceBus);
}

/** Token settings are read on first use: timers and queue triggers run without them. */
function lazyTokenAuthentication(env: Environment): Authentication {
  let built: Authentication | undefined;
  const get = () => (built ??= tokenAuthentication(readApiAuthSettings(env)));
  return {
    required: true,
    get audience() {
      return get().audience;
    },
    authenticate: (authorization) => get().authenticate(authorization),
  };
}

let current: Promise<Runtime> | undefined;

/** The runtime the function handlers use; built from process.env on first use in Azure. */
export function getRuntime(): Promise<Runtime> {
  current ??= (async () => {
    await startTelemetry(process.env);
    // In Azure a missing API_AUDIENCE stops start-up naming it, like every other setting.
    const runtime = createRuntime(loadSettings(process.env), { authentication: tokenAuthentication(readApiAuthSettings(process.env)) });
    await runtime.storage.ensureCreated();
    return runtime;
  })();
  return current;
}

/** Installs a runtime built elsewhere (local host, tests). */
export function setRuntime(runtime: Runtime): void {
  current = Promise.resolve(runtime);
}
