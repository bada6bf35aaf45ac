/**
 * `npm run -s token -- <role>... [--app]`: prints an access token for the local host's API.
 *
 * Demo tenant: the simulator `npm start` runs signs it (a user token of the demo's admin, a Global
 * Administrator, or with --app the CRM application's app-only token), asked at
 * https://localhost:LOCAL_SIMULATOR_PORT (7443) with the settings npm start reads. A real tenant:
 * tokens come from that tenant, so this says how to get one with the Azure CLI instead.
 */
import { request } from "node:https";
import { ensureDevCertificates } from "../dev-certificates.js";
import { demoTokenInput, parseTokenArguments } from "./demo-sign-in.js";
import { demoTenantId } from "./demo-tenant.js";
import { localEnvironment } from "./local-settings.js";

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function post(url: string, body: unknown, ca: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const call = request(url, { method: "POST", ca, headers: { "Content-Type": "application/json" }, timeout: 10_000 }, (response) => {
      let text = "";
      response.setEncoding("utf8").on("data", (chunk) => (text += chunk)).on("end", () => resolve({ status: response.statusCode ?? 0, text }));
    });
    call.on("timeout", () => call.destroy(new Error("timed out")));
    call.on("error", reject);
    call.end(JSON.stringify(body));
  });
}

async function main(): Promise<void> {
  let env;
  try {
    env = localEnvironment();
  } catch (error) {
    return fail((error as Error).message);
  }
  const parsed = parseTokenArguments(process.argv.slice(2));
  if ("error" in parsed) return fail(parsed.error);
  if (env.GRAPH_TENANT_ID?.trim()) {
    return fail(`A real tenant is configured (GRAPH_TENANT_ID): its tokens come from Entra ID, after an admin assigned you the role(s) ${parsed.roles.join(", ")}:\n  az account get-access-token --scope api://${env.API_AUDIENCE ?? "<API_AUDIENCE>"}/.default --query accessToken -o tsv`);
  }
  const port = env.LOCAL_SIMULATOR_PORT?.trim() || "7443";
  const url = `https://localhost:${port}/_sim/issueApiToken`;
  let answer: { status: number; text: string };
  try {
    answer = await post(url, [demoTokenInput(demoTenantId, parsed)], ensureDevCertificates().caPem);
  } catch (error) {
    return fail(`No demo tenant answers at https://localhost:${port} (${(error as Error).message}): start it with npm start (or set LOCAL_SIMULATOR_PORT to its port).`);
  }
  const result = (JSON.parse(answer.text) as { result?: string; error?: { message: string } });
  if (answer.status !== 200 || typeof result.result !== "string") return fail(`The demo tenant refused: ${result.error?.message ?? answer.status}`);
  process.stdout.write(`${result.result}\n`);
}

main().catch((error: unknown) => fail(`token failed: ${error instanceof Error ? error.message : String(error)}`));
