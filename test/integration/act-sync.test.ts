/** Appointments, contacts and tasks, both ways, through the real Graph client against the simulator. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actEngine } from "../../shared/sync/act/act-engine.js";
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
