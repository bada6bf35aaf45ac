/** Mail folder endpoints: get, list (top level / children), create child, patch, move, delete, hierarchy delta. */
import { deleteFolder, moveFolder, renameFolder } from "./folder-store.js";
import { GraphError } from "./graph-error.js";
import { folderProperties, renderFolder } from "./graph-json.js";
import { graphJson, requestJson, selectFields, type GraphCall } from "./graph-routes.js";
import type { SimResponse } from "./http-server.js";
import type { MailFolder } from "./mailbox-model.js";
import { normalizeExtendedPropertyId, parseExpand, parseSelect, parseTop } from "./odata-query.js";

const typeName = "microsoft.graph.mailFolder";

function render(call: GraphCall, folder: MailFolder): Record<string, unknown> {
  const select = parseSelect(call.query.get("select"), folderProperties, typeName);
  const expand = parseExpand(call.query.get("expand"), typeName);
  return selectFields(renderFolder(call.context.store, call.mailbox, folder, expand), select);
}

export function getFolder(call: GraphCall): SimResponse {
  const folder = call.context.store.folder(call.mailbox, call.params.folder!);
  return graphJson(call, `users('${call.userSegment}')/mailFolders/$entity`, render(call, folder));
}

/** Only `displayName eq '...'` is supported as a folder filter (what a by-name lookup needs). */
function listFolders(call: GraphCall, folders: MailFolder[], contextPath: string): SimResponse {
  const filter = call.query.get("filter");
  let selected = folders;
  if (filter !== undefined) {
    const match = /^\s*displayName\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(filter);
    if (!match) throw new GraphError(400, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.");
    const name = match[1]!.replace(/''/g, "'").toLowerCase();
    selected = folders.filter((f) => f.displayName.toLowerCase() === name);
  }
  // All folders in one page: mailboxes in the simulator have few folders.
  return graphJson(call, contextPath, { value: selected.map((f) => render(call, f)) });
}

export function listTopFolders(call: GraphCall): SimResponse {
  const { store } = call.context;
  return listFolders(call, store.childFolders(call.mailbox, call.mailbox.rootFolderId), `users('${call.userSegment}')/mailFolders`);
}

export function listChildFolders(call: GraphCall): SimResponse {
  const { store } = call.context;
  const parent = store.folder(call.mailbox, call.params.folder!);
  return listFolders(
    call,
    store.childFolders(call.mailbox, parent.id),
    `users('${call.userSegment}')/mailFolders('${call.params.folder}')/childFolders`,
  );
}

export function createChildFolder(call: GraphCall): SimResponse {
  const { store } = call.context;
  const parent = store.folder(call.mailbox, call.params.folder!);
  const body = requestJson(call);
  if (typeof body.displayName !== "string" || body.displayName.trim() === "") {
    throw new GraphError(400, "ErrorInvalidRequest", "The folder display name must be provided.");
  }
  const folder = store.createChildFolder(call.mailbox, parent.id, body.displayName);
  if (body.isHidden === true) folder.isHidden = true;
  return graphJson(
    call,
    `users('${call.userSegment}')/mailFolders('${call.params.folder}')/childFolders/$entity`,
    renderFolder(store, call.mailbox, folder),
    201,
  );
}

export function patchFolder(call: GraphCall): SimResponse {
  const folder = call.context.store.folder(call.mailbox, call.params.folder!);
  const body = requestJson(call);
  if (typeof body.displayName === "string") renameFolder(call.context.store, call.mailbox, folder.id, body.displayName);
  const properties = body.singleValueExtendedProperties;
  if (properties !== undefined) {
    if (!Array.isArray(properties)) throw new GraphError(400, "ErrorInvalidRequest", "singleValueExtendedProperties must be an array.");
    for (const property of properties as Array<{ id?: unknown; value?: unknown }>) {
      if (typeof property?.id !== "string" || typeof property.value !== "string") {
        throw new GraphError(400, "ErrorInvalidExtendedPropertyValue", "Each extended property needs a string id and value.");
      }
      folder.extendedProperties.set(normalizeExtendedPropertyId(property.id), property.value);
    }
  }
  return graphJson(call, `users('${call.userSegment}')/mailFolders/$entity`, renderFolder(call.context.store, call.mailbox, folder));
}

/** POST …/mailFolders/{id}/move `{ destinationId }`: 201 with the folder, whose id is kept. */
export function moveFolderEndpoint(call: GraphCall): SimResponse {
  const body = requestJson(call);
  if (typeof body.destinationId !== "string") throw new GraphError(400, "ErrorInvalidRequest", "The destinationId parameter is required.");
  const folder = moveFolder(call.context.store, call.mailbox, call.params.folder!, body.destinationId);
  return graphJson(call, `users('${call.userSegment}')/mailFolders/$entity`, renderFolder(call.context.store, call.mailbox, folder), 201);
}

/** DELETE …/mailFolders/{id}: into Deleted Items (204); POST …/permanentDelete removes it for good. */
export function deleteFolderEndpoint(call: GraphCall): SimResponse {
  deleteFolder(call.context.store, call.mailbox, call.params.folder!);
  return { status: 204 };
}

export function permanentDeleteFolderEndpoint(call: GraphCall): SimResponse {
  deleteFolder(call.context.store, call.mailbox, call.params.folder!, { hard: true });
  return { status: 204 };
}

/** GET …/mailFolders/delta: the whole hierarchy, then what changed (folder-delta.ts); `$select` on the first request only. */
export function folderDelta(call: GraphCall): SimResponse {
  const { folderDelta: delta } = call.context;
  const skipToken = call.query.get("skiptoken");
  const deltaToken = call.query.get("deltatoken");
  const page =
    skipToken !== undefined || deltaToken !== undefined
      ? delta.follow(call.mailbox, skipToken !== undefined ? "skiptoken" : "deltatoken", (skipToken ?? deltaToken)!, call.prefer.maxPageSize)
      : delta.start(call.mailbox, parseSelect(call.query.get("select"), folderProperties, typeName), Math.min(call.prefer.maxPageSize ?? parseTop(call.query.get("top")) ?? 10, 1000));
  const link = `${call.context.baseUrl()}/v1.0/users/${call.mailbox.id}/mailFolders/delta`;
  return graphJson(call, "Collection(mailFolder)", {
    ...(page.nextToken ? { "@odata.nextLink": `${link}?$skiptoken=${page.nextToken}` } : {}),
    value: page.items,
    ...(page.deltaToken ? { "@odata.deltaLink": `${link}?$deltatoken=${page.deltaToken}` } : {}),
  });
}
