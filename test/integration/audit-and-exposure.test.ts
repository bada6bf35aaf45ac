/**
 * Every change through the admin API is audited (who, what, which target, before/after, when) in
 * Table Storage, readable by Sync.Admin at GET /api/audit and logged without values; Monitor.Read
 * sees mailbox status and alerts without any address.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { raiseAlert } from "../../shared/alerts/alert-service.js";
import { hiddenAddress } from "../../shared/auth/mail-content.js";
import { tableNames } from "../../shared/config/names.js";
import { overallPartition, type AuditRecord } from "../../shared/storage/audit-repository.js";
import { startApiServer, type ApiServer } from "../support/api-server.js";
import { startSyncHarness, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: ApiServer;
const logs: Array<{ level: string; message: unknown; properties: unknown }> = [];

beforeAll(async () => {
  h = await startSyncHarness();
  api = await startApiServer(h.runtime, { logHandler: (level, message, properties) => logs.push({ level, message, properties }) });
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const adminOid = "7d0c2b1a-0000-4000-8000-0000000000ad";
const admin = () => bearer(api.tokens.userToken({ user: { name: "Megan Bowen", objectId: adminOid, directoryRoles: [] }, roles: ["Sync.Admin"] }));
const monitor = () => bearer(api.tokens.userToken({ roles: ["Monitor.Read"], user: { name: "Ops", directoryRoles: [] } }));

describe("the audit of admin changes", () => {
  it("records who changed which profile and mailbox, the changed fields before and after, and when; newest first", async () => {
    const start = Date.now();
    expect((await api.send("PUT", "profiles/audited", { name: "Audited", maxConcurrentConnections: 4 }, admin())).status).toBe(201);
    expect((await api.send("PUT", "profiles/audited", { name: "Audited", maxConcurrentConnections: 6 }, admin())).status).toBe(200);
    const mailbox = { emailAddress: "diego@contoso.example", profileId: "audited", ownerType: "user", ownerId: "owner-diego", syncMethods: { incoming: "ServerSideSync", outgoing: "None", act: "None" } };
    expect((await api.send("PUT", "mailboxes/mbx-diego", mailbox, admin())).status).toBe(201);
    expect((await api.send("PUT", "mailboxes/mbx-diego", { ...mailbox, syncMethods: { ...mailbox.syncMethods, incoming: "None" } }, admin())).status).toBe(200);

    const audit = await api.send("GET", "audit?pageSize=10", undefined, admin());
    expect(audit.status).toBe(200);
    const [changed, created, replaced] = audit.body.items;
    expect(changed).toMatchObject({
      who: { objectId: adminOid, name: "Megan Bowen", kind: "user" },
      action: "putMailbox",
      target: { type: "mailbox", id: "mbx-diego" },
      changes: [{ field: "workloads.incoming.syncMethod", before: "ServerSideSync", after: "None" }],
    });
    expect(Date.parse(changed.at)).toBeGreaterThanOrEqual(start - 1000);
    expect(created).toMatchObject({ action: "putMailbox", target: { type: "mailbox", id: "mbx-diego" } });
    expect(created.changes).toContainEqual({ field: "profileId", before: null, after: "audited" });
    expect(replaced).toMatchObject({ action: "putProfile", target: { type: "profile", id: "audited" }, changes: [{ field: "maxConcurrentConnections", before: 4, after: 6 }] });

    // One mailbox's or profile's changes, paged with the API's continuation tokens.
    const first = await api.send("GET", "audit?mailboxId=mbx-diego&pageSize=1", undefined, admin());
    expect(first.body.items.map((r: { id: string }) => r.id)).toEqual([changed.id]);
    const second = await api.send("GET", `audit?mailboxId=mbx-diego&pageSize=1&continuationToken=${first.body.continuationToken}`, undefined, admin());
    expect(second.body.items.map((r: { id: string }) => r.id)).toEqual([created.id]);
    const profileOnly = await api.send("GET", "audit?profileId=audited", undefined, admin());
    expect(profileOnly.body.items.map((r: { action: string }) => r.action)).toEqual(["putProfile", "putProfile"]);
  });

  it("logs each change with ids and field names only: no values, so no address", async () => {
    const records = logs.filter((l) => l.message === "admin change");
    expect(records.length).toBeGreaterThanOrEqual(4);
    expect(records.at(-1)!.properties).toMatchObject({ action: "putMailbox", targetType: "mailbox", targetId: "mbx-diego", fields: "workloads.incoming.syncMethod", callerObjectId: adminOid });
    expect(JSON.stringify(records)).not.toContain("diego@contoso.example");
  });

  it("records nothing for a refused or failed request, and only Sync.Admin reads it", async () => {
    const before = (await api.send("GET", "audit?pageSize=1000", undefined, admin())).body.items.length;
    expect((await api.send("PUT", "profiles/audited", { name: "" }, admin())).status).toBe(400);
    expect((await api.send("PUT", "profiles/audited", { name: "Changed" }, monitor())).status).toBe(403);
    expect((await api.send("POST", "mailboxes/mbx-diego/approve", undefined, bearer(api.tokens.userToken({ roles: ["Sync.Approver"], user: { name: "No admin", directoryRoles: [] } })))).status).toBe(403);
    expect((await api.send("GET", "audit?pageSize=1000", undefined, admin())).body.items.length).toBe(before);
    expect((await api.send("GET", "audit", undefined, monitor())).status).toBe(403);
    expect((await api.send("GET", "audit?continuationToken=bogus", undefined, admin())).status).toBe(400);
  });

  it("records an approval with the approver's identity", async () => {
    const approver = bearer(api.tokens.userToken({ roles: ["Sync.Approver"], user: { name: "Global Admin", objectId: "9a000000-0000-4000-8000-000000000001", directoryRoles: ["62e90394-69f5-4237-9190-012177145e10"] } }));
    expect((await api.send("POST", "mailboxes/mbx-diego/approve", undefined, approver)).status).toBe(200);
    const [latest] = (await api.send("GET", "audit?mailboxId=mbx-diego", undefined, admin())).body.items;
    expect(latest).toMatchObject({ who: { objectId: "9a000000-0000-4000-8000-000000000001", name: "Global Admin" }, action: "approveMailbox", changes: [{ field: "approved", before: false, after: true }] });
  });
});

describe("the overall audit log across its ten-second partitions", () => {
  it("lists newest first in full pages across partitions, the rows of earlier versions last, each once", async () => {
    const start = Date.parse("2026-11-30T09:00:00.000Z");
    const record = (i: number, at: number): AuditRecord => ({ id: `spread-${i}`, at: new Date(at).toISOString(), who: { objectId: adminOid, name: "Megan Bowen", kind: "user" }, action: "putProfile", target: { type: "profile", id: `spread-${i % 3}` }, changes: [{ field: "name", before: null, after: `P${i}` }] });
    // 23 changes over about four minutes: some ten-second partitions hold several, most one.
    const records = Array.from({ length: 23 }, (_, i) => record(i, start + i * 11_000 - (i % 4) * 3_000));
    for (const r of records) await h.runtime.audit.add(r);
    expect(new Set(records.map((r) => overallPartition(r.at))).size).toBeGreaterThan(15);
    // Two rows as an earlier version wrote them: every change in the one partition "all" (older than the rest).
    const legacy = [record(100, start - 86_400_000), record(101, start - 2 * 86_400_000)];
    const table = h.runtime.storage.table(tableNames.audit);
    for (const r of legacy) {
      const rowKey = `${String(9_999_999_999_999 - Date.parse(r.at)).padStart(13, "0")}|${r.id}`;
      await table.upsertEntity({ partitionKey: "all", rowKey, id: r.id, at: r.at, who: JSON.stringify(r.who), action: r.action, targetType: r.target.type, targetId: r.target.id, changes: JSON.stringify(r.changes) }, "Replace");
    }

    const seen: Array<{ id: string; at: string }> = [];
    const pageSizes: number[] = [];
    let token: string | null = null;
    do {
      const page: { status: number; body: { items: Array<{ id: string; at: string }>; continuationToken: string | null } } = await api.send("GET", `audit?pageSize=4${token ? `&continuationToken=${token}` : ""}`, undefined, admin());
      expect(page.status).toBe(200);
      pageSizes.push(page.body.items.length);
      seen.push(...page.body.items);
      token = page.body.continuationToken;
    } while (token);
    const ours = seen.filter((item) => item.id.startsWith("spread-"));
    const expected = [...records].sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).map((r) => r.id);
    expect(ours.map((item) => item.id)).toEqual([...expected, "spread-100", "spread-101"]);
    expect(new Set(seen.map((item) => item.id)).size).toBe(seen.length);
    // Everything in the log, newest first; every page but the last is full.
    expect(seen.map((item) => item.at)).toEqual([...seen.map((item) => item.at)].sort().reverse());
    expect(pageSizes.slice(0, -1).every((n) => n === 4)).toBe(true);
    // A target's own list is untouched by the spread.
    const profile = await api.send("GET", "audit?profileId=spread-1&pageSize=100", undefined, admin());
    expect(profile.body.items.map((item: { id: string }) => item.id)).toEqual(expected.filter((id) => Number(id.slice(7)) % 3 === 1));
  });
});

describe("Monitor.Read sees status without mail content", () => {
  it("mailboxes without their address, alerts with addresses hidden; Sync.Admin sees both", async () => {
    const mailbox = await h.addMailbox("henrietta");
    await raiseAlert(h.runtime, "MailboxNotApproved", { mailbox: (await h.runtime.mailboxes.get(mailbox.id))!.mailbox });

    const seen = await api.send("GET", `mailboxes/${mailbox.id}`, undefined, monitor());
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: mailbox.id, emailAddress: null, workloads: { incoming: { status: "NotRun" } } });
    const list = await api.send("GET", "mailboxes?pageSize=1000", undefined, monitor());
    expect(list.body.items.every((m: { emailAddress: unknown }) => m.emailAddress === null)).toBe(true);
    const alerts = await api.send("GET", `alerts?mailboxId=${mailbox.id}`, undefined, monitor());
    expect(alerts.body.items[0]).toMatchObject({ code: "MailboxNotApproved", mailboxId: mailbox.id, title: `The email address ${hiddenAddress} needs approval` });
    expect(JSON.stringify([seen.body, list.body, alerts.body])).not.toMatch(/@contoso\.example/);

    expect((await api.send("GET", `mailboxes/${mailbox.id}`, undefined, admin())).body.emailAddress).toBe(mailbox.address);
    expect((await api.send("GET", `alerts?mailboxId=${mailbox.id}`, undefined, admin())).body.items[0].title).toContain(mailbox.address);
  });

  it("subjects and bodies are out of its reach: the email routes need Records.ReadWrite", async () => {
    expect((await api.send("GET", "emails?mailboxId=mbx-henrietta", undefined, monitor())).status).toBe(403);
  });
});
