/**
 * Push for the fault scenarios: the product's notification routes served over real HTTP, each
 * harness mailbox subscribed as POST /subscriptions leaves it, and a notifier that posts what Graph
 * posts (change notifications with the subscription's clientState, lifecycle events) — and can lose,
 * repeat, reorder, forge, or find the endpoint down and deliver later, as Graph retries. A push round
 * runs the cycles the queued push triggers ask for, as the queue trigger would.
 */
import { queueNames } from "../../../shared/config/names.js";
import { clientStateHash } from "../../../shared/push/client-state.js";
import { parseWorkloadMessage } from "../../../shared/queues/work-queue.js";
import { incomingEngine } from "../../../shared/sync/incoming/incoming-engine.js";
import { runWorkload } from "../../../shared/sync/workload-runner.js";
import type { CycleReport } from "../../../shared/telemetry/cycle-report.js";
import { startApiServer, type ApiServer } from "../../support/api-server.js";
import type { FaultHarness } from "./fault-harness.js";

export interface NotifyOptions {
  /** Share of notifications Graph never delivers (0–1). */
  lose?: number;
  /** Each notification delivered this many times. */
  copies?: number;
  /** Batches posted in random order. */
  reorder?: boolean;
  /** Also post notifications with a guessed clientState and for unknown subscriptions. */
  forge?: boolean;
}

export interface PushDriver {
  api: ApiServer;
  subscriptionOf(mailboxId: string): string;
  /** Graph noticing a change in each mailbox: one notification per mailbox, as the options say. */
  notify(mailboxIds: readonly string[], options?: NotifyOptions): Promise<{ posted: number; failed: number }>;
  lifecycle(mailboxId: string, event: "missed" | "subscriptionRemoved" | "reauthorizationRequired"): Promise<number>;
  /** Closes the routes (the endpoint is down); notifications posted meanwhile wait, as Graph's retries do. */
  endpointDown(): void;
  /** Reopens them and delivers what waited. */
  endpointUp(): Promise<number>;
  /** Runs every push trigger queued since the last push round, in its session's order. */
  pushRound(): Promise<CycleReport[]>;
  /** Push triggers queued so far (the folding measure). */
  triggersQueued(): number;
  stop(): Promise<void>;
}

export async function startPushDriver(h: FaultHarness): Promise<PushDriver> {
  const api = await startApiServer(h.runtime);
  const secrets = new Map<string, string>();
  const now = Date.now();
  for (const mailbox of h.mailboxes) {
    const subscriptionId = `sub-${mailbox.id}`;
    const secret = `secret-${mailbox.id}-${Math.random().toString(36).slice(2)}`;
    secrets.set(mailbox.id, secret);
    const stored = (await h.runtime.mailboxes.get(mailbox.id))!.mailbox;
    await h.runtime.pushSubscriptions.save({
      mailboxId: mailbox.id, kind: "messages", subscriptionId, resource: `/users/${stored.exchangeUserId}/messages`, expiresAt: now + 3 * 86_400_000, renewedAt: now,
      renewDueAt: now + 2 * 86_400_000, clientStateHash: clientStateHash(secret), status: "active", failures: 0, unannouncedRounds: 0,
    });
  }
  let down = false;
  const waiting: unknown[] = [];
  const ran = new Set<string>();
  const post = async (route: "notifications" | "lifecycle", body: unknown): Promise<boolean> => {
    if (down) {
      waiting.push(body);
      return false;
    }
    const response = await fetch(`${api.url}/api/push/${route}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    await response.text();
    if (response.status !== 202) throw new Error(`notification route answered ${response.status}`);
    return true;
  };
  const change = (mailboxId: string, clientState = secrets.get(mailboxId)!) => ({ subscriptionId: `sub-${mailboxId}`, clientState, changeType: "created", resource: "Users/x/Messages/y" });

  return {
    api,
    subscriptionOf: (mailboxId) => `sub-${mailboxId}`,
    async notify(mailboxIds, options = {}) {
      const batches: unknown[][] = [];
      for (const id of mailboxIds) {
        if (options.lose && Math.random() < options.lose) continue;
        for (let c = 0; c < (options.copies ?? 1); c++) batches.push([change(id)]);
        if (options.forge) batches.push([change(id, "forged-guess"), { ...change(id), subscriptionId: "unknown-subscription" }]);
      }
      if (options.reorder) batches.sort(() => Math.random() - 0.5);
      let posted = 0;
      let failed = 0;
      for (const batch of batches) (await post("notifications", { value: batch })) ? posted++ : failed++;
      return { posted, failed };
    },
    async lifecycle(mailboxId, lifecycleEvent) {
      await post("lifecycle", { value: [{ subscriptionId: `sub-${mailboxId}`, clientState: secrets.get(mailboxId), lifecycleEvent }] });
      return 1;
    },
    endpointDown() {
      down = true;
    },
    async endpointUp() {
      down = false;
      const retries = waiting.splice(0);
      for (const body of retries) await post("notifications", body);
      return retries.length;
    },
    async pushRound() {
      // Triggers are delivered at their bucket's end: wait for the latest one due.
      const pending = h.bus.peek(queueNames.incoming).filter((m) => (m.body as { reason?: string }).reason === "push" && !ran.has(m.messageId));
      const latest = Math.max(0, ...pending.map((m) => (m.body as { slot: number }).slot));
      if (latest > Date.now()) await new Promise((resolve) => setTimeout(resolve, latest - Date.now()));
      const reports: CycleReport[] = [];
      for (const message of pending) {
        ran.add(message.messageId);
        reports.push(await runWorkload(h.runtime, incomingEngine, parseWorkloadMessage(message.body)!));
      }
      return reports;
    },
    triggersQueued: () => h.bus.peek(queueNames.incoming).filter((m) => (m.body as { reason?: string }).reason === "push").length,
    stop: () => api.close(),
  };
}
