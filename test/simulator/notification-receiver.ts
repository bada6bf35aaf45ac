/**
 * A real HTTP(S) notification endpoint for the subscription tests: it answers Graph's validation
 * handshake (or misbehaves on purpose) and records every notification POST it receives.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { ensureDevCertificates } from "../tools/dev-certificates.js";

export interface ReceivedBatch {
  path: string;
  at: number;
  value: any[];
}

export interface ReceiverBehaviour {
  /** How the handshake is answered: echo the decoded token (right), or get it wrong in one way. */
  validation: "echo" | "status500" | "rawQueryValue" | "json";
  validationDelayMs: number;
  /** Status for notification POSTs (default 202). */
  notificationStatus: number;
  notificationDelayMs: number;
  /** Answer the next N notification POSTs 500. */
  failNext: number;
}

export interface NotificationReceiver {
  /** Base URL; any path is accepted (e.g. `${url}/notify`, `${url}/lifecycle`). */
  url: string;
  behaviour: ReceiverBehaviour;
  validations: Array<{ path: string; token: string | null; contentType: string | undefined }>;
  batches: ReceivedBatch[];
  /** Every notification received on a path, in arrival order. */
  received(path: string): any[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startReceiver(options: { https?: boolean } = {}): Promise<NotificationReceiver> {
  const behaviour: ReceiverBehaviour = { validation: "echo", validationDelayMs: 0, notificationStatus: 202, notificationDelayMs: 0, failNext: 0 };
  const validations: NotificationReceiver["validations"] = [];
  const batches: ReceivedBatch[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://receiver");
    const token = url.searchParams.get("validationToken");
    if (token !== null) {
      validations.push({ path: url.pathname, token, contentType: req.headers["content-type"] });
      await sleep(behaviour.validationDelayMs);
      if (behaviour.validation === "status500") return res.writeHead(500).end();
      if (behaviour.validation === "json") return res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(token));
      const raw = /validationToken=([^&]*)/.exec(req.url ?? "")?.[1] ?? "";
      return res.writeHead(200, { "Content-Type": "text/plain" }).end(behaviour.validation === "rawQueryValue" ? raw : token);
    }
    await sleep(behaviour.notificationDelayMs);
    batches.push({ path: url.pathname, at: Date.now(), value: JSON.parse(Buffer.concat(chunks).toString("utf8")).value });
    if (behaviour.failNext > 0) {
      behaviour.failNext--;
      return res.writeHead(500).end();
    }
    res.writeHead(behaviour.notificationStatus).end();
  };
  const listener = (req: IncomingMessage, res: ServerResponse) => void handle(req, res).catch(() => res.destroy());
  const certificates = options.https ? ensureDevCertificates() : undefined;
  const server = certificates
    ? createHttpsServer({ cert: certificates.serverCertPem, key: certificates.serverKeyPem }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.https ? "https" : "http"}://127.0.0.1:${port}`,
    behaviour,
    validations,
    batches,
    received: (path) => batches.filter((b) => b.path === path).flatMap((b) => b.value),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
