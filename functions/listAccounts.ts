/** GET /api/accounts?ownerId=…: a CRM user's accounts, paged. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { listActRecords } from "../shared/api/act-record-api.js";
import { json, queryObject, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function listAccountsHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await listActRecords(await getRuntime(), "account", queryObject(request))), context);
}

defineFunction({ kind: "http", name: "listAccounts", route: "accounts", methods: ["GET"], handler: listAccountsHandler });
