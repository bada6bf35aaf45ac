/**
 * Exchange Online simulator: an HTTPS server speaking Microsoft Graph v1.0 (mail) and the Microsoft
 * identity platform's client-credentials token endpoint, so the product's real MSAL and Graph
 * clients run against it unchanged. `url` serves as both the Graph endpoint and the authority host.
 * See README.md for the HTTP control routes and the MSAL configuration.
 */
import { ensureDevCertificates, type DevCertificates } from "../dev-certificates.js";
import { ChangeNotifier } from "./change-notifier.js";
import { connectExchangeSimulator, type ControlMethods } from "./control-api.js";
import { DeltaEngine } from "./delta-engine.js";
import { FaultInjector } from "./faults.js";
import { createFolderControl } from "./folder-control.js";
import { FolderDeltaEngine } from "./folder-delta.js";
import { messageProperties, renderMessage } from "./graph-json.js";
import { startHttpsServer } from "./http-server.js";
import { ApiTokenIssuer } from "./api-tokens.js";
import { Identity } from "./identity.js";
import { MailboxStore } from "./mailbox-store.js";
import { newFolderId } from "./mailbox-model.js";
import { NotificationDelivery } from "./notification-delivery.js";
import { createPimControl } from "./pim-control.js";
import { PimDeltaEngine } from "./pim-delta.js";
import { PimStore } from "./pim-store.js";
import { createRouter } from "./router.js";
import { SendingLimits } from "./sending-limits.js";
import { SentLog } from "./sent-log.js";
import type { SimulatorContext } from "./simulator-context.js";
import { portFor, readStateFile, StateSaver } from "./state-file.js";
import { createSubscriptionControl } from "./subscription-control.js";
import { SubscriptionRegistry } from "./subscription-registry.js";
import { Throttler } from "./throttling.js";
import { UploadSessions } from "./upload-sessions.js";

export type { ControlMethods, RemoteExchangeSimulator } from "./control-api.js";
export type { FaultSpec, LatencySpec } from "./faults.js";
export type { NotificationFaultSpec, NotificationOptions, NotificationStats } from "./notification-delivery.js";
export type { LifecycleEvent } from "./subscription-model.js";
export type { AddAppInput } from "./identity.js";
export type { ApiTokenInput } from "./api-tokens.js";
export type { DeliverMessageInput, EmailAddressInput, FlagStatus, MailboxKind, MessagePatch } from "./mailbox-model.js";
export type { SendingLimitsSpec } from "./sending-limits.js";
export type { SentLogEntry } from "./sent-log.js";
export type { SimulatorStats } from "./throttling.js";
export { connectExchangeSimulator };

export interface ExchangeSimulator extends ControlMethods {
  /** https://localhost:PORT — the Graph endpoint and the authority host. */
  url: string;
  port: number;
  /** Writes the state file now (when `stateFile` is set); close() does too. */
  saveState(): void;
  close(): Promise<void>;
}

export interface ExchangeSimulatorOptions {
  /** Default 0: any free port (with a saved `stateFile`, the port it was saved with). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  certificates?: DevCertificates;
  /** Simulated clock (epoch ms) for timestamps, token expiry and rate windows. */
  now?: () => number;
  /**
   * Keeps the organisation's content (mailboxes, mail, calendars, contacts, tasks, sent log,
   * change-notification subscriptions) in
   * this file: loaded at start when present, saved every second when changed and on close. See
   * state-file.ts for what is kept. Default: nothing is kept.
   */
  stateFile?: string;
}

export async function startExchangeSimulator(options: ExchangeSimulatorOptions = {}): Promise<ExchangeSimulator> {
  const now = options.now ?? Date.now;
  const certificates = options.certificates ?? ensureDevCertificates();
  const store = new MailboxStore(now);
  let baseUrl = "";
  const delta = new DeltaEngine(store);
  const pim = new PimStore(now);
  const subscriptions = new SubscriptionRegistry(now);
  const delivery = new NotificationDelivery();
  const notifier = new ChangeNotifier(subscriptions, delivery);
  store.onMessageChange = (mailbox, change) => notifier.messageChanged(mailbox, change);
  pim.onItemChange = (mailbox, change) => notifier.pimChanged(mailbox, change);
  const context: SimulatorContext = {
    baseUrl: () => baseUrl,
    now,
    store,
    identity: new Identity(now),
    apiTokens: new ApiTokenIssuer(() => baseUrl),
    delta,
    folderDelta: new FolderDeltaEngine(store),
    faults: new FaultInjector(),
    throttler: new Throttler(now),
    sending: new SendingLimits(now),
    sentLog: new SentLog(),
    uploads: new UploadSessions(now),
    pim,
    // repeatDeltaItems is one switch per mailbox for every delta.
    pimDelta: new PimDeltaEngine((mailboxId) => delta.isRepeating(mailboxId)),
    subscriptions,
    notifier,
    delivery,
  };
  const saved = options.stateFile ? readStateFile(options.stateFile) : undefined;
  if (saved) {
    store.restore(saved.mailboxes);
    context.pim.restore(saved.pim);
    context.sentLog.restore(saved.sentLog);
    subscriptions.restore(saved.subscriptions);
  }
  const control = createControl(context);
  const server = await startHttpsServer({
    host: options.host ?? "127.0.0.1",
    port: portFor(options.port ?? 0, saved, options.stateFile),
    certPem: certificates.serverCertPem,
    keyPem: certificates.serverKeyPem,
    handler: createRouter(context, control),
  });
  baseUrl = `https://localhost:${server.port}`;
  const saver = options.stateFile
    ? new StateSaver(options.stateFile, () => ({
      port: server.port,
      mailboxes: store.all(),
      pim: context.pim.entries(),
      sentLog: [...context.sentLog.all()],
      subscriptions: subscriptions.entries(),
    }), 1000)
    : undefined;
  const close = async () => {
    delivery.stop();
    await server.close();
    saver?.stop();
  };
  return { ...control, url: baseUrl, port: server.port, close, saveState: () => saver?.flush() };
}

function createControl(context: SimulatorContext): ControlMethods {
  const { store, identity, apiTokens, delta, folderDelta, faults, throttler, sending, sentLog, uploads, pim, pimDelta } = context;
  const { subscriptions, delivery, notifier } = context;
  return {
    ...createPimControl(store, pim),
    ...createSubscriptionControl(store, subscriptions, delivery, notifier),
    ...createFolderControl(store),
    addTenant: (input) => identity.addTenant(input),
    addApp: (tenantId, input) => identity.addApp(tenantId, input),
    setAppRoles: (clientId, roles) => identity.setAppRoles(clientId, roles),
    setMailboxScope: (clientId, mailboxes) => identity.setMailboxScope(clientId, mailboxes),
    setTokenLifetime: (seconds) => identity.setTokenLifetime(seconds),
    expireAccessTokens: () => identity.expireAccessTokens(),
    issueApiToken: (input) => apiTokens.issue({ ...input, tenantId: identity.requireTenant(input.tenantId) }),
    rotateApiSigningKey: () => apiTokens.rotate(),
    addMailbox: (input) => {
      if (!identity.hasTenant(input.tenantId)) throw new Error(`Unknown tenant ${input.tenantId}`);
      const mailbox = store.addMailbox({ ...input, tenantId: input.tenantId.toLowerCase() });
      return { id: mailbox.id, address: mailbox.address };
    },
    listMailboxes: () =>
      store.all().map(({ id, address, displayName, kind, tenantId }) => ({ id, address, displayName, kind, tenantId })),
    folderId: (mailbox, folder) => store.folder(store.require(mailbox), folder).id,
    deliverMessage: (input) => {
      const message = store.deliver(input);
      return { id: message.id, internetMessageId: message.internetMessageId };
    },
    moveMessage: (mailbox, messageId, destinationFolder) => {
      store.move(store.require(mailbox), messageId, destinationFolder);
    },
    deleteMessage: (mailbox, messageId, options) => store.delete(store.require(mailbox), messageId, options),
    updateMessage: (mailbox, messageId, patch) => {
      store.update(store.require(mailbox), messageId, patch);
    },
    listMessages: (mailbox, folder) => {
      const box = store.require(mailbox);
      const select = messageProperties.filter((p) => p !== "uniqueBody");
      return store.messagesIn(box, store.folder(box, folder).id).map((m) => renderMessage(m, { select }));
    },
    evictDeltaTokens: (mailbox) => {
      const mailboxId = mailbox === undefined ? undefined : store.require(mailbox).id;
      delta.evict(mailboxId);
      folderDelta.evict(mailboxId);
      pimDelta.evict(mailboxId);
    },
    repeatDeltaItems: (mailbox, on) => delta.setRepeat(store.require(mailbox).id, on),
    partialDeltaUpdates: (mailbox, on) => pimDelta.setPartialUpdates(store.require(mailbox).id, on),
    injectFault: (fault) => faults.inject(fault),
    clearFaults: () => {
      faults.clear();
      delivery.setFaults({});
    },
    setLatency: (latency) => faults.setLatency(latency),
    setRateLimit: (limit) => throttler.setRateLimit(limit),
    sentLog: (mailbox) => sentLog.list(mailbox === undefined ? undefined : store.require(mailbox).address),
    setSendingLimits: (limits) => sending.set(limits),
    setSaveToSentItems: (mailbox, on) => {
      store.require(mailbox).saveToSentItems = on;
    },
    addContactFolder: (mailbox, displayName) => {
      const folder = { id: newFolderId(), displayName };
      store.require(mailbox).contactFolders.push(folder);
      return { id: folder.id };
    },
    stats: () => ({
      requests: throttler.requests,
      requestsByMailbox: { ...throttler.requestsByMailbox },
      maxConcurrentByMailbox: { ...throttler.maxConcurrentByMailbox },
      inFlightByMailbox: { ...throttler.inFlightByMailbox },
      maxConcurrentByApp: { ...throttler.maxConcurrentByApp },
      inFlightByApp: { ...throttler.inFlightByApp },
      throttled: throttler.throttled,
      tokensIssued: identity.tokensIssued,
      faultsFired: faults.faultsFired,
    }),
    resetStats: () => {
      throttler.resetStats();
      delivery.resetStats();
      notifier.lostWhilePaused = 0;
      subscriptions.expired = 0;
      identity.tokensIssued = 0;
      faults.faultsFired = 0;
    },
    reset: () => {
      store.reset();
      identity.reset();
      delta.reset();
      folderDelta.reset();
      pim.reset();
      pimDelta.reset();
      faults.reset();
      throttler.reset();
      sending.reset();
      sentLog.reset();
      uploads.reset();
      subscriptions.reset();
      delivery.reset();
      notifier.lostWhilePaused = 0;
    },
  };
}
