/**
 * The simulated organisation's content kept in one file, so a simulator started again (the local
 * host after a stop) serves the same mailboxes, folders, messages, events, contacts, To Do tasks and
 * sent log, and the change-notification subscriptions — with the same ids, which the product has
 * stored in its own data.
 *
 * Not kept: tenants and app registrations (whoever starts the simulator adds them; the local host
 * adds its demo tenant's on every start), delta sync states (tokens issued before a restart answer
 * 410 SyncStateNotFound, as when Exchange drops a sync state, and the client starts that delta
 * again), upload sessions, faults, latency, throttling and sending-limit windows, notification
 * settings and notifications not yet delivered.
 *
 * Written safely: the whole state goes to a temporary file beside it, is flushed to disk, then
 * renamed over the old file, so a crash leaves the old state or the new one, never half of one. The
 * format is versioned: a file of another format or version is refused with a message, not misread.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import path from "node:path";
import type { Mailbox } from "./mailbox-model.js";
import type { MailboxPim } from "./pim-model.js";
import type { SentLogEntry } from "./sent-log.js";
import type { StoredSubscription } from "./subscription-model.js";

export const stateFormat = "exchange-simulator-state";
export const stateVersion = 1;

export interface SimulatorState {
  /**
   * The port it listened on: clients keep absolute links (nextLink, deltaLink) on its URL, so a
   * simulator started again on the file listens there again.
   */
  port: number;
  mailboxes: Mailbox[];
  pim: Array<[mailboxId: string, pim: MailboxPim]>;
  sentLog: SentLogEntry[];
  /**
   * Change-notification subscriptions (their ids, URLs, clientState and expiry), so a product
   * that stored subscription ids keeps receiving notifications after a restart. Notifications
   * queued or being retried at the stop are not kept (as in an outage; a client's delta catches up).
   * Absent in files written before subscriptions were simulated.
   */
  subscriptions: StoredSubscription[];
}

export class StateFileError extends Error {}

/** Maps, sets and byte buffers are tagged, so they come back as what they were. */
function encode(this: unknown, key: string, value: unknown): unknown {
  // `this[key]` is the value before toJSON (a Buffer's toJSON would make it an array of numbers).
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Map) return { $map: [...raw.entries()] };
  if (raw instanceof Set) return { $set: [...raw] };
  if (Buffer.isBuffer(raw)) return { $bytes: raw.toString("base64") };
  return value;
}

function decode(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const tagged = value as Record<string, unknown>;
  const keys = Object.keys(tagged);
  if (keys.length !== 1) return value;
  if (keys[0] === "$map") return new Map(tagged.$map as Array<[unknown, unknown]>);
  if (keys[0] === "$set") return new Set(tagged.$set as unknown[]);
  if (keys[0] === "$bytes") return Buffer.from(tagged.$bytes as string, "base64");
  return value;
}

export function serializeState(state: SimulatorState): string {
  return JSON.stringify({ format: stateFormat, version: stateVersion, ...state }, encode);
}

export function parseState(text: string, file: string): SimulatorState {
  let parsed: Partial<SimulatorState> & { format?: unknown; version?: unknown };
  try {
    parsed = JSON.parse(text, decode) as typeof parsed;
  } catch {
    throw new StateFileError(`${file} is not valid JSON: the simulated tenant's saved state is damaged. Delete the data folder to start over.`);
  }
  if (parsed.format !== stateFormat || parsed.version !== stateVersion) {
    throw new StateFileError(
      `${file} holds ${String(parsed.format)} version ${String(parsed.version)}; this simulator reads ${stateFormat} version ${stateVersion}. Delete the data folder to start over.`,
    );
  }
  if (typeof parsed.port !== "number") throw new StateFileError(`${file} names no port: the simulated tenant's saved state is damaged. Delete the data folder to start over.`);
  return {
    port: parsed.port,
    mailboxes: parsed.mailboxes ?? [],
    pim: parsed.pim ?? [],
    sentLog: parsed.sentLog ?? [],
    subscriptions: parsed.subscriptions ?? [],
  };
}

export function readStateFile(file: string): SimulatorState | undefined {
  if (!existsSync(file)) return undefined;
  return parseState(readFileSync(file, "utf8"), file);
}

/** The port to listen on: the saved one unless another is asked for (0 = any free port). */
export function portFor(requested: number, saved: SimulatorState | undefined, file: string | undefined): number {
  if (!saved || requested === saved.port) return saved?.port ?? requested;
  if (requested === 0) return saved.port;
  throw new StateFileError(
    `${file} is a tenant served on port ${saved.port}, and its clients keep links to that port; start it there (or on port 0) or delete the file to start over.`,
  );
}

/** Temporary file, fsync, rename: the file always holds one whole state. */
export function writeFileAtomically(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/**
 * Saves the state every `everyMs` when it changed, and on `flush()` (the simulator's close). A
 * process killed without closing loses at most the last interval's changes.
 */
export class StateSaver {
  private lastText: string | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => SimulatorState,
    everyMs: number,
  ) {
    this.timer = setInterval(() => this.flush(), everyMs);
    this.timer.unref();
  }

  flush(): void {
    const text = serializeState(this.snapshot());
    if (text === this.lastText) return;
    writeFileAtomically(this.file, text);
    this.lastText = text;
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
