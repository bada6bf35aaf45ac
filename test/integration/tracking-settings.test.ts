/**
 * Tracking settings and numbers against Azurite, through the API: the settings round-trip and are
 * validated, an old stored token format reads gracefully, each owner gets one stable user number,
 * and the token on CRM-sent mail follows the organization's format.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tableNames } from "../../shared/config/names.js";
import { defaultTrackingSettings } from "../../shared/domain/tracking/tracking-settings.js";
import { findTrackingTokens } from "../../shared/domain/tracking/token-format.js";
import { startApiServer } from "../support/api-server.js";
import { startSyncHarness, type HarnessMailbox, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let api: Awaited<ReturnType<typeof startApiServer>>;
let seller: HarnessMailbox;
let colleague: HarnessMailbox;

beforeAll(async () => {
  h = await startSyncHarness();
  api = await startApiServer(h.runtime);
  seller = await h.addMailbox("seller", { outgoing: true });
  colleague = await h.addMailbox("colleague", { outgoing: true });
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

async function sendDraft(from: HarnessMailbox): Promise<{ subject: string; trackingToken: string }> {
  const created = await api.call("POST", "emails", { senderMailboxId: from.id, to: [{ address: "pat@fabrikam.example" }], subject: "Your quote" });
  expect(created.status).toBe(201);
  const sent = await api.call("POST", `emails/${created.body.id}/send`, { issueSend: false });
  expect(sent.status).toBe(200);
  return sent.body;
}

describe("tracking settings through the API", () => {
  it("GET shows the documented defaults; PUT stores the tracking settings; a bad one is a 400 naming it and changes nothing", async () => {
    expect((await api.call("GET", "settings")).body).toMatchObject(defaultTrackingSettings);

    const wanted = {
      defaultTrackOption: "fromLeadsContactsAccounts",
      correlation: { inReplyTo: true, trackingToken: true, conversation: false, smartMatch: true },
      trackingToken: { prefix: "Ref#", baseNumber: 7, userNumberDigits: 2, counterDigits: 4 },
      smartMatching: { hashFilterKeywords: "^(\\s*\\w+:)+", hashMaxCount: 10, hashDeltaSubjectCount: 0, hashMinAddressCount: 3 },
      autoTrackSentFolderItems: true,
    };
    const put = await api.call("PUT", "settings", wanted);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject(wanted);
    expect((await api.call("GET", "settings")).body).toMatchObject(wanted);

    for (const [body, field] of [
      [{ ...wanted, trackingToken: { ...wanted.trackingToken, prefix: "Ref7" } }, "trackingToken.prefix"],
      [{ ...wanted, smartMatching: { ...wanted.smartMatching, hashFilterKeywords: "(a)\\1" } }, "smartMatching.hashFilterKeywords"],
      [{ ...wanted, defaultTrackOption: "most" }, "defaultTrackOption"],
    ] as const) {
      const refused = await api.call("PUT", "settings", body);
      expect(refused.status).toBe(400);
      expect(refused.body.error.field).toBe(field);
    }
    expect((await api.call("GET", "settings")).body).toMatchObject(wanted);

    // Back to the defaults: an omitted tracking setting is its default.
    expect((await api.call("PUT", "settings", {})).body).toMatchObject(defaultTrackingSettings);
  });

  it("a settings row in the old token shape ({prefix, counterDigits}) reads gracefully", async () => {
    const table = h.runtime.storage.table(tableNames.orgSettings);
    await table.upsertEntity({ partitionKey: "org", rowKey: "settings", requireApprovedMailboxes: true, alertLevels: '["Error"]', trackingToken: JSON.stringify({ prefix: "TKT:", counterDigits: 7 }) }, "Replace");
    const read = (await api.call("GET", "settings")).body;
    expect(read).toMatchObject({ ...defaultTrackingSettings, trackingToken: { prefix: "TKT:", baseNumber: 0, userNumberDigits: 3, counterDigits: 3 }, alertLevels: ["Error"] });
    await api.call("PUT", "settings", { alertLevels: ["Error", "Warning", "Information"] });
  });
});

describe("tracking numbers", () => {
  it("concurrent sends by one owner get one user number and distinct counters", async () => {
    const numbers = await Promise.all(Array.from({ length: 8 }, () => h.runtime.trackingNumbers.next("owner-concurrent")));
    expect(new Set(numbers.map((n) => n.userNumber)).size).toBe(1);
    expect(numbers.map((n) => n.counter).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await h.runtime.trackingNumbers.userNumber("owner-concurrent")).toBe(numbers[0]!.userNumber);
  });

  it("owners first seen at the same time get distinct user numbers, each kept", async () => {
    const owners = Array.from({ length: 6 }, (_, i) => `owner/${i}#?`);
    const numbers = await Promise.all(owners.map((owner) => h.runtime.trackingNumbers.userNumber(owner)));
    expect(new Set(numbers).size).toBe(owners.length);
    expect(await Promise.all(owners.map((owner) => h.runtime.trackingNumbers.userNumber(owner)))).toEqual(numbers);
  });

  it("the token on CRM-sent mail is in the organization's format, names the sender's owner and counts per owner", async () => {
    const first = await sendDraft(seller);
    const second = await sendDraft(seller);
    const other = await sendDraft(colleague);
    const format = (await h.runtime.orgSettings.get({ fresh: true })).trackingToken;
    const [a, b, c] = [first, second, other].map((sent) => {
      expect(sent.subject).toBe(`Your quote ${sent.trackingToken}`);
      const found = findTrackingTokens(format, `RE: ${sent.subject}`);
      expect(found.map((f) => f.token)).toEqual([sent.trackingToken]);
      return found[0]!;
    });
    expect(first.trackingToken).toMatch(/^CRM:\d{7}$/);
    expect(b!.userNumber).toBe(a!.userNumber);
    expect(b!.counter).toBe(a!.counter + 1);
    expect(c!.userNumber).not.toBe(a!.userNumber);

    await api.call("PUT", "settings", { trackingToken: { prefix: "Case-", baseNumber: 42, userNumberDigits: 4, counterDigits: 2 } });
    const custom = await sendDraft(seller);
    expect(custom.trackingToken).toMatch(/^Case-42\d{4}\d{2}$/);
    await api.call("PUT", "settings", {});
  });
});
