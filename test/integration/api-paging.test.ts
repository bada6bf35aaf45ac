/** Paging of every list route over real HTTP against Azurite: pageSize, and continuation tokens bound to their list. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiServer } from "../support/api-server.js";
import { startSyncHarness, trackEverything, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  // The emails lists page over tracked mail: every message delivered here is tracked.
  h = await startSyncHarness({ tracking: trackEverything });
  api = await startApiServer(h.runtime);
  for (const id of ["p-a", "p-b", "p-c"]) expect((await api.call("PUT", `profiles/${id}`, { name: `Profile ${id}` })).status).toBe(201);
  for (const local of ["ann", "bob"]) {
    await h.addMailbox(local);
    for (let i = 0; i < 3; i++) h.sim.deliverMessage({ mailbox: `${local}@contoso.example`, subject: `${local} ${i}`, from: { address: "c@fabrikam.example" } });
    await h.runIncoming(`mbx-${local}`);
  }
  for (const [ownerId, count] of [["owner-a", 3], ["owner-b", 1]] as const) {
    for (let i = 0; i < count; i++) expect((await api.call("POST", "contacts", { ownerId, firstName: `Pat ${i}` })).status).toBe(201);
  }
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

/** Every list route, with the filters that make it one list. */
const lists = ["profiles", "mailboxes", "alerts", "emails?mailboxId=mbx-ann", "contacts?ownerId=owner-a", "appointments?ownerId=owner-a", "tasks?ownerId=owner-a"];
const withQuery = (route: string, query: string) => `${route}${route.includes("?") ? "&" : "?"}${query}`;

async function everyPage(route: string, pageSize: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let token: string | null = null;
  let pages = 0;
  do {
    const response = await api.call("GET", withQuery(route, `pageSize=${pageSize}${token ? `&continuationToken=${encodeURIComponent(token)}` : ""}`));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    ids.push(...response.body.items.map((item: { id: string }) => item.id));
    token = response.body.continuationToken;
    pages++;
  } while (token);
  return { ids, pages };
}

async function firstToken(route: string): Promise<string> {
  const response = await api.call("GET", withQuery(route, "pageSize=1"));
  expect(response.body.continuationToken, route).toEqual(expect.any(String));
  return response.body.continuationToken;
}

function expectTokenRefused(response: { status: number; body: any }) {
  expect(response.status).toBe(400);
  expect(response.body.error.field).toBe("continuationToken");
}

describe("continuation tokens", () => {
  it.each(["profiles", "mailboxes", "emails?mailboxId=mbx-ann", "contacts?ownerId=owner-a"])("%s: pages of 1 hold every item once, in the order of one page", async (route) => {
    const whole = await api.call("GET", withQuery(route, "pageSize=1000"));
    const paged = await everyPage(route, 1);
    expect(paged.ids).toEqual(whole.body.items.map((item: { id: string }) => item.id));
    expect(paged.ids.length).toBeGreaterThan(1);
    expect(paged.pages).toBeGreaterThanOrEqual(paged.ids.length);
  });

  const handMade = [
    ["base64 of a number as partition key", Buffer.from(JSON.stringify({ nextPartitionKey: 123 })).toString("base64")],
    ["base64 of storage's own shape", Buffer.from(JSON.stringify({ nextPartitionKey: "profile", nextRowKey: "p-b" })).toString("base64")],
    ["not JSON", Buffer.from("nextPartitionKey").toString("base64url")],
    ["not base64", "%%%"],
    ["empty", ""],
  ];
  it.each(lists.flatMap((route) => handMade.map(([what, token]) => [route, what, token] as const)))("%s: a hand-made token (%s) is a 400 naming continuationToken", async (route, _what, token) => {
    expectTokenRefused(await api.call("GET", withQuery(route, `continuationToken=${encodeURIComponent(token!)}`)));
  });

  it("a token from another mailbox's emails is refused, not read as this mailbox's", async () => {
    const token = await firstToken("emails?mailboxId=mbx-ann");
    expectTokenRefused(await api.call("GET", `emails?mailboxId=mbx-bob&continuationToken=${encodeURIComponent(token)}`));
    expect((await api.call("GET", `emails?mailboxId=mbx-ann&continuationToken=${encodeURIComponent(token)}`)).status).toBe(200);
  });

  it("a token from another owner's, another type's or another route's list is refused", async () => {
    const contacts = await firstToken("contacts?ownerId=owner-a");
    expectTokenRefused(await api.call("GET", `contacts?ownerId=owner-b&continuationToken=${encodeURIComponent(contacts)}`));
    expectTokenRefused(await api.call("GET", `tasks?ownerId=owner-a&continuationToken=${encodeURIComponent(contacts)}`));
    const mailboxes = await firstToken("mailboxes");
    expectTokenRefused(await api.call("GET", `alerts?continuationToken=${encodeURIComponent(mailboxes)}`));
    expectTokenRefused(await api.call("GET", `profiles?continuationToken=${encodeURIComponent(mailboxes)}`));
    expectTokenRefused(await api.call("GET", `mailboxes?profileId=p-a&continuationToken=${encodeURIComponent(mailboxes)}`));
  });

  it("a token still works with another pageSize (the page size is not part of the list)", async () => {
    const token = await firstToken("profiles");
    const rest = await api.call("GET", `profiles?pageSize=1000&continuationToken=${encodeURIComponent(token)}`);
    expect(rest.status).toBe(200);
    expect(rest.body.items.length).toBe(3);
  });
});

describe("pageSize", () => {
  it.each(["1e2", "0x10", "", " 5", "5.0", "+5", "-1", "0", "1001", "ten"])("pageSize=%j is a 400 naming pageSize", async (value) => {
    for (const route of lists) {
      const response = await api.call("GET", withQuery(route, `pageSize=${encodeURIComponent(value)}`));
      expect(response.status, route).toBe(400);
      expect(response.body.error.field).toBe("pageSize");
      expect(response.body.error.message).toMatch(/whole number from 1 to 1000/);
    }
  });

  it("profiles honour pageSize like the other lists", async () => {
    const page = await api.call("GET", "profiles?pageSize=2");
    expect(page.body.items).toHaveLength(2);
    expect(page.body.continuationToken).toEqual(expect.any(String));
    expect((await api.call("GET", "profiles?pageSize=0100")).body.items).toHaveLength(4);
  });
});
