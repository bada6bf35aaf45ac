/** GET /api/mailboxes/{id}/tracked-folders: the mailbox's tracked folders, with their paths and regarding records. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { json, respond } from "../shared/api/http-responses.js";
import { listTrackedFolders } from "../shared/api/tracked-folder-api.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function listTrackedFoldersHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => json(200, await listTrackedFolders(await getRuntime(), request.params.id ?? "")), context);
}

defineFunction({ kind: "http", name: "listTrackedFolders", route: "mailboxes/{id}/tracked-folders", methods: ["GET"], handler: listTrackedFoldersHandler });
