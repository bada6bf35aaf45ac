/** DELETE /api/mailboxes/{id}/tracked-folders/{folderId}: stop tracking a folder (204); mail tracked from it stays tracked. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { respond } from "../shared/api/http-responses.js";
import { deleteTrackedFolder } from "../shared/api/tracked-folder-api.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

export async function deleteTrackedFolderHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(async () => {
    await deleteTrackedFolder(await getRuntime(), request.params.id ?? "", request.params.folderId ?? "");
    return { status: 204 };
  }, context);
}

defineFunction({ kind: "http", name: "deleteTrackedFolder", route: "mailboxes/{id}/tracked-folders/{folderId}", methods: ["DELETE"], handler: deleteTrackedFolderHandler });
