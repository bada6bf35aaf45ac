/**
 * Every property the engine selects or reads on a Graph resource exists on that type in
 * Microsoft's Graph v1.0 metadata (copy under test/contract, source noted in its README).
 */
import { describe, expect, it } from "vitest";
import { incomingMessageExpand, incomingMessageSelect, type GraphMessage } from "../../shared/graph/message-fields.js";
import { propertyViolations } from "./graph-contract.js";

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
      "id", "internetMessageId", "conversationId", "subject", "from", "sender", "toRecipients", "ccRecipients",
      "bccRecipients", "receivedDateTime", "sentDateTime", "body", "parentFolderId", "isDraft", "singleValueExtendedProperties",
    ];
    expect(propertyViolations("message", read.map(String))).toEqual([]);
  });

  it("the check itself rejects a misspelt property", () => {
    expect(propertyViolations("message", ["recievedDateTime"])).not.toEqual([]);
  });
});
