import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureGraph, rawGraph, startFixture, tokenForNewApp as newAppToken, type SimulatorFixture } from "./simulator-fixture.js";

let f: SimulatorFixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.sim.close());

const tokenForNewApp = (roles: string[]) => newAppToken(f, roles);

describe("Graph wire format", () => {
  it("sends Graph's headers and content type, echoing client-request-id", async () => {
    const response = await rawGraph(f, `/users/${f.alice.address}/mailFolders/inbox`, {
      headers: { "client-request-id": "abc-123", Prefer: 'IdType="ImmutableId"' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(
      "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
    );
    expect(response.headers.get("client-request-id")).toBe("abc-123");
    expect(response.headers.get("request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("preference-applied")).toBe('IdType="ImmutableId"');
    expect(response.body["@odata.context"]).toContain("/v1.0/$metadata#");
  });

  it("uses the exact error envelope", async () => {
    const response = await rawGraph(f, "/users/nobody@contoso.example/mailFolders/inbox", { headers: { "client-request-id": "req-9" } });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      error: {
        code: "ErrorInvalidUser",
        message: "The requested user 'nobody@contoso.example' is invalid.",
        innerError: { date: expect.any(String), "request-id": response.headers.get("request-id"), "client-request-id": "req-9" },
      },
    });
  });
});

describe("users", () => {
  it("finds users by id or UPN, case-insensitively, honouring $select", async () => {
    const byUpn = await rawGraph(f, `/users/ALICE@Contoso.Example?$select=id,displayName,mail`);
    expect(byUpn.body).toEqual({
      "@odata.context": expect.stringContaining("$metadata#users(id,displayName,mail)/$entity"),
      id: f.alice.id,
      displayName: "Alice Example",
      mail: f.alice.address,
    });
    const byId = await fixtureGraph(f).api(`/users/${f.alice.id}`).get();
    expect(byId.userPrincipalName).toBe(f.alice.address);
    const missing = await rawGraph(f, "/users/ghost@contoso.example");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("Request_ResourceNotFound");
  });

  it("hides users of other tenants", async () => {
    const otherTenant = f.sim.addTenant();
    const stranger = f.sim.addMailbox({ tenantId: otherTenant, address: "stranger@fabrikam.example" });
    expect((await rawGraph(f, `/users/${stranger.id}/mailFolders/inbox`)).body.error.code).toBe("ErrorInvalidUser");
  });
});

describe("mail folders", () => {
  it("addresses well-known folders by name or id and reports counts", async () => {
    f.sim.deliverMessage({ mailbox: f.bob.address, subject: "a", from: { address: "x@fabrikam.example" } });
    f.sim.deliverMessage({ mailbox: f.bob.address, subject: "b", from: { address: "x@fabrikam.example" }, isRead: true });
    const inbox = await rawGraph(f, `/users/${f.bob.id}/mailFolders/Inbox`);
    expect(inbox.body).toMatchObject({ displayName: "Inbox", totalItemCount: 2, unreadItemCount: 1, childFolderCount: 0, isHidden: false });
    const byId = await rawGraph(f, `/users/${f.bob.id}/mailFolders/${encodeURIComponent(inbox.body.id)}`);
    expect(byId.body.id).toBe(inbox.body.id);
    const top = await rawGraph(f, `/users/${f.bob.id}/mailFolders`);
    expect(top.body.value.map((x: any) => x.displayName)).toEqual(
      expect.arrayContaining(["Inbox", "Sent Items", "Drafts", "Deleted Items", "Archive", "Junk Email", "Outbox"]),
    );
  });

  it("creates and lists child folders and stores extended properties", async () => {
    const graph = fixtureGraph(f);
    const created = await graph.api(`/users/${f.alice.address}/mailFolders/inbox/childFolders`).post({ displayName: "CRM" });
    expect(created).toMatchObject({ displayName: "CRM", parentFolderId: f.sim.folderId(f.alice.address, "inbox") });
    const duplicate = await rawGraph(f, `/users/${f.alice.address}/mailFolders/inbox/childFolders`, { method: "POST", body: { displayName: "crm" } });
    expect(duplicate.status).toBe(409);
    const children = await graph.api(`/users/${f.alice.address}/mailFolders/inbox/childFolders`).filter("displayName eq 'CRM'").get();
    expect(children.value.map((c: any) => c.id)).toEqual([created.id]);

    const propertyId = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name SyncMarker";
    await graph.api(`/users/${f.alice.address}/mailFolders/${created.id}`).patch({ singleValueExtendedProperties: [{ id: propertyId, value: "v1" }] });
    const withProperty = await graph
      .api(`/users/${f.alice.address}/mailFolders/${created.id}`)
      .expand(`singleValueExtendedProperties($filter=id eq '${propertyId}')`)
      .get();
    expect(withProperty.singleValueExtendedProperties).toEqual([{ id: propertyId, value: "v1" }]);
    const without = await graph.api(`/users/${f.alice.address}/mailFolders/${created.id}`).get();
    expect(without.singleValueExtendedProperties).toBeUndefined();
  });
});

describe("messages", () => {
  it("gets and lists messages with paging, $select and the size property", async () => {
    const mailbox = f.sim.addMailbox({ tenantId: f.tenantId, address: "lister@contoso.example" }).address;
    const huge = f.sim.deliverMessage({ mailbox, subject: "huge", from: { address: "x@fabrikam.example" }, sizeBytes: 150_000_000 });
    for (let i = 0; i < 4; i++) f.sim.deliverMessage({ mailbox, subject: `m${i}`, from: { address: "x@fabrikam.example" } });
    const single = await rawGraph(
      f,
      `/users/${mailbox}/messages/${encodeURIComponent(huge.id)}?$select=subject,internetMessageHeaders&$expand=singleValueExtendedProperties($filter=id eq 'Integer 0x0E08')`,
    );
    expect(single.body).toMatchObject({ id: huge.id, subject: "huge", singleValueExtendedProperties: [{ id: "Integer 0xe08", value: "150000000" }] });
    expect(single.body.internetMessageHeaders).toEqual(expect.arrayContaining([{ name: "Message-ID", value: huge.internetMessageId }]));

    const page1 = await rawGraph(f, `/users/${mailbox}/mailFolders/inbox/messages?$top=3&$select=subject`);
    expect(page1.body.value).toHaveLength(3);
    const page2 = await rawGraph(f, page1.body["@odata.nextLink"]);
    expect(page2.body.value).toHaveLength(2);
    expect(page2.body["@odata.nextLink"]).toBeUndefined();
    expect(Object.keys(page2.body.value[0]).sort()).toEqual(["@odata.etag", "id", "subject"]);
  });

  it("patches and moves messages, keeping the id", async () => {
    const mailbox = f.sim.addMailbox({ tenantId: f.tenantId, address: "mover@contoso.example" }).address;
    const { id } = f.sim.deliverMessage({ mailbox, subject: "move me", from: { address: "x@fabrikam.example" } });
    const graph = fixtureGraph(f);
    await graph.api(`/users/${mailbox}/messages/${id}`).patch({ isRead: true });
    const moved = await graph.api(`/users/${mailbox}/messages/${id}/move`).post({ destinationId: "archive" });
    expect(moved).toMatchObject({ id, isRead: true, parentFolderId: f.sim.folderId(mailbox, "archive") });
    expect(f.sim.listMessages(mailbox, "archive").map((m) => m.id)).toEqual([id]);
  });
});

describe("access control", () => {
  it("requires Mail permissions per endpoint", async () => {
    const { token } = await tokenForNewApp(["User.Read.All"]);
    const denied = await rawGraph(f, `/users/${f.alice.id}/mailFolders/inbox`, { token });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: "ErrorAccessDenied", message: "Access is denied. Check credentials and try again." });
    expect((await rawGraph(f, `/users/${f.alice.id}`, { token })).status).toBe(200);

    const reader = await tokenForNewApp(["Mail.Read"]);
    expect((await rawGraph(f, `/users/${f.alice.id}/mailFolders/inbox`, { token: reader.token })).status).toBe(200);
    const write = await rawGraph(f, `/users/${f.alice.id}/mailFolders/inbox/childFolders`, { token: reader.token, method: "POST", body: { displayName: "X" } });
    expect(write.status).toBe(403);
  });

  it("answers 403 outside the application access policy", async () => {
    const { clientId, token } = await tokenForNewApp(["Mail.ReadWrite"]);
    f.sim.setMailboxScope(clientId, [f.alice.address]);
    expect((await rawGraph(f, `/users/${f.alice.id}/mailFolders/inbox`, { token })).status).toBe(200);
    const outside = await rawGraph(f, `/users/${f.bob.id}/mailFolders/inbox`, { token });
    expect(outside.status).toBe(403);
    expect(outside.body.error).toMatchObject({ code: "ErrorAccessDenied", message: "Access to OData is disabled." });
    f.sim.setMailboxScope(clientId, null);
    expect((await rawGraph(f, `/users/${f.bob.id}/mailFolders/inbox`, { token })).status).toBe(200);
  });

  it("answers 404 MailboxNotEnabledForRESTAPI for on-premises and inactive mailboxes", async () => {
    for (const kind of ["onPremises", "inactive"] as const) {
      const mailbox = f.sim.addMailbox({ tenantId: f.tenantId, address: `${kind}@contoso.example`, kind });
      const response = await rawGraph(f, `/users/${mailbox.address}/mailFolders/inbox/messages/delta`);
      expect(response.status).toBe(404);
      expect(response.body.error).toMatchObject({
        code: "MailboxNotEnabledForRESTAPI",
        message: "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
      });
    }
  });
});
