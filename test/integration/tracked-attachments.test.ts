/**
 * Attachments of tracked mail, against Azurite and the simulator over HTTPS: files stream into
 * Blob Storage (a 1.5 MB one through `$value`), inline images keep their content id, attached items
 * and cloud links are recorded as what they are, blocked and oversized files are left out with a
 * reason while the email is tracked, each activity's attachments are fetched once however many
 * mailboxes hold the message (also when two import at once), and the API lists them and streams
 * their content with safe headers — CRM-sent email's attachments included.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blobContainers } from "../../shared/config/names.js";
import { defaultAttachmentSettings } from "../../shared/domain/attachments/attachment-settings.js";
import { activityIdFor } from "../../shared/domain/email-activity.js";
import { GraphRequestError } from "../../shared/graph/graph-errors.js";
import { importAttachments } from "../../shared/sync/incoming/attachment-import.js";
import { startApiServer, type ApiServer } from "../support/api-server.js";
import { startSyncHarness, trackEverything, type HarnessMailbox, type SyncHarness } from "../support/sync-harness.js";
import { generatedContent } from "../tools/exchange-simulator/attachment-content.js";
import type { DeliverMessageInput } from "../tools/exchange-simulator/mailbox-model.js";

let h: SyncHarness;
let api: ApiServer;
let alice: HarnessMailbox;
let bob: HarnessMailbox;
let count = 0;

beforeAll(async () => {
  // Attachments come with tracked mail: every message delivered here is tracked (privacy of untracked mail: tracking-privacy.test.ts).
  h = await startSyncHarness({ tracking: trackEverything });
  api = await startApiServer(h.runtime);
  alice = await h.addMailbox("alice");
  bob = await h.addMailbox("bob");
});
afterAll(async () => {
  await api?.close();
  await h?.stop();
});

const MB = 1024 * 1024;
const logo = Buffer.from("89504e470d0a1a0a-inline-logo", "utf8");

async function sha256(stream: AsyncIterable<unknown>): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** The same message in each mailbox (one internet message id): one activity. */
function deliver(mailboxes: HarnessMailbox[], extra: Partial<DeliverMessageInput>): { activityId: string; ids: string[] } {
  const internetMessageId = `<attachments-${++count}@fabrikam.example>`;
  const ids = mailboxes.map((mb) =>
    h.sim.deliverMessage({
      mailbox: mb.address,
      subject: `Quote ${count}`,
      from: { address: "buyer@fabrikam.example" },
      to: mailboxes.map((m) => ({ address: m.address })),
      internetMessageId,
      ...extra,
    }).id,
  );
  return { activityId: activityIdFor(internetMessageId, "", ""), ids };
}

async function blobsOf(activityId: string): Promise<string[]> {
  const names: string[] = [];
  const container = h.runtime.storage.container(blobContainers.largeText);
  for await (const blob of container.listBlobsFlat({ prefix: `attachments/${activityId}/` })) names.push(blob.name);
  return names;
}

async function content(activityId: string, attachmentId: string): Promise<Response> {
  return fetch(`${api.url}/api/emails/${activityId}/attachments/${attachmentId}/content`, { headers: { Authorization: api.authorization } });
}

describe("a tracked email's attachments", () => {
  it("are stored (files streamed, inline image with its content id), items and links recorded, and served by the API", async () => {
    const { activityId } = deliver([alice], {
      body: { contentType: "html", content: '<p>See the quote</p><img src="cid:logo@fabrikam">' },
      attachedFiles: [
        { name: "quote.pdf", contentType: "application/pdf", size: 1.5 * MB },
        { name: "logo.png", contentType: "image/png", contentBytes: logo.toString("base64"), isInline: true, contentId: "logo@fabrikam" },
      ],
      attachedItems: [{ name: "Re: earlier offer", size: 4096 }],
      attachedLinks: [{ name: "Plan.docx", size: 512 }],
    });
    expect((await h.runIncoming(alice.id)).outcome).toBe("completed");

    const email = await api.call("GET", `emails/${activityId}`);
    expect(email.status).toBe(200);
    const [pdf, image, item, link] = email.body.attachments;
    expect(email.body.attachments).toHaveLength(4);
    expect(pdf).toMatchObject({ kind: "file", name: "quote.pdf", contentType: "application/pdf", size: 1.5 * MB, isInline: false });
    expect(image).toMatchObject({ kind: "file", name: "logo.png", contentType: "image/png", isInline: true, contentId: "logo@fabrikam" });
    expect(item).toMatchObject({ kind: "item", name: "Re: earlier offer", size: 4096 });
    expect(link).toMatchObject({ kind: "reference", name: "Plan.docx", size: 512 });
    for (const a of email.body.attachments) expect(a.excluded).toBeUndefined();
    expect(await blobsOf(activityId)).toHaveLength(2);

    const pdfResponse = await content(activityId, pdf.id);
    expect(pdfResponse.status).toBe(200);
    expect(pdfResponse.headers.get("content-type")).toBe("application/pdf");
    expect(pdfResponse.headers.get("content-length")).toBe(String(1.5 * MB));
    expect(pdfResponse.headers.get("content-disposition")).toBe(`attachment; filename="quote.pdf"; filename*=UTF-8''quote.pdf`);
    const expected = await sha256(generatedContent(createHash("sha256").update(`quote.pdf:${1.5 * MB}`).digest("hex"), 1.5 * MB));
    expect(await sha256(pdfResponse.body as AsyncIterable<Uint8Array>)).toBe(expected);
    expect(Buffer.from(await (await content(activityId, image.id)).arrayBuffer())).toEqual(logo);

    for (const noContent of [item, link]) {
      const refused = await content(activityId, noContent.id);
      expect(refused.status).toBe(404);
      expect(((await refused.json()) as any).error.code).toBe("NoContent");
    }
    expect((await content(activityId, "no-such-attachment")).status).toBe(404);
    expect((await content(activityId, "bad%20id")).status).toBe(400);
  });

  it("leaves out a blocked or oversized file with the reason, and still tracks the email", async () => {
    const { activityId } = deliver([alice], {
      attachedFiles: [
        { name: "setup.EXE", size: 2048 },
        { name: "archive.zip", size: defaultAttachmentSettings.maxFileSizeBytes + 1 },
        { name: "notes.txt", contentType: "text/plain", contentBytes: Buffer.from("kept").toString("base64") },
      ],
    });
    expect((await h.runIncoming(alice.id)).outcome).toBe("completed");
    const email = await api.call("GET", `emails/${activityId}`);
    expect(email.status).toBe(200);
    expect(email.body.subject).toMatch(/^Quote /);
    const [exe, zip, notes] = email.body.attachments;
    expect(exe.excluded).toMatchObject({ reason: "blockedExtension" });
    expect(exe.excluded.message).toContain(".exe");
    expect(zip.excluded).toMatchObject({ reason: "tooLarge" });
    expect(notes.excluded).toBeUndefined();
    expect(await blobsOf(activityId)).toEqual([`attachments/${activityId}/${notes.id}`]);
    const refused = await content(activityId, exe.id);
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as any).error.message).toContain("blockedExtension");
  });

  it("are fetched once per activity: a second mailbox holding the message asks Graph for none", async () => {
    const { activityId } = deliver([alice, bob], { attachedFiles: [{ name: "spec.pdf", size: 300_000 }] });
    expect((await h.runIncoming(alice.id)).outcome).toBe("completed");
    // Any attachment request from Bob's cycle would now fail it.
    h.sim.injectFault({ mailbox: bob.address, pathIncludes: "/attachments", status: 503, times: "forever" });
    try {
      expect((await h.runIncoming(bob.id)).outcome).toBe("completed");
      expect(h.sim.stats().faultsFired).toBe(0);
    } finally {
      h.sim.clearFaults();
    }
    const email = await api.call("GET", `emails/${activityId}`);
    expect(email.body.mailboxes.map((m: any) => m.mailboxId).sort()).toEqual([alice.id, bob.id]);
    expect(email.body.attachments).toHaveLength(1);
    expect(await blobsOf(activityId)).toHaveLength(1);
  });

  it("imported by two mailboxes at once: the same rows, one blob each, whole", async () => {
    const size = 2 * MB + 5;
    const { activityId, ids } = deliver([alice, bob], { attachedFiles: [{ name: "race.bin", size }, { name: "small.txt", size: 10 }], hasAttachments: true });
    const deps = { ...h.runtime, graph: h.runtime.graph };
    const [fromAlice, fromBob] = await Promise.all(
      [alice, bob].map((mb, i) => importAttachments(deps, { userKey: mb.exchangeUserId, mailboxId: mb.id, activityId, message: { id: ids[i]!, hasAttachments: true } })),
    );
    expect(fromAlice).toEqual(fromBob);
    expect((await h.runtime.emailAttachments.read(activityId)).attachments).toEqual(fromAlice);
    expect((await blobsOf(activityId)).sort()).toEqual(fromAlice.map((a) => `attachments/${activityId}/${a.id}`).sort());
    const stored = await h.runtime.attachments.openRead(`attachments/${activityId}/${fromAlice[0]!.id}`);
    expect(stored?.contentLength).toBe(size);
    expect(await sha256(stored!.stream)).toBe(await sha256(generatedContent(createHash("sha256").update(`race.bin:${size}`).digest("hex"), size)));
  });

  it("a blob is written once: of two writers racing, one commits and the other finds it stored, never a mix", async () => {
    const name = `attachments/race-${++count}/blob`;
    const slow = (fill: number) =>
      Readable.from((async function* () {
        for (let i = 0; i < 12; i++) {
          await new Promise((resolve) => setImmediate(resolve));
          yield Buffer.alloc(256 * 1024, fill);
        }
      })());
    const results = await Promise.all([h.runtime.attachments.storeOnce(name, slow(1), "application/octet-stream", 3 * MB), h.runtime.attachments.storeOnce(name, slow(2), "application/octet-stream", 3 * MB)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const stored = await h.runtime.attachments.read(name);
    expect(stored.length).toBe(3 * MB);
    const winner = results[0] ? 1 : 2;
    expect(stored.equals(Buffer.alloc(3 * MB, winner))).toBe(true);
    // A third writer, later, finds it there and changes nothing.
    expect(await h.runtime.attachments.storeOnce(name, slow(3), "application/octet-stream", 3 * MB)).toBe(false);
    expect((await h.runtime.attachments.read(name)).equals(stored)).toBe(true);
  });

  it("a failed download marks nothing imported; the next cycle completes the import", async () => {
    const { activityId } = deliver([alice], { attachedFiles: [{ name: "first.txt", size: 100 }, { name: "second.txt", size: 200 }] });
    h.sim.injectFault({ mailbox: alice.address, pathIncludes: "$value", status: 503, times: 1 });
    const failed = await h.runIncoming(alice.id);
    h.sim.clearFaults();
    expect(failed.outcome).not.toBe("completed");
    expect((await h.runtime.emailAttachments.read(activityId)).imported).toBe(false);
    expect((await h.runIncoming(alice.id)).outcome).toBe("completed");
    const { attachments, imported } = await h.runtime.emailAttachments.read(activityId);
    expect(imported).toBe(true);
    expect(attachments.map((a) => a.name)).toEqual(["first.txt", "second.txt"]);
    expect(await blobsOf(activityId)).toHaveLength(2);
  });

  it("a message that says it has none costs no attachment request", async () => {
    const { activityId, ids } = deliver([alice], { body: { contentType: "html", content: "<p>No images</p>" } });
    h.sim.injectFault({ mailbox: alice.address, pathIncludes: "/attachments", status: 503, times: "forever" });
    try {
      const deps = { ...h.runtime, graph: h.runtime.graph };
      const listed = await importAttachments(deps, { userKey: alice.exchangeUserId, mailboxId: alice.id, activityId, message: { id: ids[0]!, hasAttachments: false, body: { content: "<p>No images</p>" } } });
      expect(listed).toEqual([]);
      // Told nothing, it asks: the fault proves the request is made.
      await expect(importAttachments(deps, { userKey: alice.exchangeUserId, mailboxId: alice.id, activityId, message: { id: ids[0]! } })).rejects.toBeInstanceOf(GraphRequestError);
    } finally {
      h.sim.clearFaults();
    }
  });
});

describe("the content route", () => {
  it("names a hostile file safely: no header injection, the name intact in filename*", async () => {
    const hostile = 'report"\r\nSet-Cookie: stolen=1; x=".pdf';
    const { activityId } = deliver([alice], { attachedFiles: [{ name: hostile, contentType: 'text/html x="<evil>"', contentBytes: Buffer.from("<script>").toString("base64") }] });
    expect((await h.runIncoming(alice.id)).outcome).toBe("completed");
    const [attachment] = (await api.call("GET", `emails/${activityId}`)).body.attachments;
    expect(attachment.name).toBe(hostile);
    const response = await content(activityId, attachment.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const disposition = response.headers.get("content-disposition")!;
    expect(disposition).toMatch(/^attachment; filename="[^"]*"; filename\*=UTF-8''[^\s"]*$/);
    expect(decodeURIComponent(disposition.split("filename*=UTF-8''")[1]!)).toBe('report"Set-Cookie: stolen=1; x=".pdf');
  });

  it("serves CRM-sent email's attachments too", async () => {
    const sender = await h.addMailbox(`crm-sender-${++count}`, { outgoing: true });
    const bytes = Buffer.from("%PDF-1.4 quote");
    const created = await api.call("POST", "emails", {
      senderMailboxId: sender.id,
      to: [{ address: "pat@fabrikam.example" }],
      subject: "Your quote",
      attachments: [{ name: "Angebot für Müller.pdf", contentType: "application/pdf", contentBytes: bytes.toString("base64") }],
    });
    expect(created.status).toBe(201);
    const [attachment] = created.body.attachments;
    const response = await content(created.body.id, attachment.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="Angebot f_r M_ller.pdf"; filename*=UTF-8''Angebot%20f%C3%BCr%20M%C3%BCller.pdf`);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  });
});

describe("attachment settings through the API", () => {
  it("GET shows Dynamics' defaults; PUT stores them normalised; a bad one is a 400 naming it and changes nothing", async () => {
    const initial = await api.call("GET", "settings");
    expect(initial.body.attachments).toEqual(defaultAttachmentSettings);
    expect(initial.body.attachments.blockedFileExtensions).toContain("svg");
    const put = await api.call("PUT", "settings", { attachments: { blockedFileExtensions: [".EXE", "bat", "exe", "tar.gz"], maxFileSizeBytes: 10 * MB } });
    expect(put.status).toBe(200);
    expect(put.body.attachments).toEqual({ blockedFileExtensions: ["exe", "bat", "tar.gz"], maxFileSizeBytes: 10 * MB });
    for (const [attachments, field] of [
      [{ maxFileSizeBytes: 128 * MB + 1 }, "attachments.maxFileSizeBytes"],
      [{ maxFileSizeBytes: 0 }, "attachments.maxFileSizeBytes"],
      [{ blockedFileExtensions: ["exe", "a;b"] }, "attachments.blockedFileExtensions.1"],
      [{ blockedFileExtensions: "exe" }, "attachments.blockedFileExtensions"],
      [{ blocked: [] }, "attachments.blocked"],
    ] as const) {
      const refused = await api.call("PUT", "settings", { attachments });
      expect(refused.status, JSON.stringify(attachments)).toBe(400);
      expect(refused.body.error.field).toBe(field);
    }
    expect((await api.call("GET", "settings")).body.attachments).toEqual(put.body.attachments);
    // Omitted: back to the defaults, as every settings part is.
    expect((await api.call("PUT", "settings", {})).body.attachments).toEqual(defaultAttachmentSettings);
  });
});
