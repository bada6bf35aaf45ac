/**
 * Everything the simulator emits must exist in Microsoft's Graph v1.0 metadata with a fitting value,
 * so the product is never tested against properties or shapes the real service does not have.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachmentProperties, baseAttachmentProperties } from "../tools/exchange-simulator/attachment-endpoints.js";
import { messageProperties, folderProperties, userProperties } from "../tools/exchange-simulator/graph-json.js";
import { calendarProperties, contactFolderProperties, todoTaskListProperties } from "../tools/exchange-simulator/probe-endpoints.js";
import { contactProperties } from "../tools/exchange-simulator/contact-json.js";
import { eventProperties } from "../tools/exchange-simulator/event-json.js";
import { linkedResourceProperties, todoTaskProperties } from "../tools/exchange-simulator/task-json.js";
import { subscriptionProperties } from "../tools/exchange-simulator/subscription-model.js";
import { startReceiver } from "../simulator/notification-receiver.js";
import { rawGraph, startFixture, tokenForNewApp, waitUntil, type SimulatorFixture } from "../simulator/simulator-fixture.js";
import { propertyViolations, resolveType, shapeViolations } from "./graph-contract.js";
import { attachmentListSelect } from "../../shared/sync/incoming/attachment-import.js";

let f: SimulatorFixture;
let messageId: string;
beforeAll(async () => {
  f = await startFixture();
  const colleague = { name: "Bob Example", address: f.bob.address };
  ({ id: messageId } = f.sim.deliverMessage({
    mailbox: f.alice.address,
    subject: "Every field",
    body: { contentType: "html", content: "<html><body><p>Hello &amp; welcome</p></body></html>" },
    from: { name: "Buyer", address: "buyer@fabrikam.example" },
    sender: { name: "Assistant", address: "assistant@fabrikam.example" },
    to: [{ name: "Alice Example", address: f.alice.address }],
    cc: [colleague],
    bcc: [{ address: "audit@contoso.example" }],
    replyTo: [{ name: "Sales desk", address: "sales@fabrikam.example" }],
    receivedDateTime: "2025-02-03T10:11:12Z",
    sentDateTime: "2025-02-03T10:11:00Z",
    internetMessageId: "<every-field@fabrikam.example>",
    conversationId: "AAQkAGEveryField=",
    sizeBytes: 123_456,
    headers: [{ name: "In-Reply-To", value: "<earlier@contoso.example>" }],
    isRead: true,
    importance: "high",
    categories: ["CRM", "Customer"],
    flagStatus: "flagged",
    hasAttachments: true,
    attachedFiles: [
      { name: "quote.pdf", contentType: "application/pdf", size: 2048 },
      { name: "logo.png", contentType: "image/png", contentBytes: Buffer.from("png").toString("base64"), isInline: true, contentId: "logo@contract" },
    ],
    attachedItems: [{ name: "Forwarded message" }],
    attachedLinks: [{ name: "Plan.docx" }],
  }));
  f.sim.deliverMessage({ mailbox: f.alice.address, subject: "plain", from: { address: "x@fabrikam.example" } });
});
afterAll(() => f.sim.close());

const sizeExpand = "$expand=singleValueExtendedProperties($filter=id eq 'Integer 0x0E08')";

function expectConforms(typeName: string, items: unknown[]): void {
  expect(items.length).toBeGreaterThan(0);
  expect(items.flatMap((item) => shapeViolations(typeName, item))).toEqual([]);
}

describe("the simulator's property lists", () => {
  it("name only real properties, and cover every structural property of graph.message", () => {
    expect(propertyViolations("message", [...messageProperties], { allowNavigation: false })).toEqual([]);
    expect(propertyViolations("mailFolder", [...folderProperties], { allowNavigation: false })).toEqual([]);
    expect(propertyViolations("user", [...userProperties], { allowNavigation: false })).toEqual([]);
    expect([...resolveType("message").properties.keys()].sort()).toEqual([...messageProperties].sort());
    const complete: Array<[string, readonly string[]]> = [
      ["fileAttachment", attachmentProperties],
      ["itemAttachment", baseAttachmentProperties],
      ["referenceAttachment", baseAttachmentProperties],
      ["calendar", calendarProperties],
      ["contactFolder", contactFolderProperties],
      ["todoTaskList", todoTaskListProperties],
      ["event", eventProperties],
      ["linkedResource", linkedResourceProperties],
      ["subscription", subscriptionProperties],
    ];
    for (const [type, names] of complete) {
      expect(propertyViolations(type, [...names], { allowNavigation: false })).toEqual([]);
      expect([...resolveType(type).properties.keys()].sort()).toEqual([...names].sort());
    }
    // Deliberately left out (see contact-json.ts and task-json.ts).
    const partial: Array<[string, readonly string[], string[]]> = [
      ["contact", contactProperties, ["primaryEmailAddress", "secondaryEmailAddress", "tertiaryEmailAddress"]],
      ["todoTask", todoTaskProperties, ["recurrence"]],
    ];
    for (const [type, names, omitted] of partial) {
      expect(propertyViolations(type, [...names], { allowNavigation: false })).toEqual([]);
      expect([...resolveType(type).properties.keys()].filter((p) => !omitted.includes(p)).sort()).toEqual([...names].sort());
    }
  });
});

describe("emitted JSON fits the Graph v1.0 metadata", () => {
  it("messages from get, list and delta, with and without $select/$expand", async () => {
    const u = `/users/${f.alice.address}`;
    const everything = messageProperties.join(",");
    const get = await rawGraph(f, `${u}/messages/${encodeURIComponent(messageId)}?$select=${everything}&${sizeExpand}`);
    expect(get.body.internetMessageHeaders.length).toBeGreaterThan(0);
    expect(get.body.singleValueExtendedProperties).toEqual([{ id: "Integer 0xe08", value: "123456" }]);
    const plainGet = await rawGraph(f, `${u}/messages/${encodeURIComponent(messageId)}`, { headers: { Prefer: 'outlook.body-content-type="text"' } });
    const list = await rawGraph(f, `${u}/mailFolders/inbox/messages?${sizeExpand}`);
    const delta = await rawGraph(f, `${u}/mailFolders/inbox/messages/delta?$select=${everything}&${sizeExpand}`);
    f.sim.moveMessage(f.alice.address, messageId, "archive");
    const removed = await rawGraph(f, delta.body["@odata.deltaLink"]);
    expect(removed.body.value.some((item: any) => item["@removed"])).toBe(true);
    expectConforms("message", [get.body, plainGet.body, ...list.body.value, ...delta.body.value, ...removed.body.value]);
    expectConforms("message", f.sim.listMessages(f.alice.address, "archive"));
  });

  it("mail folders, including expanded extended properties", async () => {
    const u = `/users/${f.alice.address}`;
    const created = await rawGraph(f, `${u}/mailFolders/inbox/childFolders`, { method: "POST", body: { displayName: "Contract" } });
    const propertyId = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name Marker";
    const patched = await rawGraph(f, `${u}/mailFolders/${encodeURIComponent(created.body.id)}`, {
      method: "PATCH",
      body: { singleValueExtendedProperties: [{ id: propertyId, value: "x" }] },
    });
    const expanded = await rawGraph(
      f,
      `${u}/mailFolders/${encodeURIComponent(created.body.id)}?$expand=singleValueExtendedProperties($filter=id eq '${propertyId}')`,
    );
    expect(expanded.body.singleValueExtendedProperties).toHaveLength(1);
    const top = await rawGraph(f, `${u}/mailFolders`);
    const children = await rawGraph(f, `${u}/mailFolders/inbox/childFolders`);
    const hierarchy = await rawGraph(f, `${u}/mailFolders/delta`);
    const selected = await rawGraph(f, `${u}/mailFolders/delta?$select=displayName,parentFolderId`);
    const moved = await rawGraph(f, `${u}/mailFolders/${encodeURIComponent(created.body.id)}/move`, { method: "POST", body: { destinationId: "archive" } });
    await rawGraph(f, `${u}/mailFolders/${encodeURIComponent(created.body.id)}/permanentDelete`, { method: "POST" });
    const removed = await rawGraph(f, hierarchy.body["@odata.deltaLink"]);
    expect(removed.body.value.some((item: any) => item["@removed"])).toBe(true);
    expectConforms("mailFolder", [created.body, patched.body, expanded.body, moved.body, ...top.body.value, ...children.body.value, ...hierarchy.body.value, ...selected.body.value, ...removed.body.value]);
  });

  it("delivered attachments of every kind, listed whole and with the engine's $select", async () => {
    const u = `/users/${f.alice.address}/messages/${encodeURIComponent(messageId)}/attachments`;
    const all = await rawGraph(f, u);
    expect(all.body.value.map((a: any) => a["@odata.type"])).toEqual([
      "#microsoft.graph.fileAttachment", "#microsoft.graph.fileAttachment", "#microsoft.graph.itemAttachment", "#microsoft.graph.referenceAttachment",
    ]);
    const selected = await rawGraph(f, `${u}?$select=${attachmentListSelect.join(",")}`);
    expect(selected.body.value[1]).toMatchObject({ isInline: true, contentId: "logo@contract" });
    expect(selected.body.value.every((a: any) => !("contentBytes" in a))).toBe(true);
    const one = await rawGraph(f, `${u}/${encodeURIComponent(all.body.value[2].id)}`);
    expectConforms("attachment", [...all.body.value, ...selected.body.value, one.body]);
    // A file's own property without the cast is Graph's parse error.
    const uncast = await rawGraph(f, `${u}?$select=id,contentId`);
    expect(uncast.status).toBe(400);
    expect(uncast.body.error.message).toBe("Could not find a property named 'contentId' on type 'microsoft.graph.attachment'.");
  });

  it("users, default and with every supported property selected", async () => {
    const shared = f.sim.addMailbox({ tenantId: f.tenantId, address: "shared@contoso.example", kind: "shared" });
    const plain = await rawGraph(f, `/users/${f.alice.id}`);
    const full = await rawGraph(f, `/users/${shared.id}?$select=${userProperties.join(",")}`);
    expectConforms("user", [plain.body, full.body]);
  });
});

describe("outgoing mail JSON fits the Graph v1.0 metadata", () => {
  const stamp = "String {8f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b} Name CrmActivityId";
  const stampExpand = `$expand=singleValueExtendedProperties($filter=id eq '${stamp}' or id eq 'Integer 0x0E08')`;

  it("drafts, their attachments, upload sessions and the sent items", async () => {
    const u = `/users/${f.alice.address}`;
    const draft = await rawGraph(f, `${u}/messages`, {
      method: "POST",
      body: {
        subject: "Contract draft",
        body: { contentType: "HTML", content: "<p>Hi</p>" },
        toRecipients: [{ emailAddress: { address: f.bob.address } }],
        singleValueExtendedProperties: [{ id: stamp, value: "c-1" }],
        internetMessageHeaders: [{ name: "X-Contract", value: "1" }],
        attachments: [{ "@odata.type": "#microsoft.graph.fileAttachment", name: "a.txt", contentBytes: Buffer.from("a").toString("base64") }],
      },
    });
    expect(draft.status).toBe(201);
    const id = encodeURIComponent(draft.body.id);
    const patched = await rawGraph(f, `${u}/messages/${id}`, { method: "PATCH", body: { subject: "Contract draft 2" } });
    const attachment = await rawGraph(f, `${u}/messages/${id}/attachments`, {
      method: "POST",
      body: { "@odata.type": "#microsoft.graph.fileAttachment", name: "b.txt", contentType: "text/plain", contentBytes: Buffer.from("b").toString("base64") },
    });
    const session = await rawGraph(f, `${u}/messages/${id}/attachments/createUploadSession`, {
      method: "POST",
      body: { AttachmentItem: { attachmentType: "file", name: "c.bin", size: 3 } },
    });
    expectConforms("uploadSession", [session.body]);
    // The upload URL is Outlook REST v2.0, not Graph: its chunk answers are checked in attachments.test.ts.
    const uploaded = await fetch(session.body.uploadUrl, { method: "PUT", headers: { "Content-Range": "bytes 0-2/3" }, body: Buffer.from("abc") });
    expect(uploaded.status).toBe(201);
    const attachments = await rawGraph(f, `${u}/messages/${id}/attachments`);
    expect(attachments.body.value.map((a: any) => a.contentBytes === null)).toEqual([false, false, true]);
    const one = await rawGraph(f, `${u}/messages/${id}/attachments/${encodeURIComponent(attachment.body.id)}`);
    expectConforms("attachment", [attachment.body, one.body, ...attachments.body.value]);

    const filter = `$filter=singleValueExtendedProperties/any(ep: ep/id eq '${stamp}' and ep/value eq 'c-1')`;
    const inDrafts = await rawGraph(f, `${u}/mailFolders/drafts/messages?${filter}&${stampExpand}`);
    expect((await rawGraph(f, `${u}/messages/${id}/send`, { method: "POST" })).status).toBe(202);
    await rawGraph(f, `${u}/sendMail`, {
      method: "POST",
      body: { message: { subject: "Contract sendMail", toRecipients: [{ emailAddress: { address: "x@fabrikam.example" } }] } },
    });
    const everything = messageProperties.join(",");
    const inSent = await rawGraph(f, `${u}/mailFolders/sentitems/messages?$select=${everything}&${stampExpand}`);
    expect(inSent.body.value.some((m: any) => m.singleValueExtendedProperties?.length === 2)).toBe(true);
    expectConforms("message", [draft.body, patched.body, ...inDrafts.body.value, ...inSent.body.value]);
    expectConforms("message", f.sim.listMessages(f.bob.address, "inbox"));
  });

  it("the probe endpoints", async () => {
    const { token } = await tokenForNewApp(f, ["Calendars.Read", "Contacts.Read", "Tasks.Read.All"]);
    f.sim.addContactFolder(f.alice.address, "Suppliers");
    const calendar = await rawGraph(f, `/users/${f.alice.address}/calendar`, { token });
    const contacts = await rawGraph(f, `/users/${f.alice.address}/contactFolders`, { token });
    const lists = await rawGraph(f, `/users/${f.alice.address}/todo/lists`, { token });
    expectConforms("calendar", [calendar.body]);
    expectConforms("contactFolder", contacts.body.value);
    expectConforms("todoTaskList", lists.body.value);
  });
});

describe("calendar, contact and task JSON fits the Graph v1.0 metadata", () => {
  const svep = "String {8f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b} Name CrmId";
  const expandStamp = `$expand=singleValueExtendedProperties($filter=id eq '${svep}')`;
  const window = "startDateTime=2025-03-01T00:00:00Z&endDateTime=2025-04-01T00:00:00Z";
  const at = (dateTime: string, timeZone = "W. Europe Standard Time") => ({ dateTime, timeZone });
  const all = (items: Array<{ body: any }>) => items.flatMap((r) => r.body.value ?? [r.body]);

  it("events: single, series master, occurrence, exception, views, delta and @removed", async () => {
    const { token } = await tokenForNewApp(f, ["Calendars.ReadWrite"]);
    const u = `/users/${f.bob.address}`;
    const get = (path: string, headers: Record<string, string> = {}) => rawGraph(f, path, { token, headers });
    const single = await rawGraph(f, `${u}/events`, { method: "POST", token, body: {
      subject: "single", body: { contentType: "html", content: "<p>x</p>" }, start: at("2025-03-04T10:00:00"), end: at("2025-03-04T11:00:00"),
      location: { displayName: "Room" }, attendees: [{ emailAddress: { address: "a@fabrikam.example" } }], singleValueExtendedProperties: [{ id: svep, value: "1" }],
    } });
    const master = await rawGraph(f, `${u}/events`, { method: "POST", token, body: {
      subject: "series", start: at("2025-03-03T09:00:00"), end: at("2025-03-03T09:30:00"),
      recurrence: { pattern: { type: "weekly", daysOfWeek: ["monday"] }, range: { type: "endDate", startDate: "2025-03-03", endDate: "2025-03-31" } },
    } });
    const delta = await get(`${u}/calendarView/delta?${window}`);
    const occurrences = delta.body.value.filter((e: any) => e.type === "occurrence");
    const exception = await rawGraph(f, `${u}/events/${encodeURIComponent(occurrences[0].id)}`, { method: "PATCH", token, body: { subject: "moved" } });
    await rawGraph(f, `${u}/events/${encodeURIComponent(occurrences[1].id)}`, { method: "DELETE", token });
    await rawGraph(f, `${u}/events/${encodeURIComponent(single.body.id)}`, { method: "DELETE", token });
    const next = await get(delta.body["@odata.deltaLink"]);
    expect(next.body.value.some((e: any) => e["@removed"])).toBe(true);
    const selected = await get(`${u}/events/${encodeURIComponent(master.body.id)}?$select=${eventProperties.join(",")}`, { Prefer: 'outlook.timezone="Eastern Standard Time"' });
    expect(selected.body.cancelledOccurrences).toHaveLength(1);
    const views = await Promise.all([
      get(`${u}/events?${expandStamp}`), get(`${u}/calendarView?${window}`), get(`${u}/events/${encodeURIComponent(master.body.id)}/instances?${window}`),
    ]);
    expectConforms("event", all([single, master, exception, next, selected, delta, ...views]));
    expectConforms("event", f.sim.listEvents(f.bob.address));
  });

  it("contacts, contact folders, delta and @removed", async () => {
    const { token } = await tokenForNewApp(f, ["Contacts.ReadWrite"]);
    const u = `/users/${f.bob.address}`;
    const folder = await rawGraph(f, `${u}/contactFolders`, { method: "POST", token, body: { displayName: "Contract" } });
    const contacts = `${u}/contactFolders/${encodeURIComponent(folder.body.id)}/contacts`;
    const created = await rawGraph(f, contacts, { method: "POST", token, body: {
      givenName: "A", surname: "B", emailAddresses: [{ address: "a@fabrikam.example" }], birthday: "1980-01-02T00:00:00Z",
      homeAddress: { city: "Oslo" }, businessPhones: ["1"], singleValueExtendedProperties: [{ id: svep, value: "1" }],
    } });
    const other = await rawGraph(f, contacts, { method: "POST", token, body: { companyName: "C" } });
    const delta = await rawGraph(f, `${contacts}/delta?${expandStamp}`, { token });
    await rawGraph(f, `${contacts}/${encodeURIComponent(other.body.id)}`, { method: "DELETE", token });
    const patched = await rawGraph(f, `${contacts}/${encodeURIComponent(created.body.id)}`, { method: "PATCH", token, body: { jobTitle: "x" } });
    const next = await rawGraph(f, delta.body["@odata.deltaLink"], { token });
    const list = await rawGraph(f, `${contacts}?${expandStamp}`, { token });
    expectConforms("contact", all([created, other, delta, patched, next, list]));
    expectConforms("contact", f.sim.listContacts(f.bob.address));
    const folders = await Promise.all([rawGraph(f, `${u}/contactFolders/contacts`, { token }), rawGraph(f, `${u}/contactFolders`, { token })]);
    expectConforms("contactFolder", all([folder, ...folders]));
  });

  it("To Do lists, tasks, linked resources, delta and @removed", async () => {
    const { token } = await tokenForNewApp(f, ["Tasks.ReadWrite.All"]);
    const u = `/users/${f.bob.address}`;
    const list = await rawGraph(f, `${u}/todo/lists`, { method: "POST", token, body: { displayName: "Contract" } });
    const tasks = `${u}/todo/lists/${encodeURIComponent(list.body.id)}/tasks`;
    const created = await rawGraph(f, tasks, { method: "POST", token, body: {
      title: "t", dueDateTime: at("2025-03-04T00:00:00"), startDateTime: at("2025-03-01T00:00:00"), reminderDateTime: at("2025-03-03T09:00:00"),
      linkedResources: [{ applicationName: "CRM", externalId: "1", displayName: "Case 1", webUrl: "https://crm.example/1" }],
    } });
    const other = await rawGraph(f, tasks, { method: "POST", token, body: { title: "u" } });
    const delta = await rawGraph(f, `${tasks}/delta?$expand=linkedResources`, { token });
    await rawGraph(f, `${tasks}/${encodeURIComponent(other.body.id)}`, { method: "DELETE", token });
    const done = await rawGraph(f, `${tasks}/${encodeURIComponent(created.body.id)}`, { method: "PATCH", token, body: { status: "completed" } });
    const next = await rawGraph(f, delta.body["@odata.deltaLink"], { token });
    const linked = `${tasks}/${encodeURIComponent(created.body.id)}/linkedResources`;
    const added = await rawGraph(f, linked, { method: "POST", token, body: { applicationName: "CRM", externalId: "2" } });
    const views = await Promise.all([rawGraph(f, `${tasks}?$expand=linkedResources`, { token }), rawGraph(f, tasks, { token })]);
    expectConforms("todoTask", all([created, other, delta, done, next, ...views]));
    expectConforms("todoTask", f.sim.listTasks(f.bob.address, list.body.id));
    expectConforms("linkedResource", all([added, await rawGraph(f, linked, { token })]));
    expectConforms("todoTaskList", all([list, await rawGraph(f, `${u}/todo/lists`, { token })]));
  });
});

describe("change notification JSON fits the Graph v1.0 metadata", () => {
  it("subscriptions from create, get, list and renew; change and lifecycle notifications", async () => {
    const receiver = await startReceiver();
    try {
      const { token } = await tokenForNewApp(f, ["Mail.Read", "Calendars.Read", "Contacts.Read"]);
      const create = (resource: string) => rawGraph(f, "/subscriptions", { method: "POST", token, body: {
        changeType: "created,updated,deleted", resource, notificationUrl: `${receiver.url}/n`, lifecycleNotificationUrl: `${receiver.url}/l`,
        expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(), clientState: "contract",
      } });
      const u = `/users/${f.bob.id}`;
      const created = await Promise.all([create(`${u}/messages`), create(`${u}/mailFolders('inbox')/messages`), create(`${u}/events`), create(`${u}/contacts`)]);
      expect(created.map((c) => c.status)).toEqual([201, 201, 201, 201]);
      const id = created[0]!.body.id;
      const renewed = await rawGraph(f, `/subscriptions/${id}`, { method: "PATCH", token, body: { expirationDateTime: new Date(Date.now() + 7_200_000).toISOString() } });
      const got = await rawGraph(f, `/subscriptions/${id}`, { token });
      const list = await rawGraph(f, "/subscriptions", { token });
      expectConforms("subscription", [...created.map((c) => c.body), renewed.body, got.body, ...list.body.value]);

      const message = f.sim.deliverMessage({ mailbox: f.bob.address, subject: "n", from: { address: "x@fabrikam.example" } });
      f.sim.moveMessage(f.bob.address, message.id, "archive");
      f.sim.createEvent(f.bob.address, { subject: "e", start: { dateTime: "2026-01-01T09:00:00", timeZone: "UTC" }, end: { dateTime: "2026-01-01T10:00:00", timeZone: "UTC" } });
      f.sim.createContact(f.bob.address, { givenName: "c" });
      for (const event of ["missed", "reauthorizationRequired", "subscriptionRemoved"] as const) f.sim.sendLifecycleNotification(id, event);
      await waitUntil(() => receiver.received("/n").length === 6 && receiver.received("/l").length === 3, "every notification");
      expectConforms("changeNotification", [...receiver.received("/n"), ...receiver.received("/l")]);
      expectConforms("changeNotificationCollection", receiver.batches.map((b) => ({ value: b.value })));
    } finally {
      f.sim.expireSubscriptions();
      await receiver.close();
    }
  });
});

describe("the contract checker itself", () => {
  it("flags unknown properties, wrong value types, bad enums and nulls in non-nullable slots", () => {
    expect(propertyViolations("message", ["subject", "size", "attachments"])).toEqual(["message.size is not a property of graph.message"]);
    const violations = shapeViolations("message", {
      id: null,
      subject: 5,
      receivedDateTime: "yesterday",
      importance: "urgent",
      conversationIndex: "not base64!",
      toRecipients: [{ emailAddress: { address: 1 } }],
      flag: { flagStatus: "flagged", colour: "red" },
      sizeInBytes: 12,
      "@odata.etag": 'W/"x"',
    });
    expect(violations).toEqual([
      "message.id is null but not nullable",
      "message.subject = 5 is not a valid Edm.String",
      'message.receivedDateTime = "yesterday" is not a valid Edm.DateTimeOffset',
      'message.importance = "urgent" is not a member of enum graph.importance',
      'message.conversationIndex = "not base64!" is not a valid Edm.Binary',
      "message.toRecipients[0].emailAddress.address = 1 is not a valid Edm.String",
      "message.flag.colour is not a property of graph.followupFlag",
      "message.sizeInBytes is not a property of graph.message",
    ]);
  });
});
