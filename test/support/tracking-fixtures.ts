/**
 * Tracking scenarios through the real parts: CRM email sent by the outgoing workload, mail
 * delivered to the simulator, incoming cycles, and the activity a message became (if any).
 */
import { expect } from "vitest";
import { activityIdFor, type EmailActivity } from "../../shared/domain/email-activity.js";
import type { TrackingSettings } from "../../shared/domain/tracking/tracking-settings.js";
import { outgoingEngine } from "../../shared/sync/outgoing/outgoing-engine.js";
import type { ApiServer } from "./api-server.js";
import type { HarnessMailbox, SyncHarness } from "./sync-harness.js";

export interface SentCrmEmail {
  id: string;
  subject: string;
  trackingToken: string;
  internetMessageId: string;
  /** Of the sender's Sent Items copy. */
  conversationId: string;
  regarding?: { type: string; id: string };
}

/** Sends a CRM email through the outgoing workload and syncs the sender's mailbox (its Sent Items copy). */
export async function sendCrmEmail(h: SyncHarness, api: ApiServer, from: HarnessMailbox, input: Record<string, unknown>): Promise<SentCrmEmail> {
  const created = await api.call("POST", "emails", { senderMailboxId: from.id, body: { contentType: "text", content: "Please find our offer." }, ...input });
  expect(created.status).toBe(201);
  expect((await api.call("POST", `emails/${created.body.id}/send`)).status).toBe(200);
  expect((await h.runCycle(outgoingEngine, from.id)).outcome).toBe("completed");
  await h.runIncoming(from.id);
  const record = (await api.call("GET", `emails/${created.body.id}`)).body;
  const sentCopy = (h.sim.listMessages(from.address, "sentitems") as Array<{ internetMessageId: string; conversationId: string }>).find((m) => m.internetMessageId === record.internetMessageId);
  expect(sentCopy).toBeDefined();
  return { id: record.id, subject: record.subject, trackingToken: record.trackingToken, internetMessageId: record.internetMessageId, conversationId: sentCopy!.conversationId, regarding: record.regarding };
}

/** The activity a message with this internet message id became, or undefined when it was not tracked. */
export async function activityOf(h: SyncHarness, internetMessageId: string): Promise<EmailActivity | undefined> {
  return h.runtime.emails.get(activityIdFor(internetMessageId, "", ""));
}

/** Replaces the organization's tracking settings (the rest as they are). */
export async function setTracking(h: SyncHarness, tracking: Partial<TrackingSettings>): Promise<void> {
  const current = await h.runtime.orgSettings.get({ fresh: true });
  await h.runtime.orgSettings.put({ ...current, ...tracking });
}

let serial = 0;
/** A unique internet message id for a test message. */
export const messageId = (hint: string) => `<${hint}-${++serial}-${Date.now().toString(36)}@fabrikam.example>`;
