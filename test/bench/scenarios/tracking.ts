/**
 * Tracking: the ingest scenario's run, the same mail each time, under different tracking settings,
 * to show what the filter and correlation cost per email. The mail: a quarter are replies to
 * earlier tracked activities (In-Reply-To and the parent's conversation), half of the rest come
 * from CRM contacts (the address book), the rest from strangers.
 *
 * Runs (one fresh backend each):
 *   - `all`, correlation off: every message tracked, parties resolved, no correlation lookups;
 *   - `all`: every message tracked, correlation lookups too (the reference for the ratios);
 *   - `responsesToCrmEmail` (the default): correlation decides; only the replies are tracked;
 *   - `fromLeadsContactsAccounts`: the sender's address decides (known-sender lookup), then the
 *     tracked ones are correlated.
 * Per email means per delivered message, tracked or not.
 */
import { activityIdFor } from "../../../shared/domain/email-activity.js";
import type { TrackingSettings } from "../../../shared/domain/tracking/tracking-settings.js";
import type { Runtime } from "../../../shared/runtime.js";
import { round } from "../support/stats.js";
import { bodyOf, runIngestScenario, type IngestMessage, type IngestResult } from "./ingest.js";

export interface TrackingRun extends IngestResult {
  name: string;
  /** Seconds per email and worker CPU per email, each as a ratio to the `all` run. */
  secondsPerEmailRatio: number;
  workerCpuRatio: number;
}

export interface TrackingResult {
  runs: TrackingRun[];
  /** `all` with correlation over `all` without: what correlation adds per email (the bound is 1.5). */
  correlationSlowdown: number;
  correlationCpuRatio: number;
}

const parentsPerMailbox = 10;
const knownCustomers = 48;
const customers = 97;

const parentId = (box: { address: string }, n: number) => `<parent-${n}.${box.address}>`;
const parentConversation = (box: { address: string }, n: number) => `AAQkAParent${n}${box.address.split("@")[0]!.replace(/[^A-Za-z0-9]/g, "")}=`;

/** Contacts for half the customers, and earlier tracked activities each mailbox's replies answer. */
async function prepare(runtime: Runtime, mailboxes: Array<{ address: string; mailboxId: string }>): Promise<void> {
  const at = new Date(runtime.now() - 7_200_000).toISOString();
  for (let c = 0; c < knownCustomers; c++) {
    const fields = { firstName: "Customer", lastName: String(c), emails: [{ address: `customer${c}@fabrikam.example` }], status: "active" as const };
    await runtime.actRecords.create({ type: "contact", id: `bench-contact-${c}`, ownerId: "bench-owner", fields, createdAt: at, modifiedAt: at, version: 1 });
  }
  for (const box of mailboxes) {
    for (let n = 0; n < parentsPerMailbox; n++) {
      const internetMessageId = parentId(box, n);
      const id = activityIdFor(internetMessageId, "", "");
      const content = {
        id, internetMessageId, conversationId: parentConversation(box, n), subject: `Quote ${n}`, from: { address: box.address }, to: [{ address: "customer1@fabrikam.example" }], cc: [], bcc: [],
        receivedAt: at, body: { contentType: "text" as const, content: "Our quote." }, trackedReason: "allEmail" as const, regarding: { type: "opportunity", id: `opp-${n}` },
      };
      await runtime.emails.saveFound(content, { mailboxId: box.mailboxId, folder: "sentitems", direction: "Outgoing", graphMessageId: `parent-${n}-${box.mailboxId}`, receivedAt: at });
      await runtime.correlationIndex.add(id, at, { conversationId: content.conversationId });
    }
  }
}

const mail = (bodyBytes: number): IngestMessage => (i, box) => {
  const customer = i % customers;
  const reply = i % 4 === 0;
  const n = Math.floor(i / 4) % parentsPerMailbox;
  return {
    mailbox: box.address,
    subject: reply ? `RE: Quote ${n}` : `Ingest ${i}`,
    body: { contentType: "html", content: bodyOf(bodyBytes, i) },
    from: reply ? { address: "customer1@fabrikam.example" } : customer % 2 === 0 ? { address: `customer${Math.floor(customer / 2)}@fabrikam.example` } : { address: `stranger${customer}@example.org` },
    to: [{ address: box.address }],
    ...(reply ? { inReplyTo: parentId(box, n), conversationId: parentConversation(box, n) } : {}),
  };
};

const runs: Array<{ name: string; tracking: Partial<TrackingSettings> }> = [
  { name: "all, correlation off", tracking: { defaultTrackOption: "all", correlation: { inReplyTo: false, trackingToken: false, conversation: false, smartMatch: false } } },
  { name: "all", tracking: { defaultTrackOption: "all" } },
  { name: "responsesToCrmEmail", tracking: { defaultTrackOption: "responsesToCrmEmail" } },
  { name: "fromLeadsContactsAccounts", tracking: { defaultTrackOption: "fromLeadsContactsAccounts" } },
];

export async function runTrackingScenario(options: { mailboxes: number; emailsPerMailbox: number; concurrency: number; log: (line: string) => void }): Promise<TrackingResult> {
  const results: Array<IngestResult & { name: string }> = [];
  for (const run of runs) {
    options.log(`  tracking: ${run.name}`);
    const result = await runIngestScenario({ workers: 1, mailboxes: options.mailboxes, emailsPerMailbox: options.emailsPerMailbox, concurrency: options.concurrency, tracking: run.tracking, prepare, message: mail(4096), log: options.log });
    options.log(`    ${result.emailsPerSecond} emails/s, worker CPU ${result.workerCpuMsPerEmail} ms/email, ${result.tableTransactionsPerEmail} table requests/email, tracked ${result.tracked}, untracked ${result.untracked}`);
    results.push({ name: run.name, ...result });
  }
  const reference = results.find((r) => r.name === "all")!;
  const uncorrelated = results.find((r) => r.name === "all, correlation off")!;
  const perEmail = (r: IngestResult) => r.seconds / r.emails;
  return {
    runs: results.map((r) => ({ ...r, secondsPerEmailRatio: round(perEmail(r) / perEmail(reference), 2), workerCpuRatio: round(r.workerCpuMsPerEmail / reference.workerCpuMsPerEmail, 2) })),
    correlationSlowdown: round(perEmail(reference) / perEmail(uncorrelated), 2),
    correlationCpuRatio: round(reference.workerCpuMsPerEmail / uncorrelated.workerCpuMsPerEmail, 2),
  };
}
