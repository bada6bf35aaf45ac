/** The simulator's parts, shared by the request pipelines. */
import type { ApiTokenIssuer } from "./api-tokens.js";
import type { DeltaEngine } from "./delta-engine.js";
import type { FaultInjector } from "./faults.js";
import type { FolderDeltaEngine } from "./folder-delta.js";
import type { Identity } from "./identity.js";
import type { MailboxStore } from "./mailbox-store.js";
import type { PimDeltaEngine } from "./pim-delta.js";
import type { PimStore } from "./pim-store.js";
import type { SendingLimits } from "./sending-limits.js";
import type { SentLog } from "./sent-log.js";
import type { Throttler } from "./throttling.js";
import type { UploadSessions } from "./upload-sessions.js";
import type { ChangeNotifier } from "./change-notifier.js";
import type { NotificationDelivery } from "./notification-delivery.js";
import type { SubscriptionRegistry } from "./subscription-registry.js";

export interface SimulatorContext {
  /** https://localhost:PORT, known once the server listens. */
  baseUrl(): string;
  now(): number;
  store: MailboxStore;
  identity: Identity;
  /** Signed access tokens for the product's own API, and the keys that verify them. */
  apiTokens: ApiTokenIssuer;
  delta: DeltaEngine;
  /** The folder hierarchy delta (mailFolders/delta). */
  folderDelta: FolderDeltaEngine;
  faults: FaultInjector;
  throttler: Throttler;
  sending: SendingLimits;
  sentLog: SentLog;
  uploads: UploadSessions;
  /** Calendar, contacts and To Do tasks, and their deltas. */
  pim: PimStore;
  pimDelta: PimDeltaEngine;
  /** Change-notification subscriptions, the notifications they cause and their delivery. */
  subscriptions: SubscriptionRegistry;
  notifier: ChangeNotifier;
  delivery: NotificationDelivery;
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
