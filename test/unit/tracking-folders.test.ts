/** Folder-level tracking rules: where a folder sits, which hierarchy changes concern a mapping, and what follows. */
import { describe, expect, it } from "vitest";
import {
  concernsMapping, cursorKeyOf, folderPath, folderRegarding, folderTrackingRefusal, followMapping, placeFolder,
  type FolderNode, type HierarchyChange,
} from "../../shared/domain/tracking/tracked-folders.js";
import { inboxFolder, sentItemsFolder } from "../../shared/domain/tracking/synced-folder.js";

const inbox = { id: "inbox-id", displayName: "Inbox" };
const node = (id: string, displayName: string, parentFolderId: string): FolderNode => ({ id, displayName, parentFolderId });
const contoso = node("contoso", "Contoso", "customers");
const customers = node("customers", "Customers", "inbox-id");
const mapped = { ancestry: [inbox, { id: "customers", displayName: "Customers" }, { id: "contoso", displayName: "Contoso" }] };

describe("placeFolder", () => {
  it.each([
    ["a folder directly under the Inbox", [customers], { kind: "underInbox", ancestry: [inbox, { id: "customers", displayName: "Customers" }] }],
    ["a folder two levels down", [contoso, customers], { kind: "underInbox", ancestry: mapped.ancestry }],
    ["the Inbox itself", [node("inbox-id", "Inbox", "top")], { kind: "inbox" }],
    ["a folder under Archive (the chain ends at the top)", [node("x", "X", "archive"), node("archive", "Archive", "top")], { kind: "notUnderInbox" }],
    ["a folder whose parent is gone", [node("x", "X", "vanished")], { kind: "notUnderInbox" }],
    ["nothing: the folder is gone", [], { kind: "gone" }],
  ])("%s", (_name, chain, expected) => {
    expect(placeFolder(chain as FolderNode[], inbox)).toEqual(expected);
  });

  it("shows the path from the Inbox down, names as they are (a name may hold a slash)", () => {
    const placed = placeFolder([node("a", "A/B", "inbox-id")], inbox);
    expect(placed.kind === "underInbox" && folderPath(placed)).toEqual(["Inbox", "A/B"]);
  });
});

describe("concernsMapping", () => {
  const changes = (...entries: HierarchyChange[]) => new Map(entries.map((entry) => [entry.id, entry]));
  it.each([
    ["nothing reported", changes(), false],
    ["an unrelated folder renamed", changes(node("other", "Other", "inbox-id")), false],
    ["the folder reported unchanged (e.g. its counts changed)", changes(contoso), false],
    ["the Inbox reported (it cannot move)", changes(node("inbox-id", "Inbox", "top")), false],
    ["the folder renamed", changes(node("contoso", "Contoso Ltd", "customers")), true],
    ["the folder moved", changes(node("contoso", "Contoso", "inbox-id")), true],
    ["a folder above it renamed", changes(node("customers", "Clients", "inbox-id")), true],
    ["a folder above it moved", changes(node("customers", "Customers", "archive")), true],
    ["the folder deleted", changes({ id: "contoso", removed: true }), true],
  ])("%s → %s", (_name, reported, expected) => {
    expect(concernsMapping(mapped, reported)).toBe(expected);
  });
});

describe("followMapping", () => {
  it.each([
    ["placed where it was", { kind: "underInbox", ancestry: mapped.ancestry }, { action: "keep" }],
    ["renamed", { kind: "underInbox", ancestry: [inbox, mapped.ancestry[1]!, { id: "contoso", displayName: "Contoso Ltd" }] }, { action: "update", ancestry: [inbox, mapped.ancestry[1]!, { id: "contoso", displayName: "Contoso Ltd" }] }],
    ["moved up, still under the Inbox", { kind: "underInbox", ancestry: [inbox, { id: "contoso", displayName: "Contoso" }] }, { action: "update", ancestry: [inbox, { id: "contoso", displayName: "Contoso" }] }],
    ["moved out from under the Inbox", { kind: "notUnderInbox" }, { action: "drop", reason: "movedOutOfInbox" }],
    ["deleted", { kind: "gone" }, { action: "drop", reason: "deleted" }],
  ] as const)("%s", (_name, placement, expected) => {
    expect(followMapping(mapped, placement as never)).toEqual(expected);
  });
});

describe("the folders a cycle reads", () => {
  const tracked = { kind: "tracked" as const, key: "AAMkA/folder+id=", regarding: { type: "account", id: "a1" } };
  it("mail in a tracked folder is regarding its record; in the Inbox and Sent Items, regarding nothing", () => {
    expect(folderRegarding(tracked)).toEqual({ type: "account", id: "a1" });
    expect(folderRegarding(inboxFolder)).toBeUndefined();
    expect(folderRegarding(sentItemsFolder)).toBeUndefined();
  });

  it("a tracked folder's cursor key is safe for Table Storage; the Inbox and Sent Items keep theirs", () => {
    expect(cursorKeyOf(inboxFolder)).toBe("inbox");
    expect(cursorKeyOf(sentItemsFolder)).toBe("sentitems");
    expect(cursorKeyOf(tracked)).toMatch(/^folder\|[A-Za-z0-9_-]+$/);
  });

  it("refuses folder-level tracking for queues only", () => {
    expect(folderTrackingRefusal("queue")).toMatch(/queue/);
    expect(folderTrackingRefusal("user")).toBeUndefined();
  });
});
