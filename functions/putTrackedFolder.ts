/** PUT /api/mailboxes/{id}/tracked-folders/{folderId}: track a folder under the Inbox, regarding a record (201 new, 200 replaced). */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { json, jsonBody, respond } from "../shared/api/http-responses.js";
import { putTrackedFolder } from "../shared/api/tracked-folder-api.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function putTrackedFolderHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => {
    const { created, folder } = await putTrackedFolder(await getRuntime(), request.params.id ?? "", request.params.folderId ?? "", await jsonBody(request));
    return json(created ? 201 : 200, folder);
  }, context);
}

defineFunction({ kind: "http", name: "putTrackedFolder", route: "mailboxes/{id}/tracked-folders/{folderId}", methods: ["PUT"], handler: putTrackedFolderHandler });
