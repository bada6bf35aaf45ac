/**
 * Every property the engine selects or reads on a Graph resource exists on that type in
 * Microsoft's Graph v1.0 metadata (copy under test/contract, source noted in its README).
 */
import { describe, expect, it } from "vitest";
import { incomingMessageExpand, incomingMessageSelect, type GraphMessage } from "../../shared/graph/message-fields.js";
import { folderSelect } from "../../shared/sync/incoming/folder-placement.js";
import { appointmentAdapter, contactAdapter, taskAdapter } from "../../shared/sync/act/act-adapters.js";
import { attachmentListSelect } from "../../shared/sync/incoming/attachment-import.js";
import { propertyViolations, shapeViolations } from "./graph-contract.js";

describe("engine ↔ Graph v1.0 contract", () => {
  it("the incoming workload's $select names only graph.message properties", () => {
    expect(propertyViolations("message", [...incomingMessageSelect])).toEqual([]);
  });

  it("the incoming workload's $expand names a graph.message navigation property", () => {
    const navigation = /^([A-Za-z]+)\(/.exec(incomingMessageExpand)?.[1];
    expect(navigation).toBe("singleValueExtendedProperties");
    expect(propertyViolations("message", [navigation!])).toEqual([]);
  });

  it("every field the engine reads from a message is a graph.message property", () => {
    // Keys of the GraphMessage shape the mapping reads, kept in step with message-fields.ts.
    const read: Array<keyof GraphMessage> = [
      "id", "internetMessageId", "conversationId", "conversationIndex", "subject", "from", "sender", "toRecipients", "ccRecipients",
      "bccRecipients", "receivedDateTime", "sentDateTime", "body", "parentFolderId", "isDraft", "hasAttachments", "singleValueExtendedProperties",
    ];
    expect(propertyViolations("message", read.map(String))).toEqual([]);
  });

  it("the attachment list selects graph.attachment properties, and a file's own only through its type", () => {
    const plain = attachmentListSelect.filter((name) => !name.includes("/"));
    expect(propertyViolations("attachment", plain)).toEqual([]);
    const cast = attachmentListSelect.filter((name) => name.includes("/")).map((name) => name.split("/") as [string, string]);
    expect(cast.length).toBeGreaterThan(0);
    for (const [type, property] of cast) {
      expect(type).toBe("microsoft.graph.fileAttachment");
      expect(propertyViolations("fileAttachment", [property])).toEqual([]);
      // Uncast, Graph refuses it: the property is not on the base type.
      expect(propertyViolations("attachment", [property])).not.toEqual([]);
    }
  });

  it("the ACT workload writes only properties of graph.event, graph.contact and graph.todoTask", () => {
    const zoned = { dateTime: "2026-12-01T09:00:00", timeZone: "UTC" };
    const event = appointmentAdapter.toGraph({ subject: "s", start: zoned, end: zoned, isAllDay: false, requiredAttendees: [{ address: "a@b.example" }], optionalAttendees: [], status: "scheduled", categories: [], location: "x" }, "r1", "create");
    expect(propertyViolations("event", [...Object.keys(event), "transactionId"])).toEqual([]);
    expect(shapeViolations("event", { ...event, id: "e1" })).toEqual([]);
    const contact = contactAdapter.toGraph({ firstName: "a", emails: [{ address: "a@b.example" }], businessAddress: { city: "Oslo" }, status: "active" }, "r2", "create");
    expect(propertyViolations("contact", Object.keys(contact))).toEqual([]);
    expect(shapeViolations("contact", { ...contact, id: "c1" })).toEqual([]);
    const task = taskAdapter.toGraph({ subject: "t", status: "notStarted", importance: "normal", due: zoned }, "r3", "create");
    expect(propertyViolations("todoTask", Object.keys(task))).toEqual([]);
  });

  it("a To Do task update sends what the documented update takes: no linkedResources, an HTML body", () => {
    const fields = { subject: "t", body: { contentType: "text" as const, content: "Call <Pat> & ask\nabout the quote" }, status: "notStarted" as const, importance: "normal" as const };
    const update = taskAdapter.toGraph(fields, "r3", "update");
    expect(Object.keys(update)).not.toContain("linkedResources");
    expect(update.body).toEqual({ contentType: "html", content: "Call &lt;Pat&gt; &amp; ask<br>about the quote" });
    // The create carries the CRM stamp as its one linked resource, as the docs' create sample does.
    expect(taskAdapter.toGraph(fields, "r3", "create").linkedResources).toEqual([expect.objectContaining({ externalId: "r3" })]);
  });

  it("folder-level tracking reads only graph.mailFolder properties (hierarchy delta, placement, Inbox)", () => {
    expect(propertyViolations("mailFolder", [...folderSelect])).toEqual([]);
  });

  it("the check itself rejects a misspelt property", () => {
    expect(propertyViolations("message", ["recievedDateTime"])).not.toEqual([]);
  });
});
