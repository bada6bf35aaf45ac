/**
 * The demo tenant shows tracking: after its seeding, the mail flow's mail from known contacts is
 * tracked for the owners who track it, customers' replies to the CRM email the demo sends are
 * tracked and inherit its opportunity, and the rest stays out of the CRM (counted untracked).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { outgoingEngine } from "../../shared/sync/outgoing/outgoing-engine.js";
import { startMailFlow, type DemoMailbox } from "../tools/exchange-simulator/demo.js";
import { mailboxIdFor, seedLocalMailboxes } from "../tools/local-host/demo-tenant.js";
import { seedDemoTracking } from "../tools/local-host/demo-tracking.js";
import { startSyncHarness, type SyncHarness } from "../support/sync-harness.js";
import { allEmails } from "../support/sync-harness.js";

let h: SyncHarness;
let mailboxes: DemoMailbox[];

beforeAll(async () => {
  h = await startSyncHarness();
  mailboxes = ["adele", "alex", "diego", "grady", "henrietta", "isaiah"].map((name) => {
    const address = `${name}@contoso.example`;
    const added = h.sim.addMailbox({ tenantId: h.tenantId, address, displayName: `${name[0]!.toUpperCase()}${name.slice(1)} Demo` });
    return { id: added.id, address, displayName: `${name} Demo` };
  });
  await seedLocalMailboxes(h.runtime, mailboxes.map((m) => ({ address: m.address, exchangeUserId: m.id })), "demo");
});
afterAll(async () => {
  await h?.stop();
});

/** A fixed sequence, so the run is the same every time. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

it("known contacts' mail and replies to the demo's CRM email are tracked; the rest is not", async () => {
  const seeded = await seedDemoTracking(h.runtime, mailboxes.map((m) => ({ address: m.address, exchangeUserId: m.id })));
  expect(seeded).toMatchObject({ crmEmails: 4 });
  // Seeding again (a restart on the same data) sends nothing twice.
  expect((await seedDemoTracking(h.runtime, mailboxes.map((m) => ({ address: m.address })))).crmEmails).toBe(0);
  const ids = mailboxes.map((m) => mailboxIdFor(m.address));
  for (const id of ids.slice(0, 4)) expect((await h.runCycle(outgoingEngine, id)).items).toBe(1);

  const flow = startMailFlow(h.sim, mailboxes, { everyMs: 3_600_000, random: seededRandom(7) });
  try {
    for (let i = 0; i < 120; i++) await flow.deliverNext();
  } finally {
    flow.stop();
  }
  let untracked = 0;
  for (const id of ids) untracked += (await h.runIncoming(id)).counts?.untracked ?? 0;

  const activities = (await Promise.all(ids.map((id) => allEmails(h.runtime, id)))).flat();
  const details = await Promise.all([...new Set(activities.map((a) => a.id))].map((id) => h.runtime.emails.get(id)));
  const reasons = [...new Set(details.map((d) => d?.trackedReason))];
  expect(reasons).toContain("sentFromCrm");
  expect(reasons).toContain("fromLeadContactAccount");
  const replies = details.filter((d) => d?.correlation?.method === "inReplyTo" && d.regarding?.id.startsWith("demo-opportunity-"));
  expect(replies.length).toBeGreaterThan(0);
  expect(untracked).toBeGreaterThan(details.length);
});
