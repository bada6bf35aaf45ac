/**
 * Contact folders and contacts: `POST/GET /contactFolders[/{id}]`, CRUD on `/contacts` (the default
 * folder) and `/contactFolders/{id}/contacts`, and `/contactFolders/{id}/contacts/delta` ($select
 * and $expand of extended properties kept in the sync state, as Graph documents $select there;
 * **decision:** $filter, $orderby and $search answer 400 ErrorInvalidUrlQuery).
 */
import { deltaBase, deltaResponse, pagedCollection } from "./collection-paging.js";
import { contactProperties, readContactInput, renderContact } from "./contact-json.js";
import {
  contactsIn, createContact, createContactFolder, deleteContact, requireContact, resolveContactFolder, updateContact,
} from "./contact-store.js";
import { GraphError } from "./graph-error.js";
import { graphJson, requestJson, selectFields, type GraphCall } from "./graph-routes.js";
import type { SimResponse } from "./http-server.js";
import { matchesStamp, parseStampFilter } from "./item-filter.js";
import { parseExpand, parseSelect, parseTop } from "./odata-query.js";
import { contactFolderProperties } from "./probe-endpoints.js";

const typeName = "microsoft.graph.contact";

const renderOptions = (call: GraphCall) => ({
  select: parseSelect(call.query.get("select"), contactProperties, typeName),
  expandPropertyIds: parseExpand(call.query.get("expand"), typeName),
});

/** The folder of the route: `/contactFolders/{folder}/…`, or the default folder for `/contacts`. */
const folderOf = (call: GraphCall) => resolveContactFolder(call.mailbox, call.params.folder ?? call.mailbox.contactsFolderId);
const entityContext = (call: GraphCall) => `users('${call.userSegment}')/contacts/$entity`;

export function postContactFolder(call: GraphCall): SimResponse {
  const folder = createContactFolder(call.mailbox, requestJson(call).displayName);
  return graphJson(call, `users('${call.userSegment}')/contactFolders/$entity`, folder, 201);
}

export function getContactFolder(call: GraphCall): SimResponse {
  const select = parseSelect(call.query.get("select"), contactFolderProperties, "microsoft.graph.contactFolder");
  return graphJson(call, `users('${call.userSegment}')/contactFolders/$entity`, selectFields(folderOf(call), select));
}

export function listContacts(call: GraphCall): SimResponse {
  const folder = folderOf(call);
  const filter = parseStampFilter(call.query.get("filter"));
  const options = renderOptions(call);
  const contacts = contactsIn(call.context.pim.of(call.mailbox), folder.id).filter((c) => matchesStamp(filter, c.extendedProperties));
  return pagedCollection(call, contacts, (c) => renderContact(c, options), `users('${call.userSegment}')/contacts`);
}

export function postContact(call: GraphCall): SimResponse {
  const contact = createContact(call.context.pim, call.mailbox, folderOf(call).id, readContactInput(requestJson(call)));
  return graphJson(call, entityContext(call), renderContact(contact), 201);
}

export function getContact(call: GraphCall): SimResponse {
  folderOf(call);
  const contact = requireContact(call.context.pim.of(call.mailbox), call.params.contact!);
  return graphJson(call, entityContext(call), renderContact(contact, renderOptions(call)));
}

export function patchContact(call: GraphCall): SimResponse {
  folderOf(call);
  const contact = updateContact(call.context.pim, call.mailbox, call.params.contact!, readContactInput(requestJson(call)));
  return graphJson(call, entityContext(call), renderContact(contact));
}

export function deleteContactEndpoint(call: GraphCall): SimResponse {
  folderOf(call);
  deleteContact(call.context.pim, call.mailbox, call.params.contact!);
  return { status: 204 };
}

export function contactDelta(call: GraphCall): SimResponse {
  const folder = folderOf(call);
  const collection = `contacts:${folder.id}`;
  const base = deltaBase(call, `contactFolders/${encodeURIComponent(folder.id)}/contacts/delta`);
  const skipToken = call.query.get("skiptoken");
  const deltaToken = call.query.get("deltatoken");
  if (skipToken !== undefined || deltaToken !== undefined) {
    const kind = skipToken !== undefined ? "skiptoken" : "deltatoken";
    const page = call.context.pimDelta.follow(call.mailbox.id, collection, kind, (skipToken ?? deltaToken)!, call.prefer.maxPageSize);
    return deltaResponse(call, "Collection(contact)", base, page);
  }
  const rejected = ["filter", "orderby", "search"].filter((name) => call.query.has(name));
  if (rejected.length) {
    throw new GraphError(400, "ErrorInvalidUrlQuery", `The following parameters are not supported with change tracking over the 'Contacts' resource: '${rejected.map((n) => `$${n}`).join(", ")}'.`);
  }
  const options = renderOptions(call);
  const pim = call.context.pim.of(call.mailbox);
  const pageSize = Math.min(call.prefer.maxPageSize ?? parseTop(call.query.get("top")) ?? 10, 1000);
  const page = call.context.pimDelta.start(
    {
      mailboxId: call.mailbox.id,
      collection,
      typeName: "contact",
      annotateItems: true,
      items: () => contactsIn(pim, folder.id).map((c) => ({ id: c.id, version: c.changeKey, json: renderContact(c, options) })),
      sequence: () => pim.seq,
    },
    pageSize,
  );
  return deltaResponse(call, "Collection(contact)", base, page);
}
