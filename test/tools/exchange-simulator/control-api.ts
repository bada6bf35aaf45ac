/**
 * The control API: how tests arrange tenants, mailboxes and mail, inject failures and read
 * statistics. The same methods are served as JSON-RPC-like routes, `POST /_sim/{method}` with a
 * JSON array of the arguments, answering `{ "result": ... }`, so a test can drive a simulator that
 * runs in another process (see README.md). `connectExchangeSimulator(url)` is that client.
 */
import type { FaultSpec, LatencySpec } from "./faults.js";
import { folderControlMethodNames, type FolderControlMethods } from "./folder-control.js";
import type { SimRequest, SimResponse } from "./http-server.js";
import type { ApiTokenInput } from "./api-tokens.js";
import type { AddAppInput } from "./identity.js";
import type { DeliverMessageInput, MailboxKind, MessagePatch } from "./mailbox-model.js";
import { pimControlMethodNames, type PimControlMethods } from "./pim-control.js";
import type { SendingLimitsSpec } from "./sending-limits.js";
import type { SentLogEntry } from "./sent-log.js";
import type { SimulatorStats } from "./throttling.js";
import { subscriptionControlMethodNames, type SubscriptionControlMethods } from "./subscription-control.js";

/**
 * The mail, identity and fault controls, plus the calendar/contact/task ones of pim-control.ts, the
 * folder ones of folder-control.ts and the change-notification ones of subscription-control.ts.
 */
export interface ControlMethods extends PimControlMethods, FolderControlMethods, SubscriptionControlMethods {
  addTenant(input?: { tenantId?: string }): string;
  /** Returns the generated secret when the app was given no credential. */
  addApp(tenantId: string, input?: AddAppInput): { clientId: string; clientSecret?: string };
  setAppRoles(clientId: string, roles: string[]): void;
  /** Application access policy: only these mailboxes (ids or addresses); null = all. */
  setMailboxScope(clientId: string, mailboxes: string[] | null): void;
  setTokenLifetime(seconds: number): void;
  expireAccessTokens(): void;
  /** A signed v2 access token for the product's API (a user's sign-in or an app's client credentials). */
  issueApiToken(input: ApiTokenInput): string;
  /** A new signing key for API tokens; the previous one stays published beside it. */
  rotateApiSigningKey(): void;
  addMailbox(input: { tenantId: string; address: string; displayName?: string; id?: string; kind?: MailboxKind }): {
    id: string;
    address: string;
  };
  listMailboxes(): Array<{ id: string; address: string; displayName: string; kind: MailboxKind; tenantId: string }>;
  /** The id of a folder given by well-known name or id. */
  folderId(mailbox: string, folder: string): string;
  deliverMessage(input: DeliverMessageInput): { id: string; internetMessageId: string };
  moveMessage(mailbox: string, messageId: string, destinationFolder: string): void;
  deleteMessage(mailbox: string, messageId: string, options?: { hard?: boolean }): void;
  updateMessage(mailbox: string, messageId: string, patch: MessagePatch): void;
  /** Graph JSON of every message in the folder (all properties incl. internetMessageHeaders), newest first. */
  listMessages(mailbox: string, folder: string): Array<Record<string, unknown>>;
  evictDeltaTokens(mailbox?: string): void;
  repeatDeltaItems(mailbox: string, on: boolean): void;
  /** Calendar, contact and task deltas send an item the client already had with only its id and changed properties. */
  partialDeltaUpdates(mailbox: string, on: boolean): void;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  setLatency(latency: LatencySpec): void;
  setRateLimit(limit: { requests: number; windowSeconds: number }): void;
  /** Every submitted message (sendMail or sent draft), oldest first; only one sender's when given. */
  sentLog(mailbox?: string): SentLogEntry[];
  /** Per-mailbox sending limits on the simulator clock; omitted fields keep their value. */
  setSendingLimits(limits: Partial<SendingLimitsSpec>): void;
  /** Whether sent drafts are kept in Sent Items (default true); sendMail's saveToSentItems applies on top. */
  setSaveToSentItems(mailbox: string, on: boolean): void;
  /** A contact folder below the default Contacts folder (what GET /contactFolders lists). */
  addContactFolder(mailbox: string, displayName: string): { id: string };
  stats(): SimulatorStats;
  resetStats(): void;
  reset(): void;
}

export const controlMethodNames = [
  "addTenant", "addApp", "setAppRoles", "setMailboxScope", "setTokenLifetime", "expireAccessTokens", "issueApiToken", "rotateApiSigningKey",
  "addMailbox", "listMailboxes", "folderId", "deliverMessage", "moveMessage", "deleteMessage",
  "updateMessage", "listMessages", "evictDeltaTokens", "repeatDeltaItems", "partialDeltaUpdates", "injectFault", "clearFaults",
  "setLatency", "setRateLimit", "sentLog", "setSendingLimits", "setSaveToSentItems", "addContactFolder",
  "stats", "resetStats", "reset", ...pimControlMethodNames, ...folderControlMethodNames, ...subscriptionControlMethodNames,
] as const satisfies ReadonlyArray<keyof ControlMethods>;

/** The control API of a simulator in another process: same methods, asynchronous. */
export type RemoteExchangeSimulator = {
  [K in keyof ControlMethods]: (...args: Parameters<ControlMethods[K]>) => Promise<ReturnType<ControlMethods[K]>>;
} & { url: string };

export async function handleControlRequest(control: ControlMethods, request: SimRequest): Promise<SimResponse> {
  const name = request.url.pathname.slice("/_sim/".length);
  const method = (controlMethodNames as readonly string[]).includes(name) ? (name as keyof ControlMethods) : undefined;
  if (!method) return controlError(404, `Unknown control method '${name}'`);
  // GET is a convenience for argument-less reads, e.g. GET /_sim/stats.
  if (request.method !== "POST" && !(request.method === "GET" && request.body.length === 0)) {
    return controlError(405, "Use POST with a JSON array of arguments");
  }
  let args: unknown;
  try {
    args = request.body.length ? JSON.parse(request.body.toString("utf8")) : [];
  } catch {
    return controlError(400, "The body must be a JSON array of arguments");
  }
  if (!Array.isArray(args)) return controlError(400, "The body must be a JSON array of arguments");
  try {
    const result = (control[method] as (...a: unknown[]) => unknown)(...args);
    return { status: 200, body: { result: result ?? null }, contentKind: "plain" };
  } catch (error) {
    return controlError(400, error instanceof Error ? error.message : String(error));
  }
}

function controlError(status: number, message: string): SimResponse {
  return { status, body: { error: { code: "SimulatorControlError", message } }, contentKind: "plain" };
}

/** A client for the `/_sim` routes of a simulator running elsewhere (e.g. in the local host process). */
export function connectExchangeSimulator(url: string): RemoteExchangeSimulator {
  const base = url.replace(/\/+$/, "");
  const remote: Record<string, unknown> = { url: base };
  for (const name of controlMethodNames) {
    remote[name] = async (...args: unknown[]) => {
      const response = await fetch(`${base}/_sim/${name}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(args),
      });
      const payload = (await response.json()) as { result?: unknown; error?: { message: string } };
      if (!response.ok) throw new Error(`Simulator ${name} failed: ${payload.error?.message ?? response.status}`);
      return payload.result === null ? undefined : payload.result;
    };
  }
  return remote as RemoteExchangeSimulator;
}
