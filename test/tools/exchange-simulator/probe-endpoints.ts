/**
 * The read-only endpoints the product's Test & Enable uses to check access per workload:
 * the default calendar, the contact folders and the To Do lists. Each mailbox has a default
 * calendar ("Calendar") and a default To Do list ("Tasks", wellknownListName defaultList), plus
 * lists clients create; contact folders below the default Contacts folder exist only when a test
 * or client adds them, as a fresh mailbox has none to list. Only graph.calendar / contactFolder / todoTaskList
 * properties are emitted (checked by the contract test).
 */
import { graphJson, selectFields, type GraphCall } from "./graph-routes.js";
import type { SimResponse } from "./http-server.js";
import type { Mailbox } from "./mailbox-model.js";
import { parseSelect } from "./odata-query.js";
import type { TaskList } from "./pim-model.js";
import { taskLists } from "./task-store.js";

export const calendarProperties = [
  "id", "name", "color", "hexColor", "isDefaultCalendar", "changeKey", "canShare", "canViewPrivateItems", "canEdit",
  "allowedOnlineMeetingProviders", "defaultOnlineMeetingProvider", "isTallyingResponses", "isRemovable", "owner",
] as const;
export const contactFolderProperties = ["id", "displayName", "parentFolderId"] as const;
export const todoTaskListProperties = ["id", "displayName", "isOwner", "isShared", "wellknownListName"] as const;

/** Stable per mailbox, so repeated probes see the same change key. */
const stableKey = (id: string) => `DwAAABYAAA${Buffer.from(id).toString("base64url").slice(0, 20)}`;

export function renderCalendar(mailbox: Mailbox): Record<string, unknown> {
  return {
    id: mailbox.calendarId,
    name: "Calendar",
    color: "auto",
    hexColor: "",
    isDefaultCalendar: true,
    changeKey: stableKey(mailbox.calendarId),
    canShare: true,
    canViewPrivateItems: true,
    canEdit: true,
    allowedOnlineMeetingProviders: ["teamsForBusiness"],
    defaultOnlineMeetingProvider: "teamsForBusiness",
    isTallyingResponses: true,
    isRemovable: false,
    owner: { name: mailbox.displayName, address: mailbox.address },
  };
}

export function renderTaskList(list: TaskList): Record<string, unknown> {
  return {
    "@odata.etag": `W/"${list.changeKey}"`,
    displayName: list.displayName,
    isOwner: true,
    isShared: false,
    wellknownListName: list.wellknownListName,
    id: list.id,
  };
}

export function getCalendar(call: GraphCall): SimResponse {
  const select = parseSelect(call.query.get("select"), calendarProperties, "microsoft.graph.calendar");
  return graphJson(call, `users('${call.userSegment}')/calendar/$entity`, selectFields(renderCalendar(call.mailbox), select));
}

export function listContactFolders(call: GraphCall): SimResponse {
  const select = parseSelect(call.query.get("select"), contactFolderProperties, "microsoft.graph.contactFolder");
  const value = call.mailbox.contactFolders.map((f) =>
    selectFields({ id: f.id, displayName: f.displayName, parentFolderId: call.mailbox.contactsFolderId }, select),
  );
  return graphJson(call, `users('${call.userSegment}')/contactFolders`, { value });
}

export function listTaskLists(call: GraphCall): SimResponse {
  const select = parseSelect(call.query.get("select"), todoTaskListProperties, "microsoft.graph.todoTaskList");
  const lists = taskLists(call.context.pim, call.mailbox);
  return graphJson(call, `users('${call.userSegment}')/todo/lists`, { value: lists.map((list) => selectFields(renderTaskList(list), select)) });
}
