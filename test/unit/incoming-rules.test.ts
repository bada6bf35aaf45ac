import { describe, expect, it } from "vitest";
import { activityDirection, activityIdFor, directionOfFolder, estimatedMessageSize, exceedsIncomingLimit } from "../../shared/domain/email-activity.js";
import { effectiveProcessEmailsFrom, firstSyncFrom, workloadBlocker, newMailbox } from "../../shared/domain/mailbox.js";
import { actPollingBounds, adaptiveIntervalSeconds, dueKey, keepsQueuedRound, nextRunAfter, parseDueKey } from "../../shared/domain/schedule.js";
import { defaultActPolling, defaultIncomingPolling, defaultOutgoingPolling } from "../../shared/domain/profile.js";
import { isComplete, messageSize, threadingOf, toActivity } from "../../shared/sync/incoming/message-mapping.js";
import { inboxFolder } from "../../shared/domain/tracking/synced-folder.js";

describe("email activity identity and direction", () => {
  it("the same internet message id maps to one activity whatever the mailbox or case", () => {
    expect(activityIdFor("<A@x>", "m1", "g1")).toBe(activityIdFor("<a@x>", "m2", "g2"));
    expect(activityIdFor("<a@x>", "m1", "g1")).not.toBe(activityIdFor("<b@x>", "m1", "g1"));
  });
  it("mail without an internet message id is keyed by mailbox and item", () => {
    expect(activityIdFor(undefined, "m1", "g1")).not.toBe(activityIdFor(undefined, "m2", "g1"));
  });
  it("Sent Items is Outgoing, every other folder Incoming; any outgoing copy makes the activity Outgoing", () => {
    expect(directionOfFolder("sentitems")).toBe("Outgoing");
    expect(directionOfFolder("inbox")).toBe("Incoming");
    expect(activityDirection([{ direction: "Incoming" }, { direction: "Outgoing" }])).toBe("Outgoing");
    expect(activityDirection([{ direction: "Incoming" }])).toBe("Incoming");
  });
});

describe("Process Emails From", () => {
  it("is the later of the profile's and the mailbox's", () => {
    expect(effectiveProcessEmailsFrom("2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z")).toBe("2026-02-01T00:00:00.000Z");
    expect(effectiveProcessEmailsFrom("2026-03-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z")).toBe("2026-03-01T00:00:00.000Z");
    expect(effectiveProcessEmailsFrom(undefined, "2026-02-01T00:00:00.000Z")).toBe("2026-02-01T00:00:00.000Z");
    expect(effectiveProcessEmailsFrom(undefined, undefined)).toBeUndefined();
  });

  it.each([
    // Exchange's received times are whole seconds: the creation time counts from its second.
    [undefined, undefined, "2026-12-02T11:10:49.060Z", "2026-12-02T11:10:49.000Z"],
    [undefined, undefined, "2026-12-02T11:10:49.000Z", "2026-12-02T11:10:49.000Z"],
    ["2026-01-01T00:00:00.000Z", undefined, "2026-12-02T11:10:49.060Z", "2026-01-01T00:00:00.000Z"],
    [undefined, "2026-12-02T11:11:04.000Z", "2026-12-02T11:10:49.060Z", "2026-12-02T11:11:04.000Z"],
  ])("first sync (profile %s, mailbox %s, created %s) starts at %s", (profile, mailbox, createdAt, from) => {
    expect(firstSyncFrom(profile, mailbox, createdAt)).toBe(from);
  });
});

describe("workload blockers", () => {
  const base = newMailbox({ id: "m", emailAddress: "M@X.example", profileId: "p", methods: { incoming: "ServerSideSync", act: "ServerSideSync" }, enabled: { incoming: true, act: true } }, 0);
  it("nothing runs for an unapproved mailbox while approval is required", () => {
    expect(workloadBlocker(base, "incoming", { requireApproval: true })).toBe("notApproved");
    expect(workloadBlocker(base, "incoming", { requireApproval: false })).toBeNull();
  });
  it("sync method None and disabled workloads do not run; queues never run ACT", () => {
    const approved = { ...base, approved: true };
    expect(workloadBlocker(approved, "outgoing", { requireApproval: true })).toBe("methodNone");
    expect(workloadBlocker({ ...approved, ownerType: "queue" }, "act", { requireApproval: true })).toBe("queueHasNoAct");
    expect(workloadBlocker({ ...approved, workloads: { ...approved.workloads, incoming: { ...approved.workloads.incoming, enabled: false } } }, "incoming", { requireApproval: true })).toBe("disabled");
  });
  it("addresses are stored lower case", () => expect(base.emailAddress).toBe("m@x.example"));
});

describe("incoming schedule", () => {
  const now = 1_000_000;
  it("due keys compare as strings in time order and round-trip", () => {
    expect(dueKey(99) < dueKey(1_000)).toBe(true);
    expect(parseDueKey(dueKey(123_456))).toBe(123_456);
    expect(parseDueKey(dueKey(null))).toBeNull();
  });
  it.each([
    ["no history → the default", [], 300],
    ["mail in the last cycle → between default and minimum", [3], 210],
    ["mail in each of the last three → the minimum", [1, 2, 5], 120],
    ["six quiet cycles → the maximum", [0, 0, 0, 0, 0, 0], 720],
    ["a few quiet cycles → the default", [0, 0, 4], 300],
  ])("%s", (_name, recent, seconds) => {
    expect(adaptiveIntervalSeconds(recent, defaultIncomingPolling)).toBe(seconds);
  });
  it("a yielded cycle comes back at once, a throttled one after Retry-After, a failed one in 5 minutes", () => {
    expect(nextRunAfter(now, { kind: "yielded", items: 500 }, [], defaultIncomingPolling)).toBe(now + 1_000);
    expect(nextRunAfter(now, { kind: "throttled", retryAfterMs: 30_000 }, [], defaultIncomingPolling)).toBe(now + 30_000);
    expect(nextRunAfter(now, { kind: "transientFailure", failures: 1 }, [], defaultIncomingPolling)).toBe(now + 300_000);
  });
});

describe("a notified cycle and the round already queued", () => {
  const now = 1_000_000;
  const queued = { nextSlot: now + 60_000, dueAt: now + 60_000 + 600_000 };
  it.each<[string, "scheduled" | "nudge" | "push", { nextSlot: number; dueAt: number | null }, number, boolean]>([
    ["a notified cycle keeps the round queued before its own next run", "push", queued, now + 1_800_000, true],
    ["so does a cycle a Send started", "nudge", queued, now + 300_000, true],
    ["a scheduled cycle is the queued round: it queues the next", "scheduled", queued, now + 1_800_000, false],
    ["a round queued after this cycle's next run is replaced (a yield comes back sooner)", "push", queued, now + 5_000, false],
    ["a round whose slot has passed is not relied on", "push", { nextSlot: now - 1, dueAt: now + 600_000 }, now + 1_800_000, false],
    ["nothing queued (idle, off the schedule): queue one", "push", { nextSlot: now + 60_000, dueAt: null }, now + 1_800_000, false],
  ])("%s", (_name, reason, state, nextRun, expected) => {
    expect(keepsQueuedRound(reason, state, nextRun, now)).toBe(expected);
  });
});

describe("ACT and outgoing schedules", () => {
  it("ACT runs 5–12 minutes after a cycle, 5–15 when incoming is also enabled", () => {
    expect(actPollingBounds(defaultActPolling, false)).toEqual({ minSeconds: 300, defaultSeconds: 480, maxSeconds: 720 });
    expect(actPollingBounds(defaultActPolling, true)).toEqual({ minSeconds: 300, defaultSeconds: 480, maxSeconds: 900 });
    expect(adaptiveIntervalSeconds([0, 0, 0, 0, 0, 0], actPollingBounds(defaultActPolling, true))).toBe(900);
  });
  it("outgoing runs every 5 minutes whatever the activity", () => {
    for (const recent of [[], [5, 5, 5], [0, 0, 0, 0, 0, 0]]) expect(adaptiveIntervalSeconds(recent, defaultOutgoingPolling)).toBe(300);
  });
});

describe("message mapping", () => {
  const message = {
    id: "AAMk1",
    internetMessageId: "<m1@fabrikam.example>",
    subject: "Hello",
    from: { emailAddress: { name: "Chris", address: "chris@fabrikam.example" } },
    toRecipients: [{ emailAddress: { name: "ann@contoso.example", address: "ann@contoso.example" } }, { emailAddress: {} }],
    receivedDateTime: "2026-11-01T10:00:00Z",
    sentDateTime: "2026-11-01T09:59:58Z",
    body: { contentType: "HTML", content: "<b>hi</b>" },
    singleValueExtendedProperties: [{ id: "Integer 0xe08", value: "2048" }],
  };
  it("maps parties, canonical times and body, skipping recipients without an address", () => {
    const { content, copy } = toActivity(message, "mbx", inboxFolder);
    expect(content).toMatchObject({
      subject: "Hello",
      from: { name: "Chris", address: "chris@fabrikam.example" },
      to: [{ address: "ann@contoso.example" }],
      receivedAt: "2026-11-01T10:00:00.000Z",
      sentAt: "2026-11-01T09:59:58.000Z",
      body: { contentType: "html", content: "<b>hi</b>" },
    });
    expect(copy).toMatchObject({ mailboxId: "mbx", folder: "inbox", direction: "Incoming", graphMessageId: "AAMk1" });
  });
  it("reads the size from PidTagMessageSize whatever the id's spelling, and applies the 150 MB limit", () => {
    expect(messageSize(message)).toBe(2048);
    expect(messageSize({ ...message, singleValueExtendedProperties: [{ id: "Integer 0x0E08", value: "5" }] })).toBe(5);
    expect(messageSize({ ...message, singleValueExtendedProperties: undefined })).toBeUndefined();
    expect(exceedsIncomingLimit(150 * 1024 * 1024 + 1)).toBe(true);
    expect(exceedsIncomingLimit(150 * 1024 * 1024)).toBe(false);
  });
  it.each([
    ["an empty message", "", [], 0],
    ["the body in UTF-8 bytes", "héllo", [], 6],
    ["body plus every attachment", "abc", [100, 2_000], 2_103],
    ["a 151 MB attachment", "", [151 * 1024 * 1024], 151 * 1024 * 1024],
  ])("without PidTagMessageSize the size is body plus attachments: %s", (_name, body, attachments, size) => {
    expect(estimatedMessageSize(body, attachments)).toBe(size);
  });
  it.each([
    ["no threading properties", [], { references: [] }],
    ["In-Reply-To and References, oldest first, folded", [["String 0x1042", "<b@x>"], ["String 0x1039", "<a@x>\r\n <b@x>"]], { inReplyTo: "<b@x>", references: ["<a@x>", "<b@x>"] }],
    ["ids without brackets", [["String 0x1042", "b@x"], ["String 0x1039", "a@x b@x"]], { inReplyTo: "b@x", references: ["a@x", "b@x"] }],
    ["Exchange's spelling of the ids", [["string 0x1042", "<b@x>"]], { inReplyTo: "<b@x>", references: [] }],
  ])("threading from PidTagInReplyToId and PidTagInternetReferences: %s", (_name, properties, expected) => {
    const singleValueExtendedProperties = (properties as string[][]).map(([id, value]) => ({ id: id!, value: value! }));
    expect(threadingOf({ ...message, singleValueExtendedProperties })).toEqual(expected);
  });
  it("an update carrying only changed fields is not complete", () => {
    expect(isComplete(message)).toBe(true);
    expect(isComplete({ id: "AAMk1", isDraft: false })).toBe(false);
  });
});
