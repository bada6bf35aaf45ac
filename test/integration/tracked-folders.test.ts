/**
 * Folder-level tracking end to end (Azurite, the simulator over HTTPS, the API over HTTP): mapping
 * folders under the Inbox, mail moved into and between tracked folders, folders renamed, moved and
 * deleted in Exchange, the limits, and what an idle cycle costs per tracked folder.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiServer, type ApiServer } from "../support/api-server.js";
import { startSyncHarness, trackEverything, type HarnessMailbox, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: ApiServer;

beforeAll(async () => {
  // Folder mechanics with every message tracked; a folder tracks whatever the option: the last test sets "none".
  h = await startSyncHarness({ pageSize: 5, tracking: trackEverything });
  api = await startApiServer(h.runtime);
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

const customer = { name: "Chris Customer", address: "chris@fabrikam.example" };
const account = { type: "account", id: "acc-contoso" };
const opportunity = { type: "opportunity", id: "opp-42" };
let n = 0;

function deliver(mb: HarnessMailbox, folder: string, receivedDateTime = "2026-11-02T09:00:00Z") {
  const internetMessageId = `<tracked-${++n}@fabrikam.example>`;
  const sent = h.sim.deliverMessage({ mailbox: mb.address, folder, subject: `Order ${n}`, from: customer, to: [{ address: mb.address }], internetMessageId, receivedDateTime });
  return { ...sent, internetMessageId };
}

const mapFolder = (mb: HarnessMailbox, folderId: string, regarding: object) => api.call("PUT", `mailboxes/${mb.id}/tracked-folders/${encodeURIComponent(folderId)}`, { regarding });
const trackedFolders = async (mb: HarnessMailbox) => (await api.call("GET", `mailboxes/${mb.id}/tracked-folders`)).body.items as Array<{ folderId: string; displayName: string; path: string[]; regarding: object }>;

/** The activity of a message, as GET /api/emails/{id} shows it, found through the mailbox's list. */
async function activityOf(mb: HarnessMailbox, internetMessageId: string) {
  const items = (await api.call("GET", `emails?mailboxId=${mb.id}&pageSize=100`)).body.items as Array<{ id: string }>;
  for (const item of items) {
    const email = (await api.call("GET", `emails/${item.id}`)).body;
    if (email.internetMessageId === internetMessageId) return email;
  }
  return undefined;
}

describe("mapping a folder", () => {
  it("maps a folder under the Inbox at any depth (idempotent), shows its path, and tracks mail moved into it regarding the folder's record", async () => {
    const mb = await h.addMailbox("mapper");
    // Process Emails From moves on with the Inbox: the old message below is older than it by then.
    const old = deliver(mb, "inbox", "2026-10-01T09:00:00Z");
    deliver(mb, "inbox", "2026-11-01T09:00:00Z");
    await h.runIncoming(mb.id);
    expect((await h.mailbox(mb.id)).processEmailsFrom).toBe("2026-11-01T09:00:00.000Z");
    expect((await activityOf(mb, old.internetMessageId)).regarding).toBeUndefined();

    const customers = h.sim.createFolder(mb.address, "inbox", "Customers");
    const contoso = h.sim.createFolder(mb.address, customers.id, "Contoso");
    const mapped = await mapFolder(mb, contoso.id, account);
    expect(mapped.status).toBe(201);
    expect(mapped.body).toMatchObject({ folderId: contoso.id, displayName: "Contoso", path: ["Inbox", "Customers", "Contoso"], regarding: account });
    expect((await mapFolder(mb, contoso.id, account)).status).toBe(200);
    expect(await trackedFolders(mb)).toHaveLength(1);

    h.sim.moveMessage(mb.address, old.id, contoso.id);
    const fresh = deliver(mb, contoso.id, "2026-11-03T09:00:00Z");
    await h.runIncoming(mb.id);
    const moved = await activityOf(mb, old.internetMessageId);
    expect(moved.regarding).toEqual(account);
    expect(moved.mailboxes[0].copies.map((c: { folder: string }) => c.folder)).toContain(contoso.id);
    expect((await activityOf(mb, fresh.internetMessageId)).regarding).toEqual(account);
    // Still one activity per message.
    expect((await api.call("GET", `emails?mailboxId=${mb.id}&pageSize=100`)).body.items).toHaveLength(3);
  });

  it("moving mail to another tracked folder changes the regarding on the next sync; moving it out leaves activity and regarding as they are", async () => {
    const mb = await h.addMailbox("mover");
    const a = h.sim.createFolder(mb.address, "inbox", "A");
    const b = h.sim.createFolder(mb.address, "inbox", "B");
    expect((await mapFolder(mb, a.id, account)).status).toBe(201);
    expect((await mapFolder(mb, b.id, opportunity)).status).toBe(201);
    const message = deliver(mb, a.id);
    await h.runIncoming(mb.id);
    expect((await activityOf(mb, message.internetMessageId)).regarding).toEqual(account);

    h.sim.moveMessage(mb.address, message.id, b.id);
    await h.runIncoming(mb.id);
    expect((await activityOf(mb, message.internetMessageId)).regarding).toEqual(opportunity);

    h.sim.moveMessage(mb.address, message.id, "inbox");
    await h.runIncoming(mb.id);
    expect((await activityOf(mb, message.internetMessageId)).regarding).toEqual(opportunity);
    h.sim.moveMessage(mb.address, message.id, "archive");
    await h.runIncoming(mb.id);
    const after = await activityOf(mb, message.internetMessageId);
    expect(after.regarding).toEqual(opportunity);
    expect(after.subject).toBe(`Order ${n}`);
  });

  it("refuses a queue's mailbox, a folder not under the Inbox, the Inbox itself and a folder that does not exist, each saying why; nothing is stored", async () => {
    const queue = await h.addMailbox("support-queue", { ownerType: "queue" });
    const queueFolder = h.sim.createFolder(queue.address, "inbox", "Cases");
    const refusedQueue = await mapFolder(queue, queueFolder.id, account);
    expect(refusedQueue.status).toBe(400);
    expect(refusedQueue.body.error.message).toMatch(/queue/);
    expect(await trackedFolders(queue)).toEqual([]);

    const mb = await h.addMailbox("refusals");
    const underArchive = h.sim.createFolder(mb.address, "archive", "Old customers");
    const cases: Array<[string, RegExp]> = [
      [underArchive.id, /is not under the Inbox/],
      [h.sim.folderId(mb.address, "inbox"), /is the Inbox itself/],
      [h.sim.folderId(mb.address, "sentitems"), /is not under the Inbox/],
      ["AAMkAdoesnotexist000=", /does not exist/],
    ];
    for (const [folderId, why] of cases) {
      const response = await mapFolder(mb, folderId, account);
      expect(response.status, folderId).toBe(400);
      expect(response.body.error).toMatchObject({ code: "BadRequest", field: "folderId" });
      expect(response.body.error.message).toMatch(why);
    }
    const badBody = await api.call("PUT", `mailboxes/${mb.id}/tracked-folders/${encodeURIComponent(underArchive.id)}`, { regarding: { type: "account" } });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.field).toBe("regarding.id");
    expect(await trackedFolders(mb)).toEqual([]);
    expect((await api.call("GET", "mailboxes/nobody/tracked-folders")).status).toBe(404);
  });

  it("tracks at most 25 folders: two requests racing for the 25th place cannot both win, and the 26th is refused saying why", async () => {
    const mb = await h.addMailbox("many");
    const folders = Array.from({ length: 27 }, (_, i) => h.sim.createFolder(mb.address, "inbox", `Customer ${i}`).id);
    for (const folderId of folders.slice(0, 24)) expect((await mapFolder(mb, folderId, account)).status).toBe(201);
    const race = await Promise.all(folders.slice(24, 26).map((folderId) => mapFolder(mb, folderId, account)));
    expect(race.map((r) => r.status).sort()).toEqual([201, 400]);
    expect(race.find((r) => r.status === 400)!.body.error.message).toMatch(/already tracks 25 folders/);
    const late = await mapFolder(mb, folders[26]!, account);
    expect(late.status).toBe(400);
    expect(late.body.error.message).toMatch(/already tracks 25 folders/);
    expect(await trackedFolders(mb)).toHaveLength(25);
    // A mapped folder can still get another record at 25.
    expect((await mapFolder(mb, folders[0]!, opportunity)).status).toBe(200);
    // Removing one frees a place.
    expect((await api.call("DELETE", `mailboxes/${mb.id}/tracked-folders/${encodeURIComponent(folders[0]!)}`)).status).toBe(204);
    expect((await api.call("DELETE", `mailboxes/${mb.id}/tracked-folders/${encodeURIComponent(folders[0]!)}`)).status).toBe(404);
    expect((await mapFolder(mb, folders[26]!, account)).status).toBe(201);
  });
});

describe("the mailbox record changed", () => {
  it("a mailbox mapped to another Exchange mailbox forgets its tracked folders and every incoming cursor", async () => {
    const mb = await h.addMailbox("readdressed");
    const folder = h.sim.createFolder(mb.address, "inbox", "Contoso");
    expect((await mapFolder(mb, folder.id, account)).status).toBe(201);
    await h.runIncoming(mb.id);
    const before = [...(await h.runtime.cursors.forMailbox(mb.id, "incoming")).keys()];
    expect(before).toHaveLength(4);
    expect(before).toEqual(expect.arrayContaining(["hierarchy", "inbox", "sentitems"]));
    h.sim.addMailbox({ tenantId: h.tenantId, address: "readdressed-new@contoso.example" });
    const moved = await api.call("PUT", `mailboxes/${mb.id}`, { emailAddress: "readdressed-new@contoso.example", profileId: "profile-1", syncMethods: { incoming: "ServerSideSync" } });
    expect(moved.status).toBe(200);
    expect(await trackedFolders(mb)).toEqual([]);
    expect((await h.runtime.cursors.forMailbox(mb.id, "incoming")).size).toBe(0);
  });
});

describe("folders changed in Exchange", () => {
  it("a folder renamed or moved under the Inbox is followed; one moved out from under the Inbox or deleted is dropped with an alert", async () => {
    const mb = await h.addMailbox("follower");
    const projects = h.sim.createFolder(mb.address, "inbox", "Projects");
    const renamed = h.sim.createFolder(mb.address, projects.id, "Alpha");
    const movedUp = h.sim.createFolder(mb.address, projects.id, "Beta");
    const movedOut = h.sim.createFolder(mb.address, "inbox", "Gamma");
    const deleted = h.sim.createFolder(mb.address, "inbox", "Delta");
    const purged = h.sim.createFolder(mb.address, "inbox", "Epsilon");
    const regardingOf = (i: number) => ({ type: "account", id: `acc-${i}` });
    for (const [i, folder] of [renamed, movedUp, movedOut, deleted, purged].entries()) expect((await mapFolder(mb, folder.id, regardingOf(i))).status).toBe(201);
    await h.runIncoming(mb.id);

    h.sim.renameFolder(mb.address, renamed.id, "Alpha (won)");
    h.sim.renameFolder(mb.address, projects.id, "Current projects");
    h.sim.moveFolder(mb.address, movedUp.id, "inbox");
    h.sim.moveFolder(mb.address, movedOut.id, "archive");
    h.sim.deleteFolder(mb.address, deleted.id);
    h.sim.deleteFolder(mb.address, purged.id, { hard: true });
    await h.runIncoming(mb.id);

    const after = await trackedFolders(mb);
    expect(after.map((f) => [f.folderId, f.path])).toEqual([
      [renamed.id, ["Inbox", "Current projects", "Alpha (won)"]],
      [movedUp.id, ["Inbox", "Beta"]],
    ]);
    const alerts = (await api.call("GET", `alerts?mailboxId=${mb.id}`)).body.items as Array<{ code: string; cause: string }>;
    const dropped = alerts.filter((a) => a.code === "TrackedFolderDropped");
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.cause).toContain("account 'acc-2' was moved out from under the Inbox");
    expect(dropped[0]!.cause).toContain("account 'acc-3' was moved out from under the Inbox");
    expect(dropped[0]!.cause).toContain("account 'acc-4' was deleted");

    // The followed folders still track mail, regarding their records.
    const mail = deliver(mb, movedUp.id);
    await h.runIncoming(mb.id);
    expect((await activityOf(mb, mail.internetMessageId)).regarding).toEqual(regardingOf(1));
  });

  it("each tracked folder costs one delta request per idle cycle, plus one folder hierarchy delta for them all", async () => {
    const idleRequests = async (mb: HarnessMailbox) => {
      await h.runIncoming(mb.id);
      return (await h.runIncoming(mb.id)).graphRequests;
    };
    const none = await h.addMailbox("idle0");
    const three = await h.addMailbox("idle3");
    for (let i = 0; i < 3; i++) expect((await mapFolder(three, h.sim.createFolder(three.address, "inbox", `F${i}`).id, account)).status).toBe(201);
    const base = await idleRequests(none);
    expect(base).toBe(2);
    expect(await idleRequests(three)).toBe(base + 3 + 1);
  });

  it("a mailbox row that says it maps no folder spares the cycle the read, and a folder mapped after that is synced at the next cycle", async () => {
    const mb = await h.addMailbox("flagged");
    await h.runIncoming(mb.id);
    expect((await h.mailbox(mb.id)).tracksFolders).toBe(false);
    const folder = h.sim.createFolder(mb.address, "inbox", "Later");
    expect((await mapFolder(mb, folder.id, opportunity)).status).toBe(201);
    expect((await h.mailbox(mb.id)).tracksFolders).toBe(true);
    const moved = deliver(mb, folder.id);
    await h.runIncoming(mb.id);
    expect((await activityOf(mb, moved.internetMessageId))?.regarding).toEqual(opportunity);
    // Unmapped again: the next cycle finds none and says so, so the one after reads nothing.
    expect((await api.call("DELETE", `mailboxes/${mb.id}/tracked-folders/${encodeURIComponent(folder.id)}`)).status).toBe(204);
    await h.runIncoming(mb.id);
    expect((await h.mailbox(mb.id)).tracksFolders).toBe(false);
  });

  it("reads 25 tracked folders two at a time: never more than two requests in flight for the mailbox", async () => {
    const mb = await h.addMailbox("busy25");
    for (let i = 0; i < 25; i++) {
      const folder = h.sim.createFolder(mb.address, "inbox", `Customer ${i}`);
      expect((await mapFolder(mb, folder.id, account)).status).toBe(201);
      h.sim.deliverMessage({ mailbox: mb.address, folder: folder.id, subject: `In ${i}`, from: customer, receivedDateTime: "2026-11-07T09:00:00Z" });
    }
    h.sim.setLatency({ minMs: 10, maxMs: 30, mailbox: mb.address });
    h.sim.resetStats();
    try {
      const report = await h.runIncoming(mb.id);
      expect(report).toMatchObject({ outcome: "completed", items: 25 });
    } finally {
      h.sim.setLatency({ minMs: 0, maxMs: 0 });
    }
    // Side by side, and no more than two.
    expect(h.sim.stats().maxConcurrentByMailbox[mb.address]).toBe(2);
  });
});

describe("a tracked folder and the owner's track option", () => {
  it("mail in a tracked folder is tracked, regarding the folder's record, even when the owner tracks no email", async () => {
    const mb = await h.addMailbox("no-tracking");
    expect((await api.call("PUT", `mailboxes/${mb.id}/tracking`, { trackOption: "none", autoCreateRecords: false })).status).toBe(200);
    const folder = h.sim.createFolder(mb.address, "inbox", "Contoso deal");
    expect((await mapFolder(mb, folder.id, account)).status).toBe(201);
    const inInbox = deliver(mb, "inbox", "2026-11-05T09:00:00Z");
    const filed = deliver(mb, folder.id, "2026-11-05T09:05:00Z");
    await h.runIncoming(mb.id);
    expect(await activityOf(mb, inInbox.internetMessageId)).toBeUndefined();
    expect(await activityOf(mb, filed.internetMessageId)).toMatchObject({ regarding: account, trackedReason: expect.stringMatching(/folder/i) });

    // Filed later: tracked on the next sync, with the folder's record.
    h.sim.moveMessage(mb.address, inInbox.id, folder.id);
    await h.runIncoming(mb.id);
    expect(await activityOf(mb, inInbox.internetMessageId)).toMatchObject({ regarding: account });
  });
});
