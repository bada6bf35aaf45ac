/**
 * Large attachment upload sessions. createUploadSession hands out a pre-authenticated URL shaped
 * like Outlook's (`/api/v2.0/Users('…')/Messages('…')/AttachmentSessions('…')?authtoken=…`); the
 * client PUTs the file there in order, each request carrying `Content-Range: bytes a-b/total`.
 * No Authorization header is needed (one that is sent anyway is ignored: the Graph client attaches
 * its token to every URL on a custom host).
 *
 * Answers, as the Outlook attachment docs show them: 200 with `ExpirationDateTime` and
 * `nextExpectedRanges: ["<next byte>"]` for an intermediate chunk; 201, empty body and a
 * `Location` naming the new attachment for the last one; DELETE cancels with 204.
 *
 * Decisions (not confirmed against the live service): chunks over 4 MB answer 413; a chunk that
 * does not start at the next expected byte answers 416 InvalidRange; a malformed Content-Range, a
 * total that differs from the session's size or a length that differs from the body answer 400
 * ErrorInvalidRequest; sessions expire one hour after creation (simulator clock), after which the
 * URL answers 404 like an unknown session. Only size and SHA-256 of the bytes are kept.
 */
import { createHash, randomBytes, type Hash } from "node:crypto";
import { attach } from "./attachment-endpoints.js";
import { GraphError } from "./graph-error.js";
import { graphDate } from "./graph-json.js";
import type { SimRequest, SimResponse } from "./http-server.js";
import type { Mailbox } from "./mailbox-model.js";
import { storedAttachment } from "./message-input.js";
import { sleep, type SimulatorContext } from "./simulator-context.js";

export const maxChunkBytes = 4 * 1024 * 1024;
const sessionLifetimeMs = 60 * 60_000;

interface UploadSession {
  id: string;
  token: string;
  mailboxId: string;
  tenantId: string;
  messageId: string;
  name: string;
  contentType: string;
  isInline: boolean;
  contentId: string | null;
  size: number;
  received: number;
  hash: Hash;
  expiresAt: number;
}

export type AttachmentItem = Pick<UploadSession, "name" | "size" | "contentType" | "isInline" | "contentId">;

const sessionPath = /^\/api\/v2\.0\/Users\('([^']+)'\)\/Messages\('([^']+)'\)\/AttachmentSessions\('([^']+)'\)\/?$/i;

export class UploadSessions {
  private readonly sessions = new Map<string, UploadSession>();

  constructor(private readonly now: () => number) {}

  create(baseUrl: string, mailbox: Mailbox, messageId: string, item: AttachmentItem): { uploadUrl: string; expirationDateTime: string } {
    const session: UploadSession = {
      ...item,
      id: `AAMkA${randomBytes(30).toString("base64url")}=`,
      token: randomBytes(32).toString("base64url"),
      mailboxId: mailbox.id,
      tenantId: mailbox.tenantId,
      messageId,
      received: 0,
      hash: createHash("sha256"),
      expiresAt: this.now() + sessionLifetimeMs,
    };
    this.sessions.set(session.id, session);
    return { uploadUrl: `${sessionUrl(baseUrl, session)}?authtoken=${session.token}`, expirationDateTime: graphDate(session.expiresAt) };
  }

  /** The live session a URL names, or undefined (unknown, expired, or a wrong token). */
  find(sessionId: string, token: string | null): UploadSession | undefined {
    const session = this.sessions.get(sessionId);
    if (!session || session.token !== token) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(sessionId);
      return undefined;
    }
    return session;
  }

  end(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  reset(): void {
    this.sessions.clear();
  }
}

function sessionUrl(baseUrl: string, session: Pick<UploadSession, "mailboxId" | "tenantId" | "messageId" | "id">): string {
  return `${baseUrl}/api/v2.0/Users('${session.mailboxId}@${session.tenantId}')/Messages('${session.messageId}')/AttachmentSessions('${session.id}')`;
}

/** Outlook REST error envelope: no innerError. */
function failure(status: number, code: string, message: string, headers: Record<string, string> = {}): SimResponse {
  return { status, body: { error: { code, message } }, headers };
}

const notFound = () => failure(404, "ErrorItemNotFound", "The specified object was not found in the store.");

export async function handleUploadRequest(context: SimulatorContext, request: SimRequest): Promise<SimResponse | "reset"> {
  const match = sessionPath.exec(decodeURIComponent(request.url.pathname));
  const session = match ? context.uploads.find(match[3]!, request.url.searchParams.get("authtoken")) : undefined;
  const mailbox = session ? context.store.find(session.mailboxId) : undefined;
  // Faults reach upload URLs only through pathIncludes (e.g. "AttachmentSessions").
  const fault = context.faults.take({ pathAndQuery: request.url.pathname + request.url.search, method: request.method, isGraph: false, mailbox });
  if (fault?.kind === "reset") return "reset";
  if (fault?.kind === "hang") await sleep(fault.ms);
  else if (fault) {
    const retry: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "Retry-After": String(fault.retryAfterSeconds) };
    return failure(fault.status, fault.code ?? "ErrorInternalServerError", fault.message ?? "The simulator injected this failure.", retry);
  }
  if (!session || !mailbox) return notFound();
  if (request.method === "DELETE") {
    context.uploads.end(session.id);
    return { status: 204 };
  }
  if (request.method !== "PUT") return failure(405, "ErrorInvalidRequest", "Use PUT to upload a range or DELETE to cancel.");
  return uploadChunk(context, request, session, mailbox);
}

function uploadChunk(context: SimulatorContext, request: SimRequest, session: UploadSession, mailbox: Mailbox): SimResponse {
  const chunk = request.body;
  if (chunk.length > maxChunkBytes) return failure(413, "BadRequest", "The maximum request length supported is 4MB.");
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(request.headers["content-range"] ?? "").trim());
  if (!range) return failure(400, "ErrorInvalidRequest", "The Content-Range header is missing or malformed; use 'bytes {start}-{end}/{total}'.");
  const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
  if (total !== session.size) {
    return failure(400, "ErrorInvalidRequest", `The upload session is for ${session.size} total bytes, but the fragment declares a total of ${total}.`);
  }
  if (end < start || end - start + 1 !== chunk.length) {
    return failure(400, "ErrorInvalidRequest", "The Content-Range header length does not match the provided number of bytes.");
  }
  if (start !== session.received) {
    return failure(416, "InvalidRange", `The fragment must start at byte ${session.received}, the next expected byte.`);
  }
  session.hash.update(chunk);
  session.received += chunk.length;
  if (session.received < session.size) {
    return {
      status: 200,
      body: {
        "@odata.context": `${context.baseUrl()}/api/v2.0/$metadata#Users('${session.mailboxId}@${session.tenantId}')/Messages('${session.messageId}')/AttachmentSessions/$entity`,
        ExpirationDateTime: graphDate(session.expiresAt),
        nextExpectedRanges: [String(session.received)],
      },
    };
  }
  context.uploads.end(session.id);
  const message = mailbox.messages.get(session.messageId);
  if (!message) return notFound();
  const attachment = storedAttachment(
    { name: session.name, contentType: session.contentType, isInline: session.isInline, contentId: session.contentId, size: session.size, sha256: session.hash.digest("hex") },
    context.now(),
  );
  try {
    attach(context, mailbox, message, attachment);
  } catch (error) {
    if (error instanceof GraphError) return failure(error.status, error.code, error.message);
    throw error;
  }
  const location = `${context.baseUrl()}/api/v2.0/Users('${session.mailboxId}@${session.tenantId}')/Messages('${session.messageId}')/Attachments('${attachment.id}')`;
  return { status: 201, headers: { Location: location } };
}
