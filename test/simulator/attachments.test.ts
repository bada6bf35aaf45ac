/**
 * Attachments: inline POST (≤ 4 MB request), and upload sessions on the pre-authenticated URL,
 * driven by the Graph client's own LargeFileUploadTask in 4 MB chunks.
 */
import { createHash, randomBytes } from "node:crypto";
import { FileUpload, LargeFileUploadTask } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureGraph, rawGraph, startFixture, tokenForNewApp, type SimulatorFixture } from "./simulator-fixture.js";

let f: SimulatorFixture;
let count = 0;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.sim.close());

const MB = 1024 * 1024;

async function newDraft(toAddress = "customer@fabrikam.example"): Promise<{ mailbox: string; id: string }> {
  const mailbox = f.sim.addMailbox({ tenantId: f.tenantId, address: `att${++count}@contoso.example` }).address;
  const draft = await fixtureGraph(f)
    .api(`/users/${mailbox}/messages`)
    .post({ subject: `Attachments ${count}`, toRecipients: [{ emailAddress: { address: toAddress } }] });
  return { mailbox, id: draft.id };
}

const sessionRequest = (name: string, size: number) => ({ AttachmentItem: { attachmentType: "file", name, size, contentType: "application/pdf" } });

/** PUT to an upload URL exactly as a client without the Graph SDK would: no Authorization header. */
function put(url: string, bytes: Buffer, range: string): Promise<Response> {
  return fetch(url, {
    method: "PUT",
    headers: { "Content-Type": "application/octet-stream", "Content-Range": range },
    body: bytes,
  });
}

describe("file attachments", () => {
  it("are added, listed and read back; requests over 4 MB answer 413", async () => {
    const { mailbox, id } = await newDraft();
    const graph = fixtureGraph(f);
    // About 3 MB is the most a single POST can carry: its base64 must fit a 4 MB request.
    const bytes = randomBytes(3_100_000);
    const added = await graph.api(`/users/${mailbox}/messages/${id}/attachments`).post({
      "@odata.type": "#microsoft.graph.fileAttachment",
      name: "spec.bin",
      contentBytes: bytes.toString("base64"),
    });
    expect(added).toMatchObject({ "@odata.type": "#microsoft.graph.fileAttachment", name: "spec.bin", size: bytes.length, contentType: "application/octet-stream" });
    const listed = await graph.api(`/users/${mailbox}/messages/${id}/attachments`).select("id,name,size").get();
    expect(listed.value.map((a: any) => [a.name, a.size])).toEqual([["spec.bin", bytes.length]]);
    const single = await graph.api(`/users/${mailbox}/messages/${id}/attachments/${added.id}`).get();
    expect(Buffer.from(single.contentBytes, "base64").equals(bytes)).toBe(true);

    const tooBig = await rawGraph(f, `/users/${mailbox}/messages/${encodeURIComponent(id)}/attachments`, {
      method: "POST",
      body: { "@odata.type": "#microsoft.graph.fileAttachment", name: "big.bin", contentBytes: randomBytes(3.2 * MB).toString("base64") },
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error).toMatchObject({ code: "BadRequest", message: "The maximum request length supported is 4MB." });
  });
});

describe("upload sessions", () => {
  it("take a 20 MB file in 4 MB chunks from LargeFileUploadTask; the sent message carries it", async () => {
    const colleague = f.sim.addMailbox({ tenantId: f.tenantId, address: `att-colleague@contoso.example` }).address;
    const { mailbox, id } = await newDraft(colleague);
    const graph = fixtureGraph(f);
    const file = randomBytes(20 * MB);
    const session = await LargeFileUploadTask.createUploadSession(graph, `/users/${mailbox}/messages/${id}/attachments/createUploadSession`, sessionRequest("video.mp4", file.length));
    expect(session.url).toMatch(new RegExp(`^${f.sim.url}/api/v2\\.0/Users\\('.+'\\)/Messages\\('.+'\\)/AttachmentSessions\\('.+'\\)\\?authtoken=`));
    const ranges: string[] = [];
    const task = new LargeFileUploadTask(graph, new FileUpload(file, "video.mp4", file.length), session, {
      rangeSize: 4 * MB,
      uploadEventHandlers: { progress: (range) => ranges.push(`${range?.minValue}-${range?.maxValue}`) },
    });
    const result = await task.upload();
    expect(ranges).toHaveLength(5);
    expect(result.location).toMatch(/\/Attachments\('.+'\)$/);
    const attachmentId = /Attachments\('(.+)'\)$/.exec(result.location!)![1];

    const attachments = await graph.api(`/users/${mailbox}/messages/${id}/attachments`).get();
    expect(attachments.value).toEqual([
      expect.objectContaining({ id: attachmentId, name: "video.mp4", size: 20 * MB, contentType: "application/pdf", contentBytes: null }),
    ]);
    const message = await graph.api(`/users/${mailbox}/messages/${id}`).get();
    expect(message.hasAttachments).toBe(true);

    await graph.api(`/users/${mailbox}/messages/${id}/send`).post({});
    const [entry] = f.sim.sentLog(mailbox);
    expect(entry!.attachments).toEqual([
      { name: "video.mp4", size: 20 * MB, contentType: "application/pdf", sha256: createHash("sha256").update(file).digest("hex") },
    ]);
    const [copy] = f.sim.listMessages(colleague, "inbox");
    const copied = await graph.api(`/users/${colleague}/messages/${copy!.id}/attachments`).get();
    expect(copied.value.map((a: any) => [a.name, a.size])).toEqual([["video.mp4", 20 * MB]]);
  });

  it("answer each chunk like Outlook: 200 with the next expected byte, then 201 with Location", async () => {
    const { mailbox, id } = await newDraft();
    const created = await rawGraph(f, `/users/${mailbox}/messages/${encodeURIComponent(id)}/attachments/createUploadSession`, {
      method: "POST",
      body: sessionRequest("a.pdf", 5 * MB),
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      "@odata.context": `${f.sim.url}/v1.0/$metadata#microsoft.graph.uploadSession`,
      uploadUrl: expect.any(String),
      expirationDateTime: expect.any(String),
      nextExpectedRanges: ["0-"],
    });
    const first = await put(created.body.uploadUrl, randomBytes(4 * MB), `bytes 0-${4 * MB - 1}/${5 * MB}`);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      "@odata.context": expect.stringContaining("/AttachmentSessions/$entity"),
      ExpirationDateTime: created.body.expirationDateTime,
      nextExpectedRanges: [String(4 * MB)],
    });
    const last = await put(created.body.uploadUrl, randomBytes(MB), `bytes ${4 * MB}-${5 * MB - 1}/${5 * MB}`);
    expect(last.status).toBe(201);
    expect(last.headers.get("location")).toMatch(/\/Attachments\('.+'\)$/);
    expect(await last.text()).toBe("");
    // The session is gone once complete.
    expect((await put(created.body.uploadUrl, randomBytes(1), `bytes 0-0/${5 * MB}`)).status).toBe(404);
  });

  it("refuse wrong ranges, oversized chunks and a wrong token; DELETE cancels", async () => {
    const { mailbox, id } = await newDraft();
    const created = await rawGraph(f, `/users/${mailbox}/messages/${encodeURIComponent(id)}/attachments/createUploadSession`, {
      method: "POST",
      body: sessionRequest("b.pdf", 10 * MB),
    });
    const url: string = created.body.uploadUrl;
    expect((await put(url, randomBytes(1024), `bytes 0-1023/${10 * MB}`)).status).toBe(200);
    const gap = await put(url, randomBytes(1024), `bytes 2048-3071/${10 * MB}`);
    expect(gap.status).toBe(416);
    expect(((await gap.json()) as any).error.code).toBe("InvalidRange");
    const wrongTotal = await put(url, randomBytes(1024), `bytes 1024-2047/${11 * MB}`);
    expect(wrongTotal.status).toBe(400);
    const wrongLength = await put(url, randomBytes(1000), `bytes 1024-2047/${10 * MB}`);
    expect(wrongLength.status).toBe(400);
    expect(((await wrongLength.json()) as any).error.message).toBe("The Content-Range header length does not match the provided number of bytes.");
    const oversized = await put(url, randomBytes(4 * MB + 1), `bytes 1024-${1024 + 4 * MB}/${10 * MB}`);
    expect(oversized.status).toBe(413);
    const noRange = await fetch(url, { method: "PUT", body: randomBytes(10) });
    expect(noRange.status).toBe(400);
    expect((await put(url.replace(/authtoken=.*/, "authtoken=forged"), randomBytes(1024), `bytes 1024-2047/${10 * MB}`)).status).toBe(404);
    // Nothing above moved the session on: the next expected byte is still 1024.
    expect((await put(url, randomBytes(1024), `bytes 1024-2047/${10 * MB}`)).status).toBe(200);
    expect((await fetch(url, { method: "DELETE" })).status).toBe(204);
    expect((await put(url, randomBytes(1024), `bytes 2048-3071/${10 * MB}`)).status).toBe(404);
    expect((await fixtureGraph(f).api(`/users/${mailbox}/messages/${id}/attachments`).get()).value).toEqual([]);
  });

  it("refuse a message over 150 MB with 400 ErrorMessageSizeExceeded; the limit is configurable", async () => {
    const { mailbox, id } = await newDraft();
    const path = `/users/${mailbox}/messages/${encodeURIComponent(id)}/attachments/createUploadSession`;
    const refused = await rawGraph(f, path, { method: "POST", body: sessionRequest("huge.iso", 151 * MB) });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: "ErrorMessageSizeExceeded", message: "The message exceeds the maximum supported size." });
    expect((await rawGraph(f, path, { method: "POST", body: sessionRequest("ok.iso", 140 * MB) })).status).toBe(201);

    f.sim.setSendingLimits({ maxMessageBytes: 35 * MB });
    try {
      const lowered = await rawGraph(f, path, { method: "POST", body: sessionRequest("mid.iso", 36 * MB) });
      expect(lowered.body.error.code).toBe("ErrorMessageSizeExceeded");
    } finally {
      f.sim.setSendingLimits({ maxMessageBytes: 150 * MB });
    }
  });

  it("need Mail.ReadWrite to be created", async () => {
    const { mailbox, id } = await newDraft();
    const { token } = await tokenForNewApp(f, ["Mail.Read", "Mail.Send"]);
    const denied = await rawGraph(f, `/users/${mailbox}/messages/${encodeURIComponent(id)}/attachments/createUploadSession`, {
      method: "POST",
      token,
      body: sessionRequest("x.pdf", 5 * MB),
    });
    expect(denied.status).toBe(403);
  });
});

describe("delivered attachments and $value", () => {
  it("streams a file's raw content: its bytes, or content generated from its seed (the same in every mailbox)", async () => {
    const mailbox = f.sim.addMailbox({ tenantId: f.tenantId, address: `att${++count}@contoso.example` }).address;
    const other = f.sim.addMailbox({ tenantId: f.tenantId, address: `att${++count}@contoso.example` }).address;
    const logo = Buffer.from("inline image bytes");
    const delivery = {
      subject: "With files",
      from: { address: "customer@fabrikam.example" },
      body: { contentType: "html" as const, content: '<img src="cid:logo@fabrikam">' },
      attachedFiles: [
        { name: "big.bin", size: 3 * MB + 17 },
        { name: "logo.png", contentType: "image/png", contentBytes: logo.toString("base64"), isInline: true, contentId: "logo@fabrikam" },
      ],
    };
    const { id } = f.sim.deliverMessage({ mailbox, ...delivery });
    const { id: otherId } = f.sim.deliverMessage({ mailbox: other, ...delivery });
    const digests: string[] = [];
    for (const [box, message] of [[mailbox, id], [other, otherId]] as const) {
      const list = await rawGraph(f, `/users/${box}/messages/${encodeURIComponent(message)}/attachments`);
      const [big, inline] = list.body.value;
      const response = await fetch(`${f.sim.url}/v1.0/users/${box}/messages/${encodeURIComponent(message)}/attachments/${encodeURIComponent(big.id)}/$value`, {
        headers: { Authorization: `Bearer ${await f.token()}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-length")).toBe(String(3 * MB + 17));
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.length).toBe(3 * MB + 17);
      digests.push(createHash("sha256").update(bytes).digest("hex"));
      const image = await fetch(`${f.sim.url}/v1.0/users/${box}/messages/${encodeURIComponent(message)}/attachments/${encodeURIComponent(inline.id)}/$value`, {
        headers: { Authorization: `Bearer ${await f.token()}` },
      });
      expect(image.headers.get("content-type")).toBe("image/png");
      expect(Buffer.from(await image.arrayBuffer())).toEqual(logo);
    }
    expect(digests[0]).toBe(digests[1]);
    // Not a repeated pattern: the first and second 64 KiB chunks differ.
    const { generatedContent } = await import("../tools/exchange-simulator/attachment-content.js");
    const chunks: Buffer[] = [];
    for await (const chunk of generatedContent("seed", 128 * 1024)) chunks.push(chunk as Buffer);
    expect(chunks[0]!.equals(chunks[1]!)).toBe(false);
  });

  it("lists item and reference attachments as what they are; only an item has a $value", async () => {
    const mailbox = f.sim.addMailbox({ tenantId: f.tenantId, address: `att${++count}@contoso.example` }).address;
    const { id } = f.sim.deliverMessage({
      mailbox,
      subject: "Items and links",
      from: { address: "customer@fabrikam.example" },
      attachedItems: [{ name: "Re: the quote", size: 4096 }],
      attachedLinks: [{ name: "Plan.docx" }],
    });
    const list = await rawGraph(f, `/users/${mailbox}/messages/${encodeURIComponent(id)}/attachments`);
    expect(list.body.value.map((a: any) => [a["@odata.type"], a.name, a.size])).toEqual([
      ["#microsoft.graph.itemAttachment", "Re: the quote", 4096],
      ["#microsoft.graph.referenceAttachment", "Plan.docx", 1024],
    ]);
    const [item, link] = list.body.value;
    const token = await f.token();
    const value = (a: any) => fetch(`${f.sim.url}/v1.0/users/${mailbox}/messages/${encodeURIComponent(id)}/attachments/${encodeURIComponent(a.id)}/$value`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await value(item)).headers.get("content-type")).toBe("message/rfc822");
    expect((await value(link)).status).toBe(400);
  });
});
