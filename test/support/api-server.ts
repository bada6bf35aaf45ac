/**
 * Serves the product's HTTP functions over real HTTP for a test's runtime (as the local host does),
 * behind the same token check as in Azure: a test token issuer (token-issuer.ts) publishes its keys
 * over HTTPS, and every call carries a token it signed — by default a Global Administrator user's
 * with every app role, in the runtime's Graph tenant. Pass an `Authorization` header to `send` to
 * use another token, or an empty one to send none.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { hostFunctionsLocally, registeredFunctions } from "../../shared/hosting/function-registry.js";
import { tokenAuthentication } from "../../shared/auth/token-authentication.js";
import { setRuntime, type Runtime } from "../../shared/runtime.js";
import { serveHttpFunctions, type LocalHttpServer } from "../tools/local-host/http-adapter.js";
import { startTokenIssuer, type TestTokenIssuer } from "./token-issuer.js";

const functionsDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../functions");

export interface ApiServer extends LocalHttpServer {
  call(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Like call, with request headers (If-Match) and the response's ETag. */
  send(method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; etag: string | null; headers: Headers }>;
  /** `Bearer <token>`: the default token, for a test that calls fetch itself. */
  authorization: string;
  /** The issuer of the API's tokens in this test (its tenant is the runtime's Graph tenant when that is a GUID). */
  tokens: TestTokenIssuer;
}

const isGuid = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

export async function startApiServer(runtime: Runtime, options: { logHandler?: (level: string, ...args: unknown[]) => void } = {}): Promise<ApiServer> {
  hostFunctionsLocally();
  for (const file of readdirSync(functionsDir).filter((f) => f.endsWith(".ts"))) await import(pathToFileURL(path.join(functionsDir, file)).href);
  const tokens = await startTokenIssuer({ tenantId: isGuid(runtime.settings.graph.tenantId) ? runtime.settings.graph.tenantId : undefined });
  // No refetch cooldown: a test that rotates keys sees the new key at once.
  runtime.authentication = tokenAuthentication(tokens.settings, { keyRefetchCooldownMs: 0 });
  setRuntime(runtime);
  const server = await serveHttpFunctions(registeredFunctions(), { host: "127.0.0.1", port: 0, logHandler: options.logHandler ?? (() => undefined) });
  const authorization = `Bearer ${tokens.userToken()}`;
  return {
    ...server,
    tokens,
    authorization,
    async close() {
      await server.close();
      await tokens.close();
    },
    async call(method, route, body) {
      const response = await fetch(`${server.url}/api/${route}`, {
        method,
        headers: { Authorization: authorization, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async send(method, route, body, headers = {}) {
      const response = await fetch(`${server.url}/api/${route}`, {
        method,
        headers: withoutEmpty({ Authorization: authorization, ...(body === undefined ? {} : { "Content-Type": "application/json" }), ...headers }),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined, etag: response.headers.get("etag"), headers: response.headers };
    },
  };
}

/** Headers given as "" are not sent (a call without a token). */
function withoutEmpty(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== ""));
}
