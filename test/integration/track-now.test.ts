/**
 * Track now and untrack, end to end (Azurite, the simulator over HTTPS, the API over HTTP): a
 * message becomes an activity at once wherever it is, the next cycle finds the same activity and
 * the same copy, and an untracked message stays in the mailbox, its activity in the CRM, and is
 * left alone by later cycles until it is tracked again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiServer, type ApiServer } from "../support/api-server.js";
import { startSyncHarness, trackEverything, type HarnessMailbox, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: ApiServer;

beforeAll(async () => {
  // Untrack is about mail cycles track by themselves: every message delivered here is tracked (Track now itself ignores the option).
  h = await startSyncHarness({ pageSize: 5, tracking: trackEverything });
  api = await startApiServer(h.runtime);
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

const customer = { name: "Chris Customer", address: "chris@fabrikam.example" };
const quote = { type: "quote", id: "quote-7" };
let n = 0;

function deliver(mb: HarnessMailbox, folder: string, extra: { isDraft?: boolean } = {}) {
  const internetMessageId = `<track-now-${++n}@fabrikam.example>`;
  const sent = h.sim.deliverMessage({ mailbox: mb.address, folder, subject: `Question ${n}`, from: customer, to: [{ address: mb.address }], internetMessageId, receivedDateTime: "2026-11-05T10:00:00Z", ...extra });
  return { ...sent, internetMessageId };
}

const track = (mb: HarnessMailbox, body: unknown) => api.call("POST", `mailboxes/${mb.id}/track`, body);
const untrack = (mb: HarnessMailbox, messageId: string) => api.call("DELETE", `mailboxes/${mb.id}/track/${encodeURIComponent(messageId)}`);
const listed = async (mb: HarnessMailbox) => (await api.call("GET", `emails?mailboxId=${mb.id}&pageSize=100`)).body.items as Array<{ id: string; subject: string }>;

describe("Track now", () => {
  it("makes a message in any folder an activity at once, with the regarding given", async () => {
    const mb = await h.addMailbox("now");
    const archived = deliver(mb, "archive");
    const response = await track(mb, { messageId: archived.id, regarding: quote });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ internetMessageId: archived.internetMessageId, subject: `Question ${n}`, regarding: quote, direction: "Incoming" });
    expect(response.body.mailboxes).toEqual([expect.objectContaining({ mailboxId: mb.id, graphMessageId: archived.id, folder: h.sim.folderId(mb.address, "archive") })]);
    expect((await listed(mb)).map((e) => e.id)).toEqual([response.body.id]);
    // Again: the same activity, nothing added.
    const again = await track(mb, { messageId: archived.id, regarding: quote });
    expect(again.body.id).toBe(response.body.id);
    expect(again.body.mailboxes[0].copies).toHaveLength(1);
  });

  it("a message tracked now in the Inbox is seen by the next cycle as already tracked: one activity, one copy", async () => {
    const mb = await h.addMailbox("nodup");
    const message = deliver(mb, "inbox");
    const tracked = await track(mb, { messageId: message.id });
    expect(tracked.status).toBe(200);
    expect(tracked.body.mailboxes[0].copies).toEqual([expect.objectContaining({ folder: "inbox", graphMessageId: message.id })]);
    await h.runIncoming(mb.id);
    h.sim.updateMessage(mb.address, message.id, { isRead: true });
    await h.runIncoming(mb.id);
    expect(await listed(mb)).toHaveLength(1);
    const email = (await api.call("GET", `emails/${tracked.body.id}`)).body;
    expect(email.mailboxes).toHaveLength(1);
    expect(email.mailboxes[0].copies).toEqual([expect.objectContaining({ folder: "inbox", graphMessageId: message.id })]);
  });

  it("a message in a tracked folder gets the folder's record unless another is given", async () => {
    const mb = await h.addMailbox("infolder");
    const folder = h.sim.createFolder(mb.address, "inbox", "Contoso");
    const account = { type: "account", id: "acc-1" };
    expect((await api.call("PUT", `mailboxes/${mb.id}/tracked-folders/${encodeURIComponent(folder.id)}`, { regarding: account })).status).toBe(201);
    const first = deliver(mb, folder.id);
    const second = deliver(mb, folder.id);
    expect((await track(mb, { messageId: first.id })).body.regarding).toEqual(account);
    expect((await track(mb, { messageId: second.id, regarding: quote })).body.regarding).toEqual(quote);
  });

  it("answers 404 for a message the mailbox does not hold and 400 for a draft or a bad body, changing nothing", async () => {
    const mb = await h.addMailbox("nowbad");
    const missing = await track(mb, { messageId: "AAkALgAAAAAAHYQDnotthere000=" });
    expect(missing.status).toBe(404);
    const draft = deliver(mb, "drafts", { isDraft: true });
    const refused = await track(mb, { messageId: draft.id });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe("messageId");
    expect((await track(mb, { regarding: quote })).body.error.field).toBe("messageId");
    expect((await track(mb, { messageId: draft.id, regarding: { type: "quote" } })).body.error.field).toBe("regarding.id");
    expect((await api.call("POST", "mailboxes/nobody/track", { messageId: draft.id })).status).toBe(404);
    expect(await listed(mb)).toEqual([]);
  });
});

describe("untrack", () => {
  it("removes the mailbox's link to the activity, keeps the activity and the message, and later cycles leave it alone", async () => {
    const mb = await h.addMailbox("untrack");
    const message = deliver(mb, "inbox");
    await h.runIncoming(mb.id);
    const [activity] = await listed(mb);
    expect(activity).toBeDefined();

    expect((await untrack(mb, message.id)).status).toBe(204);
    expect(await listed(mb)).toEqual([]);
    const kept = await api.call("GET", `emails/${activity!.id}`);
    expect(kept.status).toBe(200);
    expect(kept.body.subject).toBe(`Question ${n}`);
    expect(kept.body.mailboxes).toEqual([]);
    expect(h.sim.listMessages(mb.address, "inbox").map((m) => m.id)).toEqual([message.id]);

    // A change in Exchange brings the message back in the Inbox's delta: it stays untracked.
    h.sim.updateMessage(mb.address, message.id, { isRead: true });
    await h.runIncoming(mb.id);
    expect(await listed(mb)).toEqual([]);
    // Untracking again is a no-op; a message that was never tracked is a 404.
    expect((await untrack(mb, message.id)).status).toBe(204);
    expect((await untrack(mb, "AAkALgAAAAAAHYQDnevertracked=")).status).toBe(404);

    // Track now brings it back, and cycles see it again.
    expect((await track(mb, { messageId: message.id })).body.id).toBe(activity!.id);
    expect((await listed(mb)).map((e) => e.id)).toEqual([activity!.id]);
  });

  it("keeps the activity listed in the mailbox while another copy there is still tracked", async () => {
    const mb = await h.addMailbox("twocopies");
    const internetMessageId = "<redelivered-untrack@fabrikam.example>";
    const first = h.sim.deliverMessage({ mailbox: mb.address, subject: "Twice", from: customer, internetMessageId, receivedDateTime: "2026-11-06T08:00:00Z" });
    const second = h.sim.deliverMessage({ mailbox: mb.address, subject: "Twice", from: customer, internetMessageId, receivedDateTime: "2026-11-06T08:05:00Z" });
    await h.runIncoming(mb.id);
    expect((await untrack(mb, first.id)).status).toBe(204);
    const items = await listed(mb);
    expect(items).toHaveLength(1);
    const email = (await api.call("GET", `emails/${items[0]!.id}`)).body;
    expect(email.mailboxes[0].copies.map((c: { graphMessageId: string }) => c.graphMessageId)).toEqual([second.id]);
    expect(email.mailboxes[0].receivedAt).toBe("2026-11-06T08:05:00.000Z");
  });
});
