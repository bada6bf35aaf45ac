/**
 * The product's runtime pointed at a backend, and the records a scenario needs: a profile and
 * mailboxes written straight through the repositories, and a queue stand-in that records each
 * cycle's next-run message so the next cycle gets exactly the body the queue trigger would.
 */
import { loadSettings, type Environment } from "../../../shared/config/settings.js";
import { newMailbox } from "../../../shared/domain/mailbox.js";
import { defaultPolling, newProfile, type PollingBounds } from "../../../shared/domain/profile.js";
import type { Workload } from "../../../shared/domain/workloads.js";
import type { OutgoingQueueMessage, WorkloadMessageBody, WorkQueueSender } from "../../../shared/queues/work-queue.js";
import { createRuntime, type Runtime } from "../../../shared/runtime.js";
import type { TrackingSettings } from "../../../shared/domain/tracking/tracking-settings.js";
import { pool } from "./stats.js";

/** A WorkQueueSender that delivers nothing: it counts sends and keeps each mailbox's latest message. */
export class RecordingQueue implements WorkQueueSender {
  sent = 0;
  sendCalls = 0;
  private readonly latest = new Map<string, WorkloadMessageBody>();

  async send(_queueName: string, messages: OutgoingQueueMessage[]): Promise<void> {
    this.sendCalls++;
    for (const message of messages) {
      this.sent++;
      this.latest.set(`${message.body.workload}:${message.body.mailboxId}`, message.body);
    }
  }

  /** The message the queue trigger would receive next for this mailbox's workload. */
  next(mailboxId: string, workload: Workload = "incoming"): WorkloadMessageBody {
    const body = this.latest.get(`${workload}:${mailboxId}`);
    if (!body) throw new Error(`no message queued for ${workload} ${mailboxId}`);
    return body;
  }

  remember(body: WorkloadMessageBody): void {
    this.latest.set(`${body.workload}:${body.mailboxId}`, body);
  }

  async close(): Promise<void> {}
}

/** Every message becomes an activity (track option `all`, Sent Items too): the scenarios count stored mail. */
export const trackEverything: Partial<TrackingSettings> = { defaultTrackOption: "all", autoTrackSentFolderItems: true };

export async function createBenchRuntime(env: Environment, extra: Environment = {}): Promise<{ runtime: Runtime; queue: RecordingQueue }> {
  const merged = { ...env, ...extra };
  const queue = new RecordingQueue();
  const runtime = createRuntime(loadSettings(merged, { serviceBus: false }), { queue, env: merged });
  await runtime.storage.ensureCreated();
  return { runtime, queue };
}

/** The organization's tracking settings for a scenario (worker processes read them from the table). */
export async function putBenchTracking(runtime: Runtime, tracking: Partial<TrackingSettings> = trackEverything): Promise<void> {
  await runtime.orgSettings.put({ ...(await runtime.orgSettings.get({ fresh: true })), ...tracking });
}

export async function putBenchProfile(runtime: Runtime, id: string, options: { incoming?: PollingBounds; maxConcurrentConnections?: number } = {}): Promise<void> {
  await runtime.profiles.put(
    newProfile(
      {
        id,
        name: `Benchmark ${id}`,
        maxConcurrentConnections: options.maxConcurrentConnections ?? 300,
        polling: { ...defaultPolling, incoming: options.incoming ?? defaultPolling.incoming },
      },
      runtime.now(),
    ),
  );
}

/**
 * Mailbox records for simulator mailboxes (approved, incoming enabled, processing mail from the
 * epoch), each with the first message the scheduler would queue for it.
 */
export async function seedMailboxes(
  runtime: Runtime,
  queue: RecordingQueue,
  mailboxes: Array<{ id: string; address: string }>,
  profileId: string,
  options: { concurrency?: number; outgoing?: boolean } = {},
): Promise<string[]> {
  const ids: string[] = [];
  const now = runtime.now();
  await pool(mailboxes, options.concurrency ?? 32, async (m) => {
    const id = `mbx-${m.address.split("@")[0]}`;
    const mailbox = newMailbox(
      {
        id,
        emailAddress: m.address,
        profileId,
        approved: true,
        exchangeUserId: m.id,
        processEmailsFrom: "2000-01-01T00:00:00.000Z",
        methods: { incoming: "ServerSideSync", outgoing: options.outgoing ? "ServerSideSync" : "None" },
        enabled: { incoming: true, outgoing: options.outgoing === true },
      },
      now,
    );
    await runtime.mailboxes.put(mailbox);
    queue.remember({ mailboxId: id, workload: "incoming", slot: mailbox.workloads.incoming.nextSlot, reason: "scheduled" });
    ids.push(id);
  });
  return ids.sort();
}
