/** Appointments, contacts and tasks, both ways, through the real Graph client against the simulator. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actEngine } from "../../shared/sync/act/act-engine.js";
import { toInstant } from "../../shared/domain/zoned-time.js";
import { trackedCategory } from "../../shared/sync/act/act-mapping.js";
import { startApiServer } from "../support/api-server.js";
import { startSyncHarness, type HarnessMailbox, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: Awaited<ReturnType<typeof startApiServer>>;
let user: HarnessMailbox;

const inDays = (days: number, hour = 9) => {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString().slice(0, 19);
};

beforeAll(async () => {
  h = await startSyncHarness();
  api = await startApiServer(h.runtime);
  user = await h.addMailbox("planner", { act: true });
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

const act = (mailbox = user) => h.runCycle(actEngine, mailbox.id);
const eventsOf = (mailbox = user) => h.sim.listEvents(mailbox.address) as Array<Record<string, any>>;
const recordsOf = async (collection: string) => (await api.call("GET", `${collection}?ownerId=${user.id}&pageSize=100`)).body.items as Array<Record<string, any>>;

async function appointment(fields: Record<string, unknown> = {}) {
  const created = await api.call("POST", "appointments", {
    ownerId: user.id,
    subject: "Quarterly review",
    start: { dateTime: inDays(3), timeZone: "UTC" },
    end: { dateTime: inDays(3, 10), timeZone: "UTC" },
    isAllDay: false,
    organizer: { address: user.address },
    requiredAttendees: [{ address: "pat@fabrikam.example", name: "Pat" }],
    status: "scheduled",
    ...fields,
  });
  expect(created.status).toBe(201);
  return created.body as { id: string; version: number };
}

describe("appointments", () => {
  it("a CRM appointment goes to the owner's calendar, and a CRM change follows it", async () => {
    const record = await appointment();
    const report = await act();
    expect(report.outcome).toBe("completed");
    const [event] = eventsOf().filter((e) => e.subject === "Quarterly review");
    expect(event).toMatchObject({ showAs: "busy", categories: expect.arrayContaining([trackedCategory]) });
    expect(event!.attendees).toEqual([expect.objectContaining({ type: "required", emailAddress: expect.objectContaining({ address: "pat@fabrikam.example" }) })]);
    const current = (await api.call("GET", `appointments/${record.id}`)).body;
    await api.call("PUT", `appointments/${record.id}`, { ...current, subject: "Quarterly review (moved)", location: "Room 4", status: "canceled" });
    await act();
    const updated = eventsOf().find((e) => e.id === event!.id)!;
    expect(updated).toMatchObject({ subject: "Quarterly review (moved)", location: expect.objectContaining({ displayName: "Room 4" }), showAs: "free" });
  });

  it("an event the user tracks in Outlook becomes a CRM appointment; untracked ones stay out", async () => {
    h.sim.createEvent(user.address, { subject: "Lunch with Pat", start: { dateTime: inDays(5, 12), timeZone: "UTC" }, end: { dateTime: inDays(5, 13), timeZone: "UTC" }, categories: [trackedCategory] });
    h.sim.createEvent(user.address, { subject: "Dentist", start: { dateTime: inDays(6), timeZone: "UTC" }, end: { dateTime: inDays(6, 10), timeZone: "UTC" } });
    await act();
    const records = (await api.call("GET", `appointments?ownerId=${user.id}&pageSize=100`)).body.items as Array<{ subject: string }>;
    expect(records.map((r) => r.subject)).toContain("Lunch with Pat");
    expect(records.map((r) => r.subject)).not.toContain("Dentist");
  });

  it("changes on both sides are merged field by field; the same field changed on both takes Exchange's (latest) value, with a warning", async () => {
    const record = await appointment({ subject: "Both sides" });
    await act();
    const event = eventsOf().find((e) => e.subject === "Both sides")!;
    const current = (await api.call("GET", `appointments/${record.id}`)).body;
    await api.call("PUT", `appointments/${record.id}`, { ...current, location: "CRM room", subject: "Both sides (CRM)" });
    h.sim.updateEvent(user.address, event.id, { subject: "Both sides (Outlook)" });
    await act();
    const merged = (await api.call("GET", `appointments/${record.id}`)).body;
    expect(merged).toMatchObject({ subject: "Both sides (Outlook)", location: "CRM room" });
    expect(eventsOf().find((e) => e.id === event.id)).toMatchObject({ subject: "Both sides (Outlook)", location: expect.objectContaining({ displayName: "CRM room" }) });
    const alerts = (await api.call("GET", `alerts?mailboxId=${user.id}&level=Warning`)).body.items as Array<{ code: string; cause: string }>;
    expect(alerts.find((a) => a.code === "SyncConflict")?.cause).toMatch(/subject/);
  });

  it("a recurring series syncs as one series both ways", async () => {
    await appointment({
      subject: "Weekly stand-up",
      recurrence: { pattern: { type: "weekly", interval: 1, daysOfWeek: ["monday"], firstDayOfWeek: "sunday" }, range: { type: "numbered", startDate: inDays(1).slice(0, 10), numberOfOccurrences: 10 } },
    });
    h.sim.createEvent(user.address, {
      subject: "Monthly board",
      categories: [trackedCategory],
      start: { dateTime: inDays(2, 14), timeZone: "UTC" },
      end: { dateTime: inDays(2, 15), timeZone: "UTC" },
      recurrence: { pattern: { type: "absoluteMonthly", interval: 1, dayOfMonth: Number(inDays(2).slice(8, 10)) }, range: { type: "noEnd", startDate: inDays(2).slice(0, 10) } },
    });
    await act();
    expect(eventsOf().filter((e) => e.subject === "Weekly stand-up")).toEqual([expect.objectContaining({ type: "seriesMaster", recurrence: expect.objectContaining({ pattern: expect.objectContaining({ type: "weekly" }) }) })]);
    const boards = ((await api.call("GET", `appointments?ownerId=${user.id}&pageSize=100`)).body.items as Array<Record<string, any>>).filter((r) => r.subject === "Monthly board");
    expect(boards).toHaveLength(1);
    expect(boards[0]!.recurrence.pattern.type).toBe("absoluteMonthly");
  });

  it("an appointment without an organizer is not synced and raises the organizer alert", async () => {
    await appointment({ subject: "Nobody organises this", organizer: undefined });
    await act();
    expect(eventsOf().some((e) => e.subject === "Nobody organises this")).toBe(false);
    expect((await api.call("GET", `alerts?mailboxId=${user.id}`)).body.items.map((a: { code: string }) => a.code)).toContain("AppointmentWithoutOrganizer");
  });

  it("a record that stops matching the filters leaves Exchange when it is a future appointment the user organises", async () => {
    const record = await appointment({ subject: "Will be filtered out" });
    await act();
    expect(eventsOf().some((e) => e.subject === "Will be filtered out")).toBe(true);
    await api.call("PUT", `sync-filters/${user.id}/appointment`, { enabled: true, criteria: { statuses: ["completed"] } });
    await act();
    await api.call("PUT", `sync-filters/${user.id}/appointment`, { enabled: true });
    expect(eventsOf().some((e) => e.subject === "Will be filtered out")).toBe(false);
    expect((await api.call("GET", `appointments/${record.id}`)).status).toBe(200);
  });

  it("a crash after creating the Exchange item and before linking it leaves one item per record after the retry", async () => {
    await appointment({ subject: "Crash once" });
    const put = h.runtime.actLinks.put.bind(h.runtime.actLinks);
    let crashed = false;
    h.runtime.actLinks.put = async (link) => {
      if (!crashed) {
        crashed = true;
        throw new Error("worker killed");
      }
      return put(link);
    };
    await expect(act()).rejects.toThrow("worker killed");
    h.runtime.actLinks.put = put;
    await act();
    await act();
    expect(eventsOf().filter((e) => e.subject === "Crash once")).toHaveLength(1);
    const records = (await api.call("GET", `appointments?ownerId=${user.id}&pageSize=100`)).body.items as Array<{ subject: string }>;
    expect(records.filter((r) => r.subject === "Crash once")).toHaveLength(1);
  });
});

describe("appointments as Graph documents them", () => {
  it("an all-day event comes into the CRM as dates in its own time zone, and the record saves back as it is", async () => {
    const [day, next] = [inDays(10).slice(0, 10), inDays(11).slice(0, 10)];
    h.sim.createEvent(user.address, {
      subject: "Offsite day",
      isAllDay: true,
      start: { dateTime: `${day}T00:00:00`, timeZone: "W. Europe Standard Time" },
      end: { dateTime: `${next}T00:00:00`, timeZone: "W. Europe Standard Time" },
      categories: [trackedCategory],
    });
    expect((await act()).outcome).toBe("completed");
    const record = (await recordsOf("appointments")).find((r) => r.subject === "Offsite day")!;
    expect(record).toMatchObject({ isAllDay: true, start: { dateTime: `${day}T00:00:00`, timeZone: "Europe/Berlin" }, end: { dateTime: `${next}T00:00:00`, timeZone: "Europe/Berlin" } });
    // The product's own schema takes the record it made (all-day: both ends at midnight).
    expect((await api.call("PUT", `appointments/${record.id}`, { ...record, location: "Lakeside" })).status).toBe(200);
    await act();
    const event = eventsOf().find((e) => e.subject === "Offsite day")!;
    expect(event).toMatchObject({ isAllDay: true, location: expect.objectContaining({ displayName: "Lakeside" }) });
    expect(toInstant(event.start)).toBe(toInstant({ dateTime: `${day}T00:00:00`, timeZone: "Europe/Berlin" }));
  });

  it("an event update that comes without its start and end is read whole: the record follows, the cycle completes", async () => {
    const created = h.sim.createEvent(user.address, { subject: "Partial", start: { dateTime: inDays(8, 14), timeZone: "UTC" }, end: { dateTime: inDays(8, 15), timeZone: "UTC" }, categories: [trackedCategory] }) as { id: string };
    await act();
    h.sim.partialDeltaUpdates(user.address, true);
    try {
      h.sim.updateEvent(user.address, created.id, { subject: "Partial (renamed)" });
      const report = await act();
      expect(report.outcome).toBe("completed");
      const record = (await recordsOf("appointments")).find((r) => r.subject.startsWith("Partial"))!;
      expect(record.subject).toBe("Partial (renamed)");
      expect(toInstant(record.start)).toBe(`${inDays(8, 14)}.000Z`);
    } finally {
      h.sim.partialDeltaUpdates(user.address, false);
    }
  });

  it("an event moved out of the calendar window stays linked and its record follows it; one deleted in Outlook is a deletion", async () => {
    const moved = await appointment({ subject: "Moved far out" });
    const deleted = await appointment({ subject: "Deleted in Outlook" });
    await act();
    const event = eventsOf().find((e) => e.subject === "Moved far out")!;
    const linkBefore = (await h.runtime.actLinks.forType(user.id, "appointment")).get(moved.id)!;
    // calendarView delta reports an event moved outside its window as @removed, like a deletion.
    h.sim.updateEvent(user.address, event.id, { start: { dateTime: inDays(420), timeZone: "UTC" }, end: { dateTime: inDays(420, 10), timeZone: "UTC" } });
    h.sim.deleteEvent(user.address, eventsOf().find((e) => e.subject === "Deleted in Outlook")!.id);
    expect((await act()).outcome).toBe("completed");

    const movedNow = eventsOf().filter((e) => e.subject === "Moved far out");
    expect(movedNow.map((e) => [e.id, e.start.dateTime.slice(0, 19)])).toEqual([[event.id, inDays(420)]]);
    expect(toInstant((await api.call("GET", `appointments/${moved.id}`)).body.start)).toBe(`${inDays(420)}.000Z`);
    expect((await h.runtime.actLinks.forType(user.id, "appointment")).get(moved.id)?.exchangeId).toBe(linkBefore.exchangeId);

    // An open future appointment the user organises: deleted in the CRM too (see "deleted in Outlook").
    expect((await api.call("GET", `appointments/${deleted.id}`)).status).toBe(404);
  });
});

describe("deleted in Outlook", () => {
  const subjects = (mailbox = user) => eventsOf(mailbox).map((e) => e.subject as string);
  const eventId = (subject: string) => eventsOf().find((e) => e.subject === subject)!.id as string;
  // The cycle that creates an item in Exchange, then the one whose delta reports it back: the item
  // is then one Exchange has told us about, as anything the user deletes later is.
  const syncedBothWays = async () => {
    await act();
    await act();
  };

  it("an open future appointment the user organises is deleted in the CRM too, and nothing comes back", async () => {
    const record = await appointment({ subject: "Cancelled by deleting" });
    await syncedBothWays();
    h.sim.deleteEvent(user.address, eventId("Cancelled by deleting"));
    expect((await act()).outcome).toBe("completed");
    await act();
    expect(subjects()).not.toContain("Cancelled by deleting");
    expect((await api.call("GET", `appointments/${record.id}`)).status).toBe(404);
  });

  it("an appointment the CRM keeps is not created again by the next cycles, until it changes in the CRM", async () => {
    // Organised by someone else: server-side sync leaves the record in the CRM.
    const record = await appointment({ subject: "Pat's workshop", organizer: { address: "pat@fabrikam.example", name: "Pat" } });
    await syncedBothWays();
    h.sim.deleteEvent(user.address, eventId("Pat's workshop"));
    expect((await act()).outcome).toBe("completed");
    await act();
    expect(subjects()).not.toContain("Pat's workshop");
    const kept = await api.call("GET", `appointments/${record.id}`);
    expect(kept.body).toMatchObject({ subject: "Pat's workshop", version: record.version });

    // A CRM change after the deletion is a deliberate act: the appointment goes to Exchange again.
    expect((await api.call("PUT", `appointments/${record.id}`, { ...kept.body, location: "Room 9" })).status).toBe(200);
    await act();
    await act();
    expect(eventsOf().filter((e) => e.subject === "Pat's workshop")).toEqual([expect.objectContaining({ location: expect.objectContaining({ displayName: "Room 9" }) })]);
    expect((await h.runtime.actLinks.forType(user.id, "appointment")).get(record.id)?.exchangeId).toBe(eventId("Pat's workshop"));
  });

  it("a contact tracked in Outlook and then deleted there stays in the CRM, and out of Outlook until it changes in the CRM", async () => {
    const contactsNamed = () => (h.sim.listContacts(user.address) as Array<{ id: string; surname: string }>).filter((c) => c.surname === "Deleted-Once");
    h.sim.createContact(user.address, { givenName: "Robin", surname: "Deleted-Once", emailAddresses: [{ address: "robin@fabrikam.example" }], categories: [trackedCategory] });
    await act();
    const record = (await recordsOf("contacts")).find((r) => r.lastName === "Deleted-Once")!;
    expect(record).toMatchObject({ firstName: "Robin", status: "active" });
    h.sim.deleteContact(user.address, contactsNamed()[0]!.id);
    await act();
    await act();
    expect(contactsNamed()).toEqual([]);
    expect((await api.call("GET", `contacts/${record.id}`)).body).toMatchObject({ lastName: "Deleted-Once", version: record.version });
    await api.call("PUT", `contacts/${record.id}`, { ...record, jobTitle: "Buyer" });
    await act();
    expect(contactsNamed()).toEqual([expect.objectContaining({ jobTitle: "Buyer" })]);
  });

  it("an open task deleted in To Do is deleted in the CRM; a completed one the CRM keeps", async () => {
    await api.call("PUT", `sync-filters/${user.id}/task`, { enabled: true, criteria: { status: "any" } });
    try {
      const open = await api.call("POST", "tasks", { ownerId: user.id, subject: "Open, deleted in To Do", status: "notStarted" });
      const done = await api.call("POST", "tasks", { ownerId: user.id, subject: "Done, deleted in To Do", status: "completed", completedAt: new Date().toISOString() });
      await syncedBothWays();
      const tasksTitled = (title: string) => (h.sim.listTasks(user.address) as Array<{ id: string; title: string }>).filter((t) => t.title === title);
      for (const title of ["Open, deleted in To Do", "Done, deleted in To Do"]) h.sim.deleteTask(user.address, tasksTitled(title)[0]!.id);
      await act();
      await act();
      expect([...tasksTitled("Open, deleted in To Do"), ...tasksTitled("Done, deleted in To Do")]).toEqual([]);
      expect((await api.call("GET", `tasks/${open.body.id}`)).status).toBe(404);
      expect((await api.call("GET", `tasks/${done.body.id}`)).body).toMatchObject({ status: "completed", version: 1 });
    } finally {
      await api.call("PUT", `sync-filters/${user.id}/task`, { enabled: true });
    }
  });

  it("a crash while the deletion is taken in, before or after it is recorded, does not bring the item back", async () => {
    const kept = await appointment({ subject: "Kept through a crash", organizer: { address: "pat@fabrikam.example" } });
    const gone = await appointment({ subject: "Gone through a crash" });
    await syncedBothWays();
    const links = h.runtime.actLinks;
    const [mark, remove] = [links.markDeletedInExchange.bind(links), links.remove.bind(links)];
    const killed = () => {
      throw new Error("worker killed");
    };
    try {
      // Kept in the CRM: the worker dies before the deletion mark is written, then just after.
      h.sim.deleteEvent(user.address, eventId("Kept through a crash"));
      links.markDeletedInExchange = killed;
      await expect(act()).rejects.toThrow("worker killed");
      links.markDeletedInExchange = async (...args) => {
        await mark(...args);
        killed();
      };
      await expect(act()).rejects.toThrow("worker killed");
      links.markDeletedInExchange = mark;
      // Deleted in the CRM: the worker dies after the record is deleted, before the link goes.
      h.sim.deleteEvent(user.address, eventId("Gone through a crash"));
      links.remove = killed;
      await expect(act()).rejects.toThrow("worker killed");
      expect((await api.call("GET", `appointments/${gone.id}`)).status).toBe(404);
    } finally {
      links.markDeletedInExchange = mark;
      links.remove = remove;
    }
    await act();
    await act();
    expect(subjects()).not.toContain("Kept through a crash");
    expect(subjects()).not.toContain("Gone through a crash");
    expect((await api.call("GET", `appointments/${kept.id}`)).body).toMatchObject({ version: kept.version });
    expect((await api.call("GET", `appointments/${gone.id}`)).status).toBe(404);
    expect((await h.runtime.actLinks.forType(user.id, "appointment")).has(gone.id)).toBe(false);
  });
});

describe("contacts and tasks", () => {
  it("contacts flow both ways", async () => {
    const created = await api.call("POST", "contacts", { ownerId: user.id, firstName: "Dana", lastName: "Reyes", emails: [{ address: "dana@fabrikam.example" }], company: "Fabrikam", jobTitle: "Buyer", status: "active" });
    expect(created.status).toBe(201);
    h.sim.createContact(user.address, { givenName: "Lee", surname: "Chen", emailAddresses: [{ address: "lee@contoso.example" }], categories: [trackedCategory] });
    await act();
    const contacts = h.sim.listContacts(user.address) as Array<Record<string, any>>;
    expect(contacts.find((c) => c.surname === "Reyes")).toMatchObject({ givenName: "Dana", companyName: "Fabrikam", jobTitle: "Buyer" });
    const records = (await api.call("GET", `contacts?ownerId=${user.id}&pageSize=100`)).body.items as Array<Record<string, any>>;
    expect(records.find((r) => r.lastName === "Chen")?.emails).toEqual([{ address: "lee@contoso.example" }]);
    // Deactivated in the CRM: no longer matches "my active contacts".
    await api.call("PUT", `contacts/${created.body.id}`, { ...created.body, status: "inactive" });
    await act();
    expect((h.sim.listContacts(user.address) as Array<{ surname: string }>).some((c) => c.surname === "Reyes")).toBe(false);
  });

  it("tasks flow both ways, and completing one in To Do completes it in the CRM", async () => {
    await api.call("POST", "tasks", { ownerId: user.id, subject: "Send contract", status: "notStarted", importance: "high", due: { dateTime: inDays(2), timeZone: "UTC" } });
    const todo = h.sim.createTask(user.address, null, { title: "Call back Pat", categories: [trackedCategory] }) as { id: string };
    await act();
    const tasks = h.sim.listTasks(user.address) as Array<Record<string, any>>;
    expect(tasks.find((t) => t.title === "Send contract")).toMatchObject({ importance: "high", status: "notStarted" });
    const records = (await api.call("GET", `tasks?ownerId=${user.id}&pageSize=100`)).body.items as Array<Record<string, any>>;
    const callBack = records.find((r) => r.subject === "Call back Pat")!;
    expect(callBack).toBeDefined();
    h.sim.updateTask(user.address, todo.id, { status: "completed", completedDateTime: { dateTime: inDays(0).replace(/T.*/, "T08:00:00"), timeZone: "UTC" } });
    await act();
    expect((await api.call("GET", `tasks/${callBack.id}`)).body.status).toBe("completed");
  });

  it("a CRM change to a task reaches To Do through the documented update (no linkedResources, an HTML body)", async () => {
    const created = await api.call("POST", "tasks", { ownerId: user.id, subject: "Prepare quote", body: { contentType: "text", content: "Prices for Q3" }, status: "notStarted" });
    await act();
    const before = (h.sim.listTasks(user.address) as Array<Record<string, any>>).find((t) => t.title === "Prepare quote")!;
    expect(before.linkedResources).toEqual([expect.objectContaining({ externalId: created.body.id })]);
    await api.call("PUT", `tasks/${created.body.id}`, { ...created.body, subject: "Prepare quote (v2)", body: { contentType: "text", content: "Prices for Q3 & Q4" }, status: "inProgress" });
    expect((await act()).outcome).toBe("completed");
    const after = (h.sim.listTasks(user.address) as Array<Record<string, any>>).find((t) => t.id === before.id)!;
    expect(after).toMatchObject({ title: "Prepare quote (v2)", status: "inProgress", body: { contentType: "html", content: "Prices for Q3 &amp; Q4" } });
    expect(after.linkedResources).toEqual(before.linkedResources);
    // Its echo in the next delta is recognised: the CRM record is not rewritten.
    await act();
    expect((await api.call("GET", `tasks/${created.body.id}`)).body).toMatchObject({ version: 2, body: { contentType: "text", content: "Prices for Q3 & Q4" } });
  });
});

describe("who runs ACT", () => {
  it("a queue mailbox never calls the calendar", async () => {
    const queue = await h.addMailbox("support-queue", { act: true, ownerType: "queue" });
    h.sim.resetStats();
    const report = await act(queue);
    expect(report).toMatchObject({ outcome: "skipped", reason: "queueHasNoAct" });
    expect(h.sim.stats().requestsByMailbox[queue.exchangeUserId] ?? 0).toBe(0);
  });
});
