/**
 * One list row per (mailbox, activity), whatever the number of copies and whatever order the
 * writers that found them ran in: every interleaving of "save my copy, read the copies, merge my
 * proposal" must end in the same rows.
 */
import { describe, expect, it } from "vitest";
import { activityDirection, foundInMailboxes, type MessageCopy } from "../../shared/domain/email-activity.js";
import { mailboxesToList, mergeListing, proposedListing, sameListing, type MailboxListing } from "../../shared/domain/mailbox-listing.js";

const copy = (mailboxId: string, folder: "inbox" | "sentitems", receivedAt: string, graphMessageId = `${mailboxId}-${folder}-${receivedAt}`): MessageCopy => ({
  mailboxId,
  folder,
  direction: folder === "sentitems" ? "Outgoing" : "Incoming",
  graphMessageId,
  receivedAt,
});

type Step = { writer: number; kind: "save" | "read" | "merge" };

/** Every interleaving of the writers' three steps, each writer's steps in its own order. */
function interleavings(writers: number): Step[][] {
  const out: Step[][] = [];
  const kinds = ["save", "read", "merge"] as const;
  const walk = (done: number[], path: Step[]) => {
    if (path.length === writers * 3) return void out.push(path);
    for (let w = 0; w < writers; w++) if (done[w]! < 3) walk(done.map((d, i) => (i === w ? d + 1 : d)), [...path, { writer: w, kind: kinds[done[w]!] }]);
  };
  walk(Array(writers).fill(0), []);
  return out;
}

/** Runs the writers as folder-round.ts and EmailRepository.listFound do. */
function run(copies: MessageCopy[], order: Step[], crmEmail = false): Map<string, MailboxListing> {
  const saved: MessageCopy[] = [];
  const snapshots = new Map<number, MessageCopy[]>();
  const rows = new Map<string, MailboxListing>();
  for (const { writer, kind } of order) {
    const own = copies[writer]!;
    if (kind === "save") saved.push(own);
    else if (kind === "read") snapshots.set(writer, [...saved]);
    else {
      const seen = snapshots.get(writer)!;
      for (const mailboxId of mailboxesToList(own, seen)) {
        const proposed = proposedListing(mailboxId, { subject: "S", from: "a@x", crmEmail, copies: seen });
        if (proposed) rows.set(mailboxId, mergeListing(rows.get(mailboxId), proposed));
      }
    }
  }
  return rows;
}

function expected(copies: MessageCopy[], crmEmail = false): Map<string, MailboxListing> {
  const direction = crmEmail ? "Outgoing" : activityDirection(copies);
  return new Map(
    foundInMailboxes(copies).map((m) => [m.mailboxId, { receivedAt: m.receivedAt, direction, subject: "S", from: "a@x" }]),
  );
}

describe("a mailbox's list rows, whatever the order copies are processed in", () => {
  it.each([
    ["a redelivery to one Inbox", [copy("a", "inbox", "2026-11-01T10:01:00.000Z"), copy("a", "inbox", "2026-11-01T10:00:00.000Z")], false],
    ["sent to oneself: Sent Items and Inbox of one mailbox", [copy("a", "inbox", "2026-11-01T10:00:02.000Z"), copy("a", "sentitems", "2026-11-01T10:00:00.000Z")], false],
    ["internal mail: sender's Sent Items, recipient's Inbox", [copy("b", "inbox", "2026-11-01T10:00:02.000Z"), copy("a", "sentitems", "2026-11-01T10:00:00.000Z")], false],
    [
      "sent to oneself and a colleague",
      [copy("a", "inbox", "2026-11-01T10:00:02.000Z"), copy("b", "inbox", "2026-11-01T10:00:03.000Z"), copy("a", "sentitems", "2026-11-01T10:00:00.000Z")],
      false,
    ],
    ["two copies in one folder with one time", [copy("a", "inbox", "2026-11-01T10:00:00.000Z", "g1"), copy("a", "inbox", "2026-11-01T10:00:00.000Z", "g2")], false],
    ["external mail to two mailboxes", [copy("a", "inbox", "2026-11-01T10:00:00.000Z"), copy("b", "inbox", "2026-11-01T10:00:01.000Z")], false],
    ["CRM-sent email found in the recipient's Inbox only", [copy("b", "inbox", "2026-11-01T10:00:00.000Z")], true],
  ])("%s: every interleaving ends in one row per mailbox, earliest copy, the activity's direction", (_name, copies, crmEmail) => {
    const want = expected(copies, crmEmail);
    for (const order of interleavings(copies.length)) {
      expect(run(copies, order, crmEmail)).toEqual(want);
    }
  });
});

describe("merging list rows", () => {
  const row = (receivedAt: string, direction: "Incoming" | "Outgoing"): MailboxListing => ({ receivedAt, direction, subject: "S" });
  it.each([
    ["nothing stored: the proposal", undefined, row("2026-01-02", "Incoming"), row("2026-01-02", "Incoming")],
    ["an earlier copy moves the row earlier", row("2026-01-02", "Incoming"), row("2026-01-01", "Incoming"), row("2026-01-01", "Incoming")],
    ["a later copy leaves the time", row("2026-01-01", "Incoming"), row("2026-01-02", "Incoming"), row("2026-01-01", "Incoming")],
    ["Outgoing is never undone by an older view", row("2026-01-01", "Outgoing"), row("2026-01-01", "Incoming"), row("2026-01-01", "Outgoing")],
    ["Outgoing replaces Incoming", row("2026-01-01", "Incoming"), row("2026-01-03", "Outgoing"), row("2026-01-01", "Outgoing")],
  ])("%s", (_name, current, proposed, merged) => {
    expect(mergeListing(current, proposed)).toEqual(merged);
  });
  it("a proposal that changes nothing is recognised, so it writes nothing", () => {
    expect(sameListing(row("2026-01-01", "Outgoing"), mergeListing(row("2026-01-01", "Outgoing"), row("2026-01-02", "Incoming")))).toBe(true);
    expect(sameListing(undefined, row("2026-01-01", "Incoming"))).toBe(false);
  });
  it("no row for a mailbox without a copy", () => {
    expect(proposedListing("c", { subject: "S", crmEmail: false, copies: [copy("a", "inbox", "2026-01-01")] })).toBeUndefined();
  });
});

describe("the mailboxes an activity was found in", () => {
  it("groups copies by mailbox, earliest first, the same whatever the order", () => {
    const copies = [copy("a", "inbox", "2026-11-01T10:00:02.000Z"), copy("b", "inbox", "2026-11-01T10:00:03.000Z"), copy("a", "sentitems", "2026-11-01T10:00:00.000Z")];
    const grouped = foundInMailboxes(copies);
    expect(grouped).toEqual([
      {
        mailboxId: "a", folder: "sentitems", direction: "Outgoing", graphMessageId: copies[2]!.graphMessageId, receivedAt: "2026-11-01T10:00:00.000Z",
        copies: [copies[2], copies[0]].map(({ mailboxId: _m, ...rest }) => rest),
      },
      { mailboxId: "b", folder: "inbox", direction: "Incoming", graphMessageId: copies[1]!.graphMessageId, receivedAt: "2026-11-01T10:00:03.000Z", copies: [(({ mailboxId: _m, ...rest }) => rest)(copies[1]!)] },
    ]);
    expect(foundInMailboxes([...copies].reverse())).toEqual(grouped);
  });
});
