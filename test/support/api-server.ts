/** Serves the product's HTTP functions over real HTTP for a test's runtime (as the local host does). */
import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { hostFunctionsLocally, registeredFunctions } from "../../shared/hosting/function-registry.js";
import { setRuntime, type Runtime } from "../../shared/runtime.js";
import { serveHttpFunctions, type LocalHttpServer } from "../tools/local-host/http-adapter.js";

const functionsDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../functions");

export interface ApiServer extends LocalHttpServer {
  call(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Like call, with request headers (If-Match) and the response's ETag. */
  send(method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; etag: string | null }>;
}

export async function startApiServer(runtime: Runtime): Promise<ApiServer> {
  hostFunctionsLocally();
  for (const file of readdirSync(functionsDir).filter((f) => f.endsWith(".ts"))) await import(pathToFileURL(path.join(functionsDir, file)).href);
  setRuntime(runtime);
  const server = await serveHttpFunctions(registeredFunctions(), { host: "127.0.0.1", port: 0, logHandler: () => undefined });
  return {
    ...server,
    async call(method, route, body) {
      const response = await fetch(`${server.url}/api/${route}`, {
        method,
        headers: body === undefined ? {} : { "Content-Type": "application/json" },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async send(method, route, body, headers = {}) {
      const response = await fetch(`${server.url}/api/${route}`, {
        method,
        headers: { ...(body === undefined ? {} : { "Content-Type": "application/json" }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined, etag: response.headers.get("etag") };
    },
  };
}
