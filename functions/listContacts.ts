/** GET /api/contacts?ownerId=…: a CRM user's contacts, paged. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { listActRecords } from "../shared/api/act-record-api.js";
import { json, queryObject, respond } from "../shared/api/http-responses.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function listContactsHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await listActRecords(await getRuntime(), "contact", queryObject(request))), context);
}

defineFunction({ kind: "http", name: "listContacts", route: "contacts", methods: ["GET"], handler: listContactsHandler });
