/**
 * The HTTPS front: reads requests, hands them to the router, writes responses with the headers
 * Graph and the identity platform send (request-id, client-request-id echo, OData content type).
 * Listens on loopback; the URL uses "localhost" because the dev certificate names it and MSAL and
 * the Graph client require https.
 */
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { pipeline, type Readable } from "node:stream";

export interface SimRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  requestId: string;
  clientRequestId: string;
}

export type ContentKind = "graph" | "identity" | "plain";

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  contentKind?: ContentKind;
  /** Raw content instead of JSON (an attachment's `$value`), streamed as it is read. */
  content?: { contentType: string; length: number; stream: Readable };
}

/** "reset" destroys the connection without an answer, as a dropped connection would. */
export type SimHandler = (request: SimRequest) => Promise<SimResponse | "reset">;

const contentTypes: Record<ContentKind, string> = {
  graph: "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
  identity: "application/json; charset=utf-8",
  plain: "application/json; charset=utf-8",
};

const maxBodyBytes = 50 * 1024 * 1024;

export interface RunningServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startHttpsServer(options: {
  host: string;
  port: number;
  certPem: string;
  keyPem: string;
  handler: SimHandler;
}): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server = createServer({ cert: options.certPem, key: options.keyPem, keepAlive: true }, (req, res) => {
    void serve(req, res, options.handler);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging requests and keep-alive connections must not keep close() waiting.
        for (const socket of sockets) socket.destroy();
      }),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, handler: SimHandler): Promise<void> {
  const requestId = randomUUID();
  const clientRequestIdHeader = req.headers["client-request-id"];
  const clientRequestId = (Array.isArray(clientRequestIdHeader) ? clientRequestIdHeader[0] : clientRequestIdHeader) ?? requestId;
  let result: SimResponse | "reset";
  try {
    const body = await readBody(req);
    result = await handler({
      method: req.method ?? "GET",
      url: new URL(req.url ?? "/", `https://${req.headers.host ?? "localhost"}`),
      headers: req.headers,
      body,
      requestId,
      clientRequestId,
    });
  } catch (error) {
    result = { status: 500, body: { error: { code: "InternalServerError", message: String(error) } }, contentKind: "plain" };
  }
  if (res.destroyed || res.writableEnded) return;
  if (result === "reset") {
    req.socket.destroy();
    return;
  }
  const headers: Record<string, string> = {
    "request-id": requestId,
    "client-request-id": clientRequestId,
    "Cache-Control": "no-cache",
    ...result.headers,
  };
  if (result.content) {
    res.writeHead(result.status, { ...headers, "Content-Type": result.content.contentType, "Content-Length": String(result.content.length) });
    pipeline(result.content.stream, res, () => undefined);
    return;
  }
  if (result.body === undefined) {
    res.writeHead(result.status, headers).end();
    return;
  }
  const payload = Buffer.from(JSON.stringify(result.body));
  res
    .writeHead(result.status, {
      ...headers,
      "Content-Type": contentTypes[result.contentKind ?? "graph"],
      "Content-Length": String(payload.length),
    })
    .end(payload);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new Error("Request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
