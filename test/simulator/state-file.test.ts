/**
 * The simulator's state file: a simulator started again on the same file serves the same
 * organisation — mailboxes, folders, messages (with attachment bytes), events, contacts, tasks and
 * the sent log, under the same ids — while sync states issued before the restart answer 410.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startExchangeSimulator, type ExchangeSimulator } from "../tools/exchange-simulator/index.js";
import { StateFileError, stateVersion } from "../tools/exchange-simulator/state-file.js";
import { acquireToken, graphClient, msalApp } from "./simulator-fixture.js";

const roles = ["Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite", "Contacts.ReadWrite", "Tasks.ReadWrite.All", "User.Read.All"];
const tenantId = "0b8f1c52-6f2e-4c8e-9a43-2b7f1d0e5a11";
const dirs: string[] = [];
const running: ExchangeSimulator[] = [];

afterEach(async () => {
  for (const sim of running.splice(0)) await sim.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "sim-state-"));
  dirs.push(dir);
  return path.join(dir, "exchange-simulator.json");
}

/** A simulator on the file with the tenant and app a starter adds each time (they are not kept). */
async function start(file: string) {
  const sim = await startExchangeSimulator({ stateFile: file });
  running.push(sim);
  sim.addTenant({ tenantId });
  const clientSecret = "state-file-secret";
  const { clientId } = sim.addApp(tenantId, { clientSecret, roles });
  const app = msalApp(sim, tenantId, clientId, { clientSecret });
  return { sim, graph: graphClient(sim, app), token: () => acquireToken(app, sim) };
}

describe("simulator state file", () => {
  it("a simulator started again on the file serves the same organisation under the same ids", async () => {
    const file = stateFile();
    const first = await start(file);
    const alice = first.sim.addMailbox({ tenantId, address: "alice@contoso.example", displayName: "Alice" });
    const delivered = first.sim.deliverMessage({ mailbox: alice.address, subject: "Quote", from: { address: "buyer@fabrikam.example" } });
    const bytes = Buffer.from("%PDF-1.4 the quote");
    const attachment = await first.graph.api(`/users/${alice.id}/messages/${delivered.id}/attachments`).post({
      "@odata.type": "#microsoft.graph.fileAttachment", name: "quote.pdf", contentType: "application/pdf", contentBytes: bytes.toString("base64"),
    });
    const folder = await first.graph.api(`/users/${alice.id}/mailFolders/inbox/childFolders`).post({ displayName: "Customers" });
    const event = first.sim.createEvent(alice.address, {
      subject: "Review", start: { dateTime: "2026-07-01T09:00:00", timeZone: "UTC" }, end: { dateTime: "2026-07-01T10:00:00", timeZone: "UTC" },
    });
    const contact = first.sim.createContact(alice.address, { givenName: "Pat", emailAddresses: [{ address: "pat@fabrikam.example" }] });
    const task = first.sim.createTask(alice.address, null, { title: "Call Pat" });
    const lists = await first.graph.api(`/users/${alice.id}/todo/lists`).get();
    await first.graph.api(`/users/${alice.id}/sendMail`).post({ message: { subject: "Hello", toRecipients: [{ emailAddress: { address: "pat@fabrikam.example" } }] } });
    const delta = await first.graph.api(`/users/${alice.id}/mailFolders/inbox/messages/delta`).get();
    await first.sim.close();
    running.splice(0);
    // Node's global agent keeps idle connections: let those to the closed server see their close.
    await new Promise((resolve) => setTimeout(resolve, 100));

    const second = await start(file);
    // Clients keep absolute links on its URL: it listens on the same port again.
    expect(second.sim.url).toBe(first.sim.url);
    expect(second.sim.listMailboxes()).toEqual([expect.objectContaining({ id: alice.id, address: alice.address, displayName: "Alice" })]);
    expect(second.sim.listMessages(alice.address, "inbox").map((m) => m.id)).toEqual([delivered.id]);
    const content = await second.graph.api(`/users/${alice.id}/messages/${delivered.id}/attachments/${attachment.id}`).get();
    expect(Buffer.from(content.contentBytes, "base64")).toEqual(bytes);
    expect((await second.graph.api(`/users/${alice.id}/mailFolders/${folder.id}`).get()).displayName).toBe("Customers");
    expect(second.sim.listEvents(alice.address).map((e) => e.id)).toEqual([event.id]);
    expect(second.sim.listContacts(alice.address).map((c) => c.id)).toEqual([contact.id]);
    expect(second.sim.listTasks(alice.address).map((t) => t.id)).toEqual([task.id]);
    expect((await second.graph.api(`/users/${alice.id}/todo/lists`).get()).value).toEqual(lists.value);
    expect(second.sim.sentLog(alice.address).map((s) => s.subject)).toEqual(["Hello"]);

    // Sync states are not kept: the old deltaLink answers 410 and a new delta starts over.
    const stale = await fetch(delta["@odata.deltaLink"], { headers: { Authorization: `Bearer ${await second.token()}` } });
    expect(stale.status).toBe(410);
    const again = await second.graph.api(`/users/${alice.id}/mailFolders/inbox/messages/delta`).get();
    expect(again.value.map((m: { id: string }) => m.id)).toEqual([delivered.id]);
    // New changes carry on from the saved change sequence, so a new round sees them.
    second.sim.deliverMessage({ mailbox: alice.address, subject: "After the restart", from: { address: "buyer@fabrikam.example" } });
    const next = await second.graph.api(again["@odata.deltaLink"]).get();
    expect(next.value.map((m: { subject: string }) => m.subject)).toEqual(["After the restart"]);
  });

  it("writes whole states only: a versioned file and no temporary file left beside it", async () => {
    const file = stateFile();
    const { sim } = await start(file);
    sim.addMailbox({ tenantId, address: "bob@contoso.example" });
    sim.saveState();
    const saved = JSON.parse(readFileSync(file, "utf8"));
    expect(saved).toMatchObject({ format: "exchange-simulator-state", version: stateVersion });
    expect(readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
  });

  it("refuses to serve a saved tenant on another port than its clients' links name", async () => {
    const file = stateFile();
    const { sim } = await start(file);
    const port = sim.port;
    await sim.close();
    running.splice(0);
    await expect(startExchangeSimulator({ stateFile: file, port: port === 65535 ? port - 1 : port + 1 })).rejects.toThrow(new RegExp(`served on port ${port}`));
  });

  it("refuses a file of another version or a damaged one, naming the file", async () => {
    const file = stateFile();
    writeFileSync(file, JSON.stringify({ format: "exchange-simulator-state", version: stateVersion + 1, port: 0, mailboxes: [] }));
    await expect(startExchangeSimulator({ stateFile: file })).rejects.toThrow(StateFileError);
    await expect(startExchangeSimulator({ stateFile: file })).rejects.toThrow(file);
    writeFileSync(file, "{ half a state");
    await expect(startExchangeSimulator({ stateFile: file })).rejects.toThrow(/not valid JSON/);
    expect(existsSync(file)).toBe(true);
  });
});
