/**
 * Outgoing mail through the real Graph client: sendMail, drafts stamped with the caller's own id
 * and found again by the extended-property filter, delivery inside the organisation, validation
 * and Exchange Online's sending limits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureGraph, rawGraph, startFixture, tokenForNewApp, type SimulatorFixture } from "./simulator-fixture.js";

let f: SimulatorFixture;
let count = 0;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.sim.close());

function newMailbox(fixture = f): string {
  return fixture.sim.addMailbox({ tenantId: fixture.tenantId, address: `out${++count}@contoso.example`, displayName: `Out ${count}` }).address;
}

const to = (...addresses: string[]) => addresses.map((address) => ({ emailAddress: { address } }));
const stampId = "String {8f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b} Name CrmActivityId";
const stampFilter = (value: string) => `singleValueExtendedProperties/any(ep: ep/id eq '${stampId}' and ep/value eq '${value}')`;
const header = (message: any, name: string) => (message.internetMessageHeaders as any[]).find((h) => h.name === name)?.value;

describe("sendMail", () => {
  it("answers 202, keeps a Sent Items copy and delivers Inbox copies inside the tenant", async () => {
    const [sender, colleague, auditor] = [newMailbox(), newMailbox(), newMailbox()];
    const response = await rawGraph(f, `/users/${sender}/sendMail`, {
      method: "POST",
      body: {
        message: {
          subject: "Quote 42",
          body: { contentType: "HTML", content: "<p>Please find the quote.</p>" },
          toRecipients: to(colleague),
          ccRecipients: [{ emailAddress: { name: "Buyer", address: "buyer@fabrikam.example" } }],
          bccRecipients: to(auditor),
          internetMessageHeaders: [{ name: "X-Crm-Id", value: "42" }],
          singleValueExtendedProperties: [
            { id: "String 0x1042", value: "<earlier@fabrikam.example>" },
            { id: stampId, value: "send-1" },
          ],
        },
      },
    });
    expect(response.status).toBe(202);
    expect(response.body).toBeUndefined();

    const [sent] = f.sim.listMessages(sender, "sentitems");
    expect(sent).toMatchObject({ subject: "Quote 42", isDraft: false, isRead: true, from: { emailAddress: { address: sender } } });
    expect(sent!.bccRecipients).toEqual([{ emailAddress: { name: auditor, address: auditor } }]);
    for (const recipient of [colleague, auditor]) {
      const [copy] = f.sim.listMessages(recipient, "inbox");
      expect(copy).toMatchObject({
        internetMessageId: sent!.internetMessageId,
        conversationId: sent!.conversationId,
        from: { emailAddress: { address: sender } },
        sender: { emailAddress: { address: sender } },
        isRead: false,
        bccRecipients: [],
      });
      expect(header(copy, "In-Reply-To")).toBe("<earlier@fabrikam.example>");
      expect(header(copy, "X-Crm-Id")).toBe("42");
      expect(header(copy, "Message-ID")).toBe(sent!.internetMessageId);
    }
    // The stamp stays on the sender's copy, where the product looks for it.
    const found = await fixtureGraph(f).api(`/users/${sender}/mailFolders/sentitems/messages`).filter(stampFilter("send-1")).get();
    expect(found.value.map((m: any) => m.id)).toEqual([sent!.id]);

    expect(f.sim.sentLog(sender)).toEqual([
      expect.objectContaining({
        from: sender,
        to: [colleague],
        cc: ["buyer@fabrikam.example"],
        bcc: [auditor],
        subject: "Quote 42",
        internetMessageId: sent!.internetMessageId,
        internalRecipients: [colleague, auditor],
        externalRecipients: ["buyer@fabrikam.example"],
        attachments: [],
      }),
    ]);
  });

  it("skips Sent Items when saveToSentItems is false", async () => {
    const [sender, colleague] = [newMailbox(), newMailbox()];
    await fixtureGraph(f)
      .api(`/users/${sender}/sendMail`)
      .post({ message: { subject: "No copy", toRecipients: to(colleague) }, saveToSentItems: false });
    expect(f.sim.listMessages(sender, "sentitems")).toEqual([]);
    expect(f.sim.listMessages(colleague, "inbox").map((m) => m.subject)).toEqual(["No copy"]);
    expect(f.sim.sentLog(sender)).toHaveLength(1);
  });

  it("refuses what Exchange refuses, sending nothing", async () => {
    const sender = newMailbox();
    const send = (message: object) => rawGraph(f, `/users/${sender}/sendMail`, { method: "POST", body: { message } });
    const none = await send({ subject: "nobody", toRecipients: [] });
    expect(none.status).toBe(400);
    expect(none.body.error).toMatchObject({
      code: "ErrorInvalidRecipients",
      message: "At least one recipient is not valid., A message can't be sent because it contains no recipients.",
    });
    const malformed = await send({ subject: "bad", toRecipients: to("bob@contoso.example", "not-an-address") });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({
      code: "ErrorInvalidRecipients",
      message:
        "At least one recipient is not valid., Recipient 'not-an-address' is not resolved. All recipients must be resolved before a message can be submitted.",
    });
    const header = await send({ subject: "h", toRecipients: to("x@fabrikam.example"), internetMessageHeaders: [{ name: "In-Reply-To", value: "<a@b>" }] });
    expect(header.status).toBe(400);
    expect(header.body.error).toMatchObject({
      code: "InvalidInternetMessageHeader",
      message: "The internet message header name 'In-Reply-To' should start with 'x-' or 'X-'.",
    });
    const tooLarge = await rawGraph(f, `/users/${sender}/sendMail`, {
      method: "POST",
      body: { message: { subject: "big", toRecipients: to("x@fabrikam.example"), body: { contentType: "text", content: "x".repeat(4_200_000) } } },
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error).toMatchObject({ code: "BadRequest", message: "The maximum request length supported is 4MB." });
    expect(f.sim.sentLog(sender)).toEqual([]);
  });

  it("needs Mail.Send", async () => {
    const sender = newMailbox();
    const { token } = await tokenForNewApp(f, ["Mail.ReadWrite"]);
    const denied = await rawGraph(f, `/users/${sender}/sendMail`, {
      method: "POST",
      token,
      body: { message: { subject: "x", toRecipients: to("x@fabrikam.example") } },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: "ErrorAccessDenied", message: "Access is denied. Check credentials and try again." });
    const draft = await rawGraph(f, `/users/${sender}/messages`, { method: "POST", token, body: { subject: "d", toRecipients: to("x@fabrikam.example") } });
    expect(draft.status).toBe(201);
    expect((await rawGraph(f, `/users/${sender}/messages/${encodeURIComponent(draft.body.id)}/send`, { method: "POST", token })).status).toBe(403);
    // Mail.Send alone sends but cannot write drafts.
    const sendOnly = await tokenForNewApp(f, ["Mail.Send"]);
    expect((await rawGraph(f, `/users/${sender}/messages`, { method: "POST", token: sendOnly.token, body: { subject: "d" } })).status).toBe(403);
    expect(
      (await rawGraph(f, `/users/${sender}/sendMail`, { method: "POST", token: sendOnly.token, body: { message: { toRecipients: to("x@fabrikam.example") } } }))
        .status,
    ).toBe(202);
  });
});

describe("drafts", () => {
  it("are stamped, found by the extended-property filter, sent, and found again in Sent Items", async () => {
    const [sender, colleague] = [newMailbox(), newMailbox()];
    const graph = fixtureGraph(f);
    const draft = await graph.api(`/users/${sender}/messages`).post({
      subject: "Draft 1",
      body: { contentType: "text", content: "Hello" },
      toRecipients: to(colleague, "customer@fabrikam.example"),
      singleValueExtendedProperties: [{ id: stampId, value: "crm-7" }],
    });
    expect(draft).toMatchObject({ subject: "Draft 1", isDraft: true, parentFolderId: f.sim.folderId(sender, "drafts") });

    const inDrafts = await graph.api(`/users/${sender}/mailFolders/drafts/messages`).filter(stampFilter("crm-7")).get();
    expect(inDrafts.value.map((m: any) => m.id)).toEqual([draft.id]);
    const anywhere = await graph.api(`/users/${sender}/messages`).filter(stampFilter("CRM-7")).get();
    expect(anywhere.value.map((m: any) => m.id)).toEqual([draft.id]);
    expect((await graph.api(`/users/${sender}/messages`).filter(stampFilter("crm-8")).get()).value).toEqual([]);
    const badFilter = await rawGraph(f, `/users/${sender}/messages?$filter=${encodeURIComponent("subject eq 'x'")}`);
    expect(badFilter.body.error.code).toBe("ErrorInvalidUrlQueryFilter");

    await graph.api(`/users/${sender}/messages/${draft.id}`).patch({ subject: "Draft 1 (final)" });
    const attachment = await graph.api(`/users/${sender}/messages/${draft.id}/attachments`).post({
      "@odata.type": "#microsoft.graph.fileAttachment",
      name: "terms.txt",
      contentType: "text/plain",
      contentBytes: Buffer.from("Terms and conditions").toString("base64"),
    });
    expect(attachment).toMatchObject({ name: "terms.txt", size: 20, isInline: false });
    const send = await rawGraph(f, `/users/${sender}/messages/${encodeURIComponent(draft.id)}/send`, { method: "POST" });
    expect(send.status).toBe(202);

    expect((await graph.api(`/users/${sender}/mailFolders/drafts/messages`).filter(stampFilter("crm-7")).get()).value).toEqual([]);
    const inSent = await graph
      .api(`/users/${sender}/mailFolders/sentitems/messages`)
      .filter(stampFilter("crm-7"))
      .expand(`singleValueExtendedProperties($filter=id eq '${stampId}')`)
      .get();
    expect(inSent.value).toHaveLength(1);
    // Immutable ids: the sent item keeps the draft's id.
    expect(inSent.value[0]).toMatchObject({
      id: draft.id,
      subject: "Draft 1 (final)",
      isDraft: false,
      hasAttachments: true,
      singleValueExtendedProperties: [{ id: stampId, value: "crm-7" }],
    });
    const [copy] = f.sim.listMessages(colleague, "inbox");
    expect(copy!.internetMessageId).toBe(inSent.value[0].internetMessageId);
    const copied = await graph.api(`/users/${colleague}/messages/${copy!.id}/attachments`).get();
    expect(copied.value.map((a: any) => [a.name, Buffer.from(a.contentBytes, "base64").toString()])).toEqual([["terms.txt", "Terms and conditions"]]);
    expect(f.sim.sentLog(sender).map((e) => e.externalRecipients)).toEqual([["customer@fabrikam.example"]]);
  });

  it("only lets drafts change their content, and only drafts be sent", async () => {
    const mailbox = newMailbox();
    // A size the test chose (even one over the sending limit) survives updates.
    const { id } = f.sim.deliverMessage({ mailbox, subject: "received", from: { address: "x@fabrikam.example" }, sizeBytes: 200_000_000 });
    const patch = await rawGraph(f, `/users/${mailbox}/messages/${encodeURIComponent(id)}`, { method: "PATCH", body: { subject: "changed" } });
    expect(patch.status).toBe(400);
    expect(patch.body.error.code).toBe("ErrorInvalidPropertyUpdateSentMessage");
    const stamp = await rawGraph(f, `/users/${mailbox}/messages/${encodeURIComponent(id)}`, {
      method: "PATCH",
      body: { singleValueExtendedProperties: [{ id: stampId, value: "linked" }], isRead: true },
    });
    expect(stamp.status).toBe(200);
    expect((await fixtureGraph(f).api(`/users/${mailbox}/messages`).filter(stampFilter("linked")).get()).value).toHaveLength(1);
    const size = await rawGraph(f, `/users/${mailbox}/messages/${encodeURIComponent(id)}?$expand=singleValueExtendedProperties($filter=id eq 'Integer 0x0E08')`);
    expect(size.body.singleValueExtendedProperties).toEqual([{ id: "Integer 0xe08", value: "200000000" }]);
    const send = await rawGraph(f, `/users/${mailbox}/messages/${encodeURIComponent(id)}/send`, { method: "POST" });
    expect(send.status).toBe(400);
    expect(send.body.error.code).toBe("ErrorInvalidItemForOperationSendItem");
  });

  it("are not kept in Sent Items when the mailbox does not save sent items", async () => {
    const [sender, colleague] = [newMailbox(), newMailbox()];
    f.sim.setSaveToSentItems(sender, false);
    const graph = fixtureGraph(f);
    const draft = await graph.api(`/users/${sender}/messages`).post({ subject: "gone", toRecipients: to(colleague) });
    await graph.api(`/users/${sender}/messages/${draft.id}/send`).post({});
    expect(f.sim.listMessages(sender, "sentitems")).toEqual([]);
    expect(f.sim.listMessages(sender, "drafts")).toEqual([]);
    expect(f.sim.listMessages(colleague, "inbox")).toHaveLength(1);
  });

  it("can be deleted", async () => {
    const mailbox = newMailbox();
    const draft = await fixtureGraph(f).api(`/users/${mailbox}/messages`).post({ subject: "discard" });
    expect((await rawGraph(f, `/users/${mailbox}/messages/${encodeURIComponent(draft.id)}`, { method: "DELETE" })).status).toBe(204);
    expect(f.sim.listMessages(mailbox, "deleteditems").map((m) => m.id)).toEqual([draft.id]);
  });
});

describe("sending limits", () => {
  it("refuses the 31st message in a minute with 429 ErrorExceededMessageLimit until the window moves", async () => {
    let clock = Date.parse("2025-04-01T08:00:00Z");
    const timed = await startFixture({ now: () => clock });
    try {
      const sender = newMailbox(timed);
      const sendOne = () =>
        rawGraph(timed, `/users/${sender}/sendMail`, { method: "POST", body: { message: { subject: "m", toRecipients: to("x@fabrikam.example") } } });
      for (let i = 0; i < 30; i++) {
        expect((await sendOne()).status).toBe(202);
        clock += 1000;
      }
      const refused = await sendOne();
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe("ErrorExceededMessageLimit");
      // The first send (30 s ago) leaves the one-minute window in 30 s.
      expect(refused.headers.get("retry-after")).toBe("30");
      expect(timed.sim.sentLog(sender)).toHaveLength(30);
      clock += 30_000;
      expect((await sendOne()).status).toBe(202);
    } finally {
      await timed.sim.close();
    }
  });

  it("counts recipients over a rolling 24 hours, and the limits are configurable", async () => {
    let clock = Date.parse("2025-04-01T08:00:00Z");
    const timed = await startFixture({ now: () => clock });
    try {
      timed.sim.setTokenLifetime(7 * 24 * 3600);
      timed.sim.setSendingLimits({ recipientsPerDay: 5 });
      const sender = newMailbox(timed);
      const sendTo = (n: number) =>
        rawGraph(timed, `/users/${sender}/sendMail`, {
          method: "POST",
          body: { message: { subject: "m", toRecipients: to(...Array.from({ length: n }, (_, i) => `r${i}@fabrikam.example`)) } },
        });
      expect((await sendTo(3)).status).toBe(202);
      clock += 3600_000;
      expect((await sendTo(2)).status).toBe(202);
      const refused = await sendTo(1);
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe("ErrorExceededMessageLimit");
      expect(refused.headers.get("retry-after")).toBe(String(23 * 3600));
      clock += 23 * 3600_000;
      expect((await sendTo(3)).status).toBe(202);
    } finally {
      await timed.sim.close();
    }
  });
});
