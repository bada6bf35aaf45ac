/**
 * Top-level routing: `/_sim/...` control API, `/v1.0/...` Graph, `/api/v2.0/...` the
 * pre-authenticated attachment upload URLs (Outlook's shape), everything else the identity
 * platform (`/{tenant}/v2.0/.well-known/openid-configuration`, `/{tenant}/oauth2/v2.0/token`,
 * `/{tenant}/discovery/v2.0/keys`, `/common/discovery/instance`).
 */
import { handleControlRequest, type ControlMethods } from "./control-api.js";
import { aadErrorBody, AadError } from "./graph-error.js";
import { defaultFaultCode } from "./faults.js";
import { handleGraphRequest } from "./graph-pipeline.js";
import { instanceDiscovery, openIdConfiguration } from "./identity.js";
import type { SimHandler, SimRequest, SimResponse } from "./http-server.js";
import { sleep, type SimulatorContext } from "./simulator-context.js";
import { handleUploadRequest } from "./upload-sessions.js";

export function createRouter(context: SimulatorContext, control: ControlMethods): SimHandler {
  return async (request) => {
    const path = request.url.pathname;
    if (path.startsWith("/_sim/")) return handleControlRequest(control, request);
    if (path === "/v1.0" || path.startsWith("/v1.0/")) return handleGraphRequest(context, request);
    if (path.startsWith("/api/v2.0/")) return handleUploadRequest(context, request);
    return handleIdentityRequest(context, request);
  };
}

async function handleIdentityRequest(context: SimulatorContext, request: SimRequest): Promise<SimResponse | "reset"> {
  const now = new Date(context.now());
  const fault = context.faults.take({
    pathAndQuery: request.url.pathname + request.url.search,
    method: request.method,
    isGraph: false,
  });
  if (fault?.kind === "reset") return "reset";
  if (fault?.kind === "hang") await sleep(fault.ms);
  try {
    if (fault && fault.kind !== "hang") {
      throw new AadError(
        fault.status,
        fault.code ?? defaultFaultCode(fault.status),
        50000,
        fault.message ?? "There was an error issuing a token or an authorization code.",
        fault.retryAfterSeconds === undefined ? {} : { "Retry-After": String(fault.retryAfterSeconds) },
      );
    }
    return { status: 200, body: identityEndpoint(context, request), contentKind: "identity" };
  } catch (error) {
    if (!(error instanceof AadError)) throw error;
    return {
      status: error.status,
      body: aadErrorBody(error, now, request.clientRequestId),
      headers: error.headers,
      contentKind: "identity",
    };
  }
}

function identityEndpoint(context: SimulatorContext, request: SimRequest): object {
  const segments = request.url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const base = context.baseUrl();
  const [tenant, ...rest] = segments;
  const route = rest.join("/").toLowerCase();
  if (tenant?.toLowerCase() === "common" && route === "discovery/instance" && request.method === "GET") {
    return instanceDiscovery(base);
  }
  if (tenant && request.method === "GET" && (route === "v2.0/.well-known/openid-configuration" || route === ".well-known/openid-configuration")) {
    return openIdConfiguration(base, context.identity.requireTenant(tenant));
  }
  if (tenant && request.method === "GET" && route === "discovery/v2.0/keys") {
    context.identity.requireTenant(tenant);
    // Graph's access tokens are opaque; the keys are those of the product API's tokens (api-tokens.ts).
    return context.apiTokens.jwks();
  }
  if (tenant && request.method === "POST" && route === "oauth2/v2.0/token") {
    const form = new URLSearchParams(request.body.toString("utf8"));
    const tokenEndpoints = [`${base}/${tenant}/oauth2/v2.0/token`, `${base}/${tenant}/oauth2/token`];
    return context.identity.issueToken(tenant, form, tokenEndpoints, base);
  }
  throw new AadError(404, "invalid_request", 900561, `The endpoint ${request.method} ${request.url.pathname} is not supported.`);
}
