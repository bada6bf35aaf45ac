/**
 * POST /local/demo-sign-in: the console's sign-in on the local host's demo tenant. The user picks
 * app roles on the page (marked as the local demo sign-in) and gets the demo admin's token for
 * them, signed by the simulator exactly as `npm run token` gets it. Only the local host serves
 * this, only for its simulated tenant, on 127.0.0.1; in Azure the console signs in with Entra ID.
 */
import type { HttpResponseInit } from "@azure/functions";
import type { ExchangeSimulator } from "../exchange-simulator/index.js";
import { demoAdmin, demoTokenInput, parseTokenArguments } from "./demo-sign-in.js";
import { demoTenantId } from "./demo-tenant.js";
import type { LocalRoute } from "./http-adapter.js";

const lifetimeSeconds = 3600;

export function demoSignInRoute(simulator: ExchangeSimulator): LocalRoute {
  return {
    method: "POST",
    path: "/local/demo-sign-in",
    async handle(body: unknown): Promise<HttpResponseInit> {
      const roles = (body as { roles?: unknown })?.roles;
      const parsed = Array.isArray(roles) && roles.every((r) => typeof r === "string") ? parseTokenArguments(roles as string[]) : { error: "Expected a JSON body { \"roles\": [\"Sync.Admin\", …] }." };
      if ("error" in parsed) return { status: 400, jsonBody: { error: { code: "BadRequest", message: parsed.error.split("\n")[0], field: "roles" } } };
      const accessToken = simulator.issueApiToken({ ...demoTokenInput(demoTenantId, parsed), lifetimeSeconds });
      return {
        status: 200,
        headers: { "Cache-Control": "no-store" },
        jsonBody: { accessToken, expiresOn: new Date(Date.now() + lifetimeSeconds * 1000).toISOString(), name: demoAdmin.name, roles: parsed.roles },
      };
    },
  };
}
