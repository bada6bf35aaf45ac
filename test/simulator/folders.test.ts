/**
 * The folder hierarchy: folders under the Inbox created, renamed, moved and deleted (through Graph
 * and the control API alike), the folder hierarchy delta that reports it, and messages moving
 * between folders (out of one folder's message delta, into the other's, with the same id).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deltaRound, rawGraph, startFixture, type SimulatorFixture } from "./simulator-fixture.js";

let f: SimulatorFixture;
let mailboxCount = 0;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.sim.close());

function newMailbox(): string {
  return f.sim.addMailbox({ tenantId: f.tenantId, address: `folders${++mailboxCount}@contoso.example` }).address;
}

const hierarchy = (mailbox: string, query = "") => `${f.sim.url}/v1.0/users/${mailbox}/mailFolders/delta${query}`;
const byId = (items: any[]) => new Map(items.map((item) => [item.id as string, item]));

describe("folders under the Inbox", () => {
  it("are created, renamed, moved and deleted through Graph, keeping their ids", async () => {
    const mailbox = newMailbox();
    const u = `/users/${mailbox}`;
    const inbox = f.sim.folderId(mailbox, "inbox");
    const customers = await rawGraph(f, `${u}/mailFolders/inbox/childFolders`, { method: "POST", body: { displayName: "Customers" } });
    const contoso = await rawGraph(f, `${u}/mailFolders/${encodeURIComponent(customers.body.id)}/childFolders`, { method: "POST", body: { displayName: "Contoso" } });
    const id = encodeURIComponent(contoso.body.id);

    const renamed = await rawGraph(f, `${u}/mailFolders/${id}`, { method: "PATCH", body: { displayName: "Contoso Ltd" } });
    expect(renamed.body).toMatchObject({ id: contoso.body.id, displayName: "Contoso Ltd" });
    const moved = await rawGraph(f, `${u}/mailFolders/${id}/move`, { method: "POST", body: { destinationId: "inbox" } });
    expect(moved.status).toBe(201);
    expect(moved.body).toMatchObject({ id: contoso.body.id, parentFolderId: inbox });

    expect((await rawGraph(f, `${u}/mailFolders/${id}`, { method: "DELETE" })).status).toBe(204);
    const deletedItems = f.sim.folderId(mailbox, "deleteditems");
    expect((await rawGraph(f, `${u}/mailFolders/${id}`)).body.parentFolderId).toBe(deletedItems);
    expect((await rawGraph(f, `${u}/mailFolders/${id}/permanentDelete`, { method: "POST" })).status).toBe(204);
    const gone = await rawGraph(f, `${u}/mailFolders/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe("ErrorItemNotFound");
  });

  it("refuses to delete or move a well-known folder, or to move a folder into its own subfolder", async () => {
    const mailbox = newMailbox();
    const u = `/users/${mailbox}`;
    const deleteInbox = await rawGraph(f, `${u}/mailFolders/inbox`, { method: "DELETE" });
    expect(deleteInbox.status).toBe(403);
    expect(deleteInbox.body.error.code).toBe("ErrorDeleteDistinguishedFolder");
    const parent = f.sim.createFolder(mailbox, "inbox", "Parent");
    const child = f.sim.createFolder(mailbox, parent.id, "Child");
    const intoChild = await rawGraph(f, `${u}/mailFolders/${encodeURIComponent(parent.id)}/move`, { method: "POST", body: { destinationId: child.id } });
    expect(intoChild.status).toBe(400);
    expect(() => f.sim.moveFolder(mailbox, parent.id, parent.id)).toThrow();
  });
});

describe("the folder hierarchy delta", () => {
  it("lists every folder at any depth on the first round, then only what was created, renamed, moved or deleted", async () => {
    const mailbox = newMailbox();
    const customers = f.sim.createFolder(mailbox, "inbox", "Customers");
    const contoso = f.sim.createFolder(mailbox, customers.id, "Contoso");
    const deep = f.sim.createFolder(mailbox, contoso.id, "Orders");
    const first = await deltaRound(f, hierarchy(mailbox, "?$select=displayName,parentFolderId"), { Prefer: "odata.maxpagesize=4" });
    expect(first.pages).toBeGreaterThan(1);
    const all = byId(first.items);
    expect(all.get(deep.id)).toEqual({ id: deep.id, displayName: "Orders", parentFolderId: contoso.id });
    expect(all.get(f.sim.folderId(mailbox, "inbox"))?.displayName).toBe("Inbox");
    expect(all.size).toBe(first.items.length);

    const quiet = await rawGraph(f, first.deltaLink);
    expect(quiet.body.value).toEqual([]);

    f.sim.renameFolder(mailbox, contoso.id, "Contoso Ltd");
    f.sim.moveFolder(mailbox, customers.id, "archive");
    const changed = await deltaRound(f, quiet.body["@odata.deltaLink"]);
    // The moved folder only: the folders under it keep their parent.
    expect(changed.items).toEqual(
      expect.arrayContaining([
        { id: contoso.id, displayName: "Contoso Ltd", parentFolderId: customers.id },
        { id: customers.id, displayName: "Customers", parentFolderId: f.sim.folderId(mailbox, "archive") },
      ]),
    );
    expect(changed.items).toHaveLength(2);

    f.sim.deleteFolder(mailbox, customers.id);
    const soft = await deltaRound(f, changed.deltaLink);
    expect(soft.items).toEqual([{ id: customers.id, displayName: "Customers", parentFolderId: f.sim.folderId(mailbox, "deleteditems") }]);
    f.sim.deleteFolder(mailbox, customers.id);
    const hard = await deltaRound(f, soft.deltaLink);
    expect(hard.items.map((item) => item.id).sort()).toEqual([customers.id, contoso.id, deep.id].sort());
    expect(hard.items.every((item) => item["@removed"]?.reason === "deleted")).toBe(true);
  });

  it("answers 410 SyncStateNotFound for an evicted token", async () => {
    const mailbox = newMailbox();
    const round = await deltaRound(f, hierarchy(mailbox));
    f.sim.evictDeltaTokens(mailbox);
    const lost = await rawGraph(f, round.deltaLink);
    expect(lost.status).toBe(410);
    expect(lost.body.error.code).toBe("SyncStateNotFound");
  });
});

describe("messages in folders under the Inbox", () => {
  it("a move leaves the old folder's message delta (@removed) and enters the new one's with the same id", async () => {
    const mailbox = newMailbox();
    const a = f.sim.createFolder(mailbox, "inbox", "A");
    const b = f.sim.createFolder(mailbox, "inbox", "B");
    const messageDelta = (folder: string) => `${f.sim.url}/v1.0/users/${mailbox}/mailFolders/${encodeURIComponent(folder)}/messages/delta?$select=subject,parentFolderId`;
    const message = f.sim.deliverMessage({ mailbox, folder: a.id, subject: "Order", from: { address: "buyer@fabrikam.example" } });
    const inA = await deltaRound(f, messageDelta(a.id));
    const inB = await deltaRound(f, messageDelta(b.id));
    expect(inA.items.map((m) => m.id)).toEqual([message.id]);
    expect(inB.items).toEqual([]);

    f.sim.moveMessage(mailbox, message.id, b.id);
    const leftA = await deltaRound(f, inA.deltaLink);
    const enteredB = await deltaRound(f, inB.deltaLink);
    expect(leftA.items).toEqual([{ "@odata.type": "#microsoft.graph.message", id: message.id, "@removed": { reason: "deleted" } }]);
    expect(enteredB.items).toEqual([expect.objectContaining({ id: message.id, subject: "Order", parentFolderId: b.id })]);
  });

  it("a folder deleted for good takes its messages with it; its message delta answers 404", async () => {
    const mailbox = newMailbox();
    const folder = f.sim.createFolder(mailbox, "inbox", "Gone");
    f.sim.deliverMessage({ mailbox, folder: folder.id, subject: "x", from: { address: "buyer@fabrikam.example" } });
    f.sim.deleteFolder(mailbox, folder.id, { hard: true });
    const delta = await rawGraph(f, `/users/${mailbox}/mailFolders/${encodeURIComponent(folder.id)}/messages/delta`);
    expect(delta.status).toBe(404);
    expect(delta.body.error.code).toBe("ErrorItemNotFound");
  });
});
