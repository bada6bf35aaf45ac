/** POST /api/address-book/resolve: the CRM records (users, queues, contacts, accounts, leads, declared types) each address stands for. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { resolveAddresses } from "../shared/api/declared-record-api.js";
import { json, jsonBody, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function resolveAddressesHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await resolveAddresses(await getRuntime(), await jsonBody(request))), context);
}

defineFunction({ kind: "http", name: "resolveAddresses", route: "address-book/resolve", methods: ["POST"], handler: resolveAddressesHandler });
