/** The simulator's parts, shared by the request pipelines. */
import type { DeltaEngine } from "./delta-engine.js";
import type { FaultInjector } from "./faults.js";
import type { Identity } from "./identity.js";
import type { MailboxStore } from "./mailbox-store.js";
import type { Throttler } from "./throttling.js";

export interface SimulatorContext {
  /** https://localhost:PORT, known once the server listens. */
  baseUrl(): string;
  now(): number;
  store: MailboxStore;
  identity: Identity;
  delta: DeltaEngine;
  faults: FaultInjector;
  throttler: Throttler;
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
