/**
 * Polling latency: the time from a message's delivery in the simulator to its activity being
 * readable through GET /api/emails?mailboxId=, through the local host (in-process bus with real
 * timers: each cycle queues its next run as a scheduled message; the scheduler timer ticks every
 * 60 s as in Azure). Several groups of mailboxes run at once, each on its own profile:
 *   - "scaled default": server-side sync's 120/300/720 s bounds scaled to a 10 s default (5/10/24 s;
 *     5 s is the lowest the admin API allows);
 *   - "fastest": 5/5/5 s, the fastest schedule the admin API allows;
 *   - "fastest + Graph 100–200 ms": the same with simulated Graph latency on those mailboxes.
 * Mail arrives at random (Poisson), each mailbox on average every `mailEveryIntervals` default
 * intervals, so mailboxes go quiet and busy as real ones do and the adaptive schedule moves.
 * Reading the API every 200 ms bounds the measurement error to +0.2 s.
 */
import { performance } from "node:perf_hooks";
import type { PollingBounds } from "../../../shared/domain/profile.js";
import { startBackend } from "../support/backend.js";
import { mailboxIdFor, startLocalHostChild } from "../support/local-host-child.js";
import { watchUntilReadable } from "../support/readable-watcher.js";
import { quantile, round, sleep } from "../support/stats.js";

export interface LatencyGroup {
  name: string;
  polling: PollingBounds;
  graphLatencyMs?: [number, number];
}

export interface LatencyGroupResult {
  name: string;
  polling: PollingBounds;
  graphLatencyMs?: [number, number];
  mailboxes: number;
  samples: number;
  missing: number;
  p50Seconds: number;
  p95Seconds: number;
  p99Seconds: number;
  maxSeconds: number;
  /** Relative to the profile's default interval. */
  p50Intervals: number;
  p95Intervals: number;
  p99Intervals: number;
  /** Share of messages readable within one default interval + 5 s. */
  withinIntervalPlus5s: number;
}

export async function runLatencyScenario(options: {
  groups: LatencyGroup[];
  mailboxesPerGroup: number;
  durationSeconds: number;
  mailEveryIntervals?: number;
  log: (line: string) => void;
}): Promise<LatencyGroupResult[]> {
  const backend = await startBackend({ azurite: "none" });
  const groups = options.groups.map((g, i) => ({ ...g, prefix: `lat${i}x` }));
  try {
    const boxes = new Map<string, Array<{ address: string; mailboxId: string }>>();
    for (const g of groups) {
      const added = await backend.addMailboxes(g.prefix, options.mailboxesPerGroup);
      boxes.set(g.name, added.map((m) => ({ address: m.address, mailboxId: mailboxIdFor(m.address) })));
      if (g.graphLatencyMs) for (const m of added) await backend.sim.setLatency({ minMs: g.graphLatencyMs[0], maxMs: g.graphLatencyMs[1], mailbox: m.address });
    }
    // The scheduler tick is only the safety net (cycles queue their own next run); 5 s lets the
    // Test & Enable below take effect at once.
    const host = await startLocalHostChild({ tenant: backend, mailboxes: [...boxes.values()].flat().map((m) => m.address), schedulerIntervalSeconds: 5 });
    // Every message is tracked: latency is measured to the activity.
    await host.api("PUT", "settings", { defaultTrackOption: "all", autoTrackSentFolderItems: true });
    try {
      for (const [i, g] of groups.entries()) {
        const put = await host.api("PUT", `profiles/bench-${i}`, { name: g.name, polling: { incoming: g.polling } });
        if (put.status >= 300) throw new Error(`profile: ${JSON.stringify(put.body)}`);
        for (const m of boxes.get(g.name)!) {
          const mapped = await host.api("PUT", `mailboxes/${m.mailboxId}`, { emailAddress: m.address, profileId: `bench-${i}` });
          if (mapped.status >= 300) throw new Error(`mailbox: ${JSON.stringify(mapped.body)}`);
        }
      }
      // A profile change applies from a mailbox's next cycle, which the local profile put 5 minutes
      // out: Test & Enable makes every mailbox due now. Warm up: each has completed a cycle since.
      const enabledAt = new Date().toISOString();
      for (const m of [...boxes.values()].flat()) {
        const tested = await host.api("POST", `mailboxes/${m.mailboxId}/test-and-enable`, {});
        if (tested.body?.workloads?.incoming?.status !== "Success") throw new Error(`test and enable: ${JSON.stringify(tested.body)}`);
      }
      for (let waited = 0; ; waited += 500) {
        const list = await host.api("GET", "mailboxes?pageSize=1000");
        const done = (list.body.items as Array<{ workloads: { incoming: { status: string; lastSuccessAt: string | null } } }>).filter((m) => m.workloads.incoming.status === "Success" && (m.workloads.incoming.lastSuccessAt ?? "") > enabledAt).length;
        if (done === options.mailboxesPerGroup * groups.length) break;
        if (waited > 120_000) {
          const stuck = (list.body.items as Array<{ id: string; workloads: { incoming: { status: string } } }>).filter((m) => m.workloads.incoming.status !== "Success");
          throw new Error(`only ${done} mailboxes synced after 2 minutes: ${JSON.stringify(stuck)}\n${host.output().slice(-3000)}`);
        }
        await sleep(500);
      }
      options.log(`  ${groups.length * options.mailboxesPerGroup} mailboxes synced; delivering for ${options.durationSeconds} s`);

      type Pending = { group: string; mailboxId: string; subject: string; deliveredAt: number };
      const pending = new Set<Pending>();
      const latencies = new Map<string, number[]>(groups.map((g) => [g.name, []]));
      const missing = new Map<string, number>(groups.map((g) => [g.name, 0]));
      let seq = 0;
      let delivering = true;
      const deliverers = groups.map(async (g) => {
        const ratePerMs = options.mailboxesPerGroup / ((options.mailEveryIntervals ?? 3) * g.polling.defaultSeconds * 1000);
        const until = performance.now() + options.durationSeconds * 1000;
        while (performance.now() < until) {
          await sleep(-Math.log(1 - Math.random()) / ratePerMs);
          const target = boxes.get(g.name)![Math.floor(Math.random() * options.mailboxesPerGroup)]!;
          const subject = `Latency ${g.name} ${++seq}`;
          await backend.sim.deliverMessage({ mailbox: target.address, subject, from: { address: "customer@fabrikam.example" }, to: [{ address: target.address }] });
          pending.add({ group: g.name, mailboxId: target.mailboxId, subject, deliveredAt: Date.now() });
        }
      });
      const watcher = watchUntilReadable(host, pending, { delivering: () => delivering, waitMs: 120_000, onReadable: (delivery, seconds) => latencies.get(delivery.group)!.push(seconds) });
      await Promise.all(deliverers);
      delivering = false;
      await watcher;
      for (const p of pending) missing.set(p.group, missing.get(p.group)! + 1);

      return groups.map((g) => {
        const values = latencies.get(g.name)!;
        const d = g.polling.defaultSeconds;
        return {
          name: g.name,
          polling: g.polling,
          graphLatencyMs: g.graphLatencyMs,
          mailboxes: options.mailboxesPerGroup,
          samples: values.length,
          missing: missing.get(g.name)!,
          p50Seconds: round(quantile(values, 0.5), 2),
          p95Seconds: round(quantile(values, 0.95), 2),
          p99Seconds: round(quantile(values, 0.99), 2),
          maxSeconds: round(Math.max(...values), 2),
          p50Intervals: round(quantile(values, 0.5) / d, 2),
          p95Intervals: round(quantile(values, 0.95) / d, 2),
          p99Intervals: round(quantile(values, 0.99) / d, 2),
          withinIntervalPlus5s: round(values.filter((v) => v <= d + 5).length / Math.max(1, values.length), 3),
        };
      });
    } finally {
      await host.stop();
    }
  } finally {
    await backend.stop();
  }
}
