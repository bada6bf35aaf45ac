import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deltaRound, fixtureGraph, rawGraph, startFixture, type SimulatorFixture } from "./simulator-fixture.js";

let f: SimulatorFixture;
let mailboxCount = 0;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.sim.close());

/** A fresh mailbox per test keeps sync state and throttling budgets independent. */
function newMailbox(): string {
  return f.sim.addMailbox({ tenantId: f.tenantId, address: `delta${++mailboxCount}@contoso.example` }).address;
}

function deliver(mailbox: string, subject: string, receivedDateTime?: string) {
  return f.sim.deliverMessage({ mailbox, subject, from: { name: "Customer", address: "buyer@fabrikam.example" }, receivedDateTime });
}

const inboxDelta = (mailbox: string, query = "") => `${f.sim.url}/v1.0/users/${mailbox}/mailFolders/inbox/messages/delta${query}`;
const pageSize = (n: number) => ({ Prefer: `odata.maxpagesize=${n}, IdType="ImmutableId"` });

describe("message delta", () => {
  it("pages the first round with nextLinks and ends with a deltaLink", async () => {
    const mailbox = newMailbox();
    const ids = Array.from({ length: 7 }, (_, i) => deliver(mailbox, `m${i}`).id);
    const first = await rawGraph(f, inboxDelta(mailbox), { headers: pageSize(3) });
    expect(first.status).toBe(200);
    expect(first.headers.get("preference-applied")).toContain("odata.maxpagesize=3");
    expect(first.body.value).toHaveLength(3);
    expect(first.body["@odata.nextLink"]).toMatch(new RegExp(`^${f.sim.url}/v1\\.0/.+/messages/delta\\?\\$skiptoken=`));
    expect(first.body["@odata.deltaLink"]).toBeUndefined();

    // Retrying a nextLink returns the same page.
    const second = await rawGraph(f, first.body["@odata.nextLink"]);
    const secondAgain = await rawGraph(f, first.body["@odata.nextLink"]);
    expect(secondAgain.body).toEqual(second.body);

    const round = await deltaRound(f, inboxDelta(mailbox), pageSize(3));
    expect(round.pages).toBe(3);
    expect(round.items.map((m) => m.id).sort()).toEqual([...ids].sort());
    expect(round.deltaLink).toMatch(/\/messages\/delta\?\$deltatoken=/);
  });

  it("reports only changes in incremental rounds, including updates, moves and deletes", async () => {
    const mailbox = newMailbox();
    const [keep, read, moved, softDeleted, hardDeleted] = ["keep", "read", "moved", "soft", "hard"].map((s) => deliver(mailbox, s).id);
    const initial = await deltaRound(f, inboxDelta(mailbox));
    expect(initial.items).toHaveLength(5);

    // No changes: a single empty page with a new deltaLink.
    const quiet = await rawGraph(f, initial.deltaLink);
    expect(quiet.body.value).toEqual([]);
    expect(quiet.body["@odata.deltaLink"]).toBeDefined();
    expect(quiet.body["@odata.nextLink"]).toBeUndefined();

    const added = deliver(mailbox, "new").id;
    f.sim.updateMessage(mailbox, read!, { isRead: true, categories: ["CRM"], flag: { flagStatus: "flagged" } });
    f.sim.moveMessage(mailbox, moved!, "archive");
    f.sim.deleteMessage(mailbox, softDeleted!);
    f.sim.deleteMessage(mailbox, hardDeleted!, { hard: true });
    const changes = await deltaRound(f, quiet.body["@odata.deltaLink"]);
    const byId = new Map(changes.items.map((item) => [item.id, item]));
    expect([...byId.keys()].sort()).toEqual([added, read, moved, softDeleted, hardDeleted].sort());
    expect(byId.has(keep)).toBe(false);
    expect(byId.get(read)).toMatchObject({ isRead: true, categories: ["CRM"], flag: { flagStatus: "flagged" }, subject: "read" });
    for (const gone of [moved, softDeleted, hardDeleted]) {
      expect(byId.get(gone)).toEqual({ "@odata.type": "#microsoft.graph.message", id: gone, "@removed": { reason: "deleted" } });
    }

    // The moved message keeps its id and shows up in the Archive folder's delta.
    const archive = await deltaRound(f, `${f.sim.url}/v1.0/users/${mailbox}/mailFolders/archive/messages/delta`);
    expect(archive.items.map((m) => m.id)).toEqual([moved]);
    expect(archive.items[0].parentFolderId).toBe(f.sim.folderId(mailbox, "archive"));
  });

  it("reports changes made while a round was paging in the next round", async () => {
    const mailbox = newMailbox();
    for (let i = 0; i < 4; i++) deliver(mailbox, `m${i}`);
    const first = await rawGraph(f, inboxDelta(mailbox), { headers: pageSize(2) });
    const lateArrival = deliver(mailbox, "late").id;
    const rest = await deltaRound(f, first.body["@odata.nextLink"]);
    expect(rest.items.map((m) => m.id)).not.toContain(lateArrival);
    const next = await deltaRound(f, rest.deltaLink);
    expect(next.items.map((m) => m.id)).toEqual([lateArrival]);
  });

  it("keeps the first request's $filter, $select and $expand for the whole sync", async () => {
    const mailbox = newMailbox();
    deliver(mailbox, "old", "2020-01-01T00:00:00Z");
    const recent = deliver(mailbox, "recent", "2024-06-01T00:00:00Z").id;
    const query =
      "?$filter=receivedDateTime ge 2024-01-01T00:00:00Z&$select=subject,receivedDateTime" +
      "&$expand=singleValueExtendedProperties($filter=id eq 'Integer 0x0E08')";
    const initial = await deltaRound(f, inboxDelta(mailbox, query));
    expect(initial.items.map((m) => m.id)).toEqual([recent]);
    const item = initial.items[0];
    expect(Object.keys(item).filter((k) => !k.startsWith("@")).sort()).toEqual(
      ["id", "receivedDateTime", "singleValueExtendedProperties", "subject"].sort(),
    );
    expect(item.singleValueExtendedProperties).toEqual([{ id: "Integer 0xe08", value: expect.stringMatching(/^\d+$/) }]);

    deliver(mailbox, "old again", "2019-01-01T00:00:00Z");
    const newer = deliver(mailbox, "newer", "2024-07-01T00:00:00Z").id;
    const next = await deltaRound(f, initial.deltaLink);
    expect(next.items.map((m) => m.id)).toEqual([newer]);
    expect(next.items[0].singleValueExtendedProperties).toHaveLength(1);
    expect(next.items[0].body).toBeUndefined();
  });

  it("rejects unsupported filters and unknown $select properties with Graph's codes", async () => {
    const mailbox = newMailbox();
    const badFilter = await rawGraph(f, inboxDelta(mailbox, "?$filter=subject eq 'x'"));
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.error.code).toBe("ErrorInvalidUrlQueryFilter");
    const badSelect = await rawGraph(f, inboxDelta(mailbox, "?$select=subject,size"));
    expect(badSelect.status).toBe(400);
    expect(badSelect.body.error).toMatchObject({
      code: "RequestBroker--ParseUri",
      message: "Could not find a property named 'size' on type 'microsoft.graph.message'.",
    });
  });

  it("answers 410 SyncStateNotFound for evicted skip and delta tokens", async () => {
    const mailbox = newMailbox();
    const other = newMailbox();
    for (let i = 0; i < 3; i++) deliver(mailbox, `m${i}`);
    const first = await rawGraph(f, inboxDelta(mailbox), { headers: pageSize(2) });
    const done = await deltaRound(f, inboxDelta(mailbox));
    const otherDone = await deltaRound(f, inboxDelta(other));
    f.sim.evictDeltaTokens(mailbox);
    for (const link of [first.body["@odata.nextLink"], done.deltaLink]) {
      const gone = await rawGraph(f, link);
      expect(gone.status).toBe(410);
      expect(gone.body.error.code).toBe("SyncStateNotFound");
      expect(gone.body.error.message).toMatch(/^The sync state .* was not found/);
    }
    expect((await rawGraph(f, otherDone.deltaLink)).status).toBe(200);
    // Starting over works.
    expect((await deltaRound(f, inboxDelta(mailbox))).items).toHaveLength(3);
  });

  it("repeats and shuffles items across pages when asked to", async () => {
    const mailbox = newMailbox();
    const ids = Array.from({ length: 6 }, (_, i) => deliver(mailbox, `m${i}`).id);
    f.sim.repeatDeltaItems(mailbox, true);
    const round = await deltaRound(f, inboxDelta(mailbox), pageSize(2));
    expect(round.items.length).toBeGreaterThan(ids.length);
    expect(new Set(round.items.map((m) => m.id))).toEqual(new Set(ids));
    f.sim.repeatDeltaItems(mailbox, false);
    expect((await deltaRound(f, inboxDelta(mailbox), pageSize(2))).items).toHaveLength(6);
  });

  it("works through the real Graph client's delta paging", async () => {
    const mailbox = newMailbox();
    for (let i = 0; i < 5; i++) deliver(mailbox, `m${i}`);
    const graph = fixtureGraph(f);
    let page = await graph.api(`/users/${mailbox}/mailFolders/inbox/messages/delta`).header("Prefer", "odata.maxpagesize=2").select("subject").get();
    const subjects: string[] = page.value.map((m: any) => m.subject);
    while (page["@odata.nextLink"]) {
      page = await graph.api(page["@odata.nextLink"]).get();
      subjects.push(...page.value.map((m: any) => m.subject));
    }
    expect(subjects.sort()).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    expect(page["@odata.deltaLink"]).toBeDefined();
  });
});
