/**
 * Outgoing: the time from the CRM's Send request (POST /api/emails/{id}/send) to Graph accepting
 * the mail (first seen in the simulator's sentLog, read every 50 ms), through the local host: Send queues the sender's
 * outgoing workload at once (a nudge on the in-process bus), whose cycle builds the stamped draft
 * and sends it. Senders take turns so no mailbox nears Exchange's 30-a-minute limit.
 */
import { startBackend } from "../support/backend.js";
import { mailboxIdFor, startLocalHostChild } from "../support/local-host-child.js";
import { quantile, round, sleep } from "../support/stats.js";

export interface OutgoingResult {
  senders: number;
  sends: number;
  graphLatencyMs?: [number, number];
  p50Seconds: number;
  p95Seconds: number;
  maxSeconds: number;
  notSent: number;
}

export async function runOutgoingScenario(options: { senders: number; sends: number; graphLatencyMs?: [number, number]; log: (line: string) => void }): Promise<OutgoingResult> {
  const backend = await startBackend({ azurite: "none" });
  try {
    const added = await backend.addMailboxes("sender", options.senders);
    const host = await startLocalHostChild({ tenant: backend, mailboxes: added.map((m) => m.address), schedulerIntervalSeconds: 5 });
    try {
      for (const m of added) {
        const id = mailboxIdFor(m.address);
        const put = await host.api("PUT", `mailboxes/${id}`, { emailAddress: m.address, profileId: "local", syncMethods: { outgoing: "ServerSideSync" } });
        if (put.status >= 300) throw new Error(JSON.stringify(put.body));
        const tested = await host.api("POST", `mailboxes/${id}/test-and-enable`, {});
        if (tested.body?.workloads?.outgoing?.status !== "Success") throw new Error(`test and enable: ${JSON.stringify(tested.body)}`);
      }
      if (options.graphLatencyMs) await backend.sim.setLatency({ minMs: options.graphLatencyMs[0], maxMs: options.graphLatencyMs[1] });
      const latencies: number[] = [];
      let notSent = 0;
      for (let i = 0; i < options.sends; i++) {
        const sender = added[i % added.length]!;
        const subject = `Quote ${i} ${Date.now()}`;
        const created = await host.api("POST", "emails", {
          senderMailboxId: mailboxIdFor(sender.address),
          to: [{ address: "pat@fabrikam.example", name: "Pat" }],
          subject,
          body: { contentType: "html", content: "<p>Please find the quote below.</p>" },
        });
        if (created.status !== 201) throw new Error(JSON.stringify(created.body));
        const requestedAt = Date.now();
        const sent = await host.api("POST", `emails/${created.body.id}/send`, {});
        if (sent.status !== 200) throw new Error(JSON.stringify(sent.body));
        let found: { sentAt: string } | undefined;
        for (let waited = 0; waited < 60_000 && !found; waited += 50) {
          const log = (await backend.sim.sentLog(sender.address)) as Array<{ subject: string; sentAt: string }>;
          found = log.find((e) => e.subject.startsWith(subject));
          if (!found) await sleep(50);
        }
        // sentAt has whole seconds (as Graph's times do): the time it was first seen counts instead.
        if (found) latencies.push((Date.now() - requestedAt) / 1000);
        else notSent++;
      }
      return {
        senders: options.senders,
        sends: options.sends,
        graphLatencyMs: options.graphLatencyMs,
        p50Seconds: round(quantile(latencies, 0.5), 3),
        p95Seconds: round(quantile(latencies, 0.95), 3),
        maxSeconds: round(Math.max(...latencies), 3),
        notSent,
      };
    } finally {
      await host.stop();
    }
  } finally {
    await backend.stop();
  }
}
