/**
 * Serves the HTTP function definitions on plain Node http, the way the Functions host does:
 * routes under /api, `{param}` segments, JSON bodies, no keys (like `func start`).
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { pipeline, Readable } from "node:stream";
import { ReadableStream } from "node:stream/web";
import azureFunctions, { type HttpHandler, type HttpResponseInit } from "@azure/functions";
import type { FunctionDefinition } from "../../../shared/hosting/function-registry.js";

// The package is CommonJS: under plain Node ESM its classes come through the default export.
const { HttpRequest, InvocationContext } = azureFunctions;

type HttpDefinition = Extract<FunctionDefinition, { kind: "http" }>;

interface CompiledRoute {
  definition: HttpDefinition;
  pattern: RegExp;
  params: string[];
  literalSegments: number;
}

function compile(definition: HttpDefinition): CompiledRoute {
  const params: string[] = [];
  const segments = definition.route.split("/").filter(Boolean);
  const pattern = segments
    .map((segment) => {
      // {*rest}: the rest of the path, slashes included, possibly empty (the Functions host's catch-all).
      const catchAll = /^\{\*([A-Za-z0-9_]+)\}$/.exec(segment);
      if (catchAll) {
        params.push(catchAll[1]!);
        return "\u0000";
      }
      const param = /^\{([A-Za-z0-9_]+)\??\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      params.push(param[1]!);
      return "([^/]+)";
    })
    .join("/")
    .replace(/\/?\u0000/, "(?:/(.*))?");
  return { definition, pattern: new RegExp(`^/api/${pattern}/?$`, "i"), params, literalSegments: segments.length - params.length };
}

async function readBody(request: http.IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw Object.assign(new Error("body too large"), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(response: http.ServerResponse, init: HttpResponseInit): void {
  const headers: Record<string, string> = {};
  new Headers(init.headers as ConstructorParameters<typeof Headers>[0]).forEach((value, key) => (headers[key] = value));
  // A streamed body (an attachment's content) is piped as it is read, as the host streams it.
  const stream = streamOf(init.body);
  if (stream) {
    response.writeHead(init.status ?? 200, headers);
    pipeline(stream, response, () => undefined);
    return;
  }
  let body: string | Buffer | undefined;
  if (init.jsonBody !== undefined) {
    body = JSON.stringify(init.jsonBody);
    headers["content-type"] ??= "application/json; charset=utf-8";
  } else if (typeof init.body === "string" || Buffer.isBuffer(init.body)) {
    body = init.body;
  } else if (init.body instanceof Uint8Array) {
    body = Buffer.from(init.body);
  }
  response.writeHead(init.status ?? 200, headers);
  response.end(body);
}

function streamOf(body: HttpResponseInit["body"]): Readable | undefined {
  if (body instanceof Readable) return body;
  if (body instanceof ReadableStream) return Readable.fromWeb(body as ReadableStream<Uint8Array>);
  return undefined;
}

export interface LocalHttpServer {
  url: string;
  close(): Promise<void>;
}

/** A route of the local host itself, outside /api (the demo sign-in): method, exact path, handler of the JSON body. */
export interface LocalRoute {
  method: string;
  path: string;
  handle(body: unknown): Promise<HttpResponseInit>;
}

export async function serveHttpFunctions(
  definitions: readonly FunctionDefinition[],
  options: { host: string; port: number; logHandler: (level: string, ...args: unknown[]) => void; localRoutes?: LocalRoute[] },
): Promise<LocalHttpServer> {
  const routes = definitions
    .filter((d): d is HttpDefinition => d.kind === "http")
    .map(compile)
    // Literal segments win over parameters, as in the Functions host ("mailboxes/test-and-enable" before "mailboxes/{id}").
    .sort((a, b) => b.literalSegments - a.literalSegments);

  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", `http://${request.headers.host ?? "localhost"}`);
    if (url.pathname === "/" || url.pathname === "/console") return send(response, { status: 302, headers: { Location: "/api/console/" } });
    const local = options.localRoutes?.find((route) => route.path === url.pathname && route.method === request.method);
    if (local) {
      try {
        const text = (await readBody(request, 64 * 1024)).toString("utf8");
        return send(response, await local.handle(text ? JSON.parse(text) : undefined));
      } catch {
        return send(response, { status: 400, jsonBody: { error: { code: "BadRequest", message: "The body is not JSON." } } });
      }
    }
    const matches = routes.map((route) => ({ route, match: route.pattern.exec(url.pathname) })).filter((m) => m.match);
    if (matches.length === 0) return send(response, { status: 404, jsonBody: { error: { code: "NotFound", message: `No function serves ${url.pathname}.` } } });
    const hit = matches.find((m) => m.route.definition.methods.includes((request.method ?? "GET") as never));
    if (!hit) return send(response, { status: 405, jsonBody: { error: { code: "MethodNotAllowed", message: `${request.method} is not allowed on ${url.pathname}.` } } });
    try {
      const body = await readBody(request, 100 * 1024 * 1024);
      const params = Object.fromEntries(hit.route.params.map((name, i) => [name, decodeURIComponent(hit.match![i + 1] ?? "")]));
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(request.headers)) if (typeof value === "string") headers[key] = value;
      const httpRequest = new HttpRequest({
        method: request.method ?? "GET",
        url: url.toString(),
        headers,
        query: Object.fromEntries(url.searchParams),
        params,
        body: body.length > 0 ? { bytes: body } : undefined,
      });
      const context = new InvocationContext({ invocationId: randomUUID(), functionName: hit.route.definition.name, logHandler: options.logHandler as never });
      const handler = hit.route.definition.handler as HttpHandler;
      send(response, await handler(httpRequest, context));
    } catch (error) {
      const status = (error as { status?: number }).status ?? 500;
      send(response, { status, jsonBody: { error: { code: status === 413 ? "PayloadTooLarge" : "InternalError", message: status === 413 ? "The request body is too large." : "The local host failed to run the function." } } });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as { port: number };
  return {
    url: `http://${options.host}:${address.port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
