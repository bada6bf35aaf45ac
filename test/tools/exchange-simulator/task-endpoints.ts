/**
 * Microsoft To Do: `POST /todo/lists`, `GET /todo/lists/{id}`, CRUD on
 * `/todo/lists/{id}/tasks`, `/tasks/delta` ($select and $expand=linkedResources kept in the sync
 * state; **decision:** $filter, $orderby and $search answer 400 ErrorInvalidUrlQuery), and a
 * task's linkedResources (list, add). An update takes what the documented update takes (no
 * linkedResources, an HTML body). The default-list probe is in probe-endpoints.ts.
 */
import { deltaBase, deltaResponse, pagedCollection } from "./collection-paging.js";
import { GraphError } from "./graph-error.js";
import { graphJson, requestJson, selectFields, type GraphCall } from "./graph-routes.js";
import type { SimResponse } from "./http-server.js";
import { matchesLinkedResource, parseLinkedResourceFilter } from "./item-filter.js";
import { parseSelect, parseTop } from "./odata-query.js";
import { renderTaskList, todoTaskListProperties } from "./probe-endpoints.js";
import {
  ensureDocumentedTaskUpdate, parseTaskExpand, readLinkedResource, readTaskInput, renderLinkedResource, renderTask, todoTaskProperties, type TaskRenderOptions,
} from "./task-json.js";
import {
  addLinkedResource, createTask, createTaskList, deleteTask, requireTask, requireTaskList, tasksIn, updateTask,
} from "./task-store.js";

const renderOptions = (call: GraphCall): TaskRenderOptions => ({
  select: parseSelect(call.query.get("select"), todoTaskProperties, "microsoft.graph.todoTask"),
  expandLinkedResources: parseTaskExpand(call.query.get("expand")),
  timeZone: call.prefer.timeZone,
});
const listOf = (call: GraphCall) => requireTaskList(call.context.pim, call.mailbox, call.params.list!);
const tasksContext = (call: GraphCall) => `users('${call.userSegment}')/todo/lists('${call.params.list}')/tasks`;

export function postTaskList(call: GraphCall): SimResponse {
  const list = createTaskList(call.context.pim, call.mailbox, requestJson(call).displayName);
  return graphJson(call, `users('${call.userSegment}')/todo/lists/$entity`, renderTaskList(list), 201);
}

export function getTaskList(call: GraphCall): SimResponse {
  const select = parseSelect(call.query.get("select"), todoTaskListProperties, "microsoft.graph.todoTaskList");
  return graphJson(call, `users('${call.userSegment}')/todo/lists/$entity`, selectFields(renderTaskList(listOf(call)), select));
}

export function listTasks(call: GraphCall): SimResponse {
  const list = listOf(call);
  const filter = parseLinkedResourceFilter(call.query.get("filter"));
  const options = renderOptions(call);
  const tasks = tasksIn(call.context.pim.of(call.mailbox), list.id).filter((t) => matchesLinkedResource(filter, t.linkedResources));
  return pagedCollection(call, tasks, (t) => renderTask(t, options), tasksContext(call));
}

export function postTask(call: GraphCall): SimResponse {
  const input = readTaskInput(requestJson(call));
  const task = createTask(call.context.pim, call.mailbox, listOf(call).id, input);
  const options = { timeZone: call.prefer.timeZone, expandLinkedResources: input.linkedResources !== undefined };
  return graphJson(call, `${tasksContext(call)}/$entity`, renderTask(task, options), 201);
}

export function getTask(call: GraphCall): SimResponse {
  const task = requireTask(call.context.pim.of(call.mailbox), listOf(call).id, call.params.task!);
  return graphJson(call, `${tasksContext(call)}/$entity`, renderTask(task, renderOptions(call)));
}

export function patchTask(call: GraphCall): SimResponse {
  const json = requestJson(call);
  ensureDocumentedTaskUpdate(json);
  const input = readTaskInput(json);
  const task = updateTask(call.context.pim, call.mailbox, listOf(call).id, call.params.task!, input);
  return graphJson(call, `${tasksContext(call)}/$entity`, renderTask(task, { timeZone: call.prefer.timeZone }));
}

export function deleteTaskEndpoint(call: GraphCall): SimResponse {
  deleteTask(call.context.pim, call.mailbox, listOf(call).id, call.params.task!);
  return { status: 204 };
}

export function listLinkedResources(call: GraphCall): SimResponse {
  const task = requireTask(call.context.pim.of(call.mailbox), listOf(call).id, call.params.task!);
  return graphJson(call, `${tasksContext(call)}('${call.params.task}')/linkedResources`, { value: task.linkedResources.map(renderLinkedResource) });
}

export function postLinkedResource(call: GraphCall): SimResponse {
  const created = addLinkedResource(call.context.pim, call.mailbox, listOf(call).id, call.params.task!, readLinkedResource(requestJson(call)));
  return graphJson(call, `${tasksContext(call)}('${call.params.task}')/linkedResources/$entity`, renderLinkedResource(created), 201);
}

export function taskDelta(call: GraphCall): SimResponse {
  const list = listOf(call);
  const collection = `tasks:${list.id}`;
  const base = deltaBase(call, `todo/lists/${encodeURIComponent(list.id)}/tasks/delta`);
  const skipToken = call.query.get("skiptoken");
  const deltaToken = call.query.get("deltatoken");
  if (skipToken !== undefined || deltaToken !== undefined) {
    const kind = skipToken !== undefined ? "skiptoken" : "deltatoken";
    const page = call.context.pimDelta.follow(call.mailbox.id, collection, kind, (skipToken ?? deltaToken)!, call.prefer.maxPageSize);
    return deltaResponse(call, "Collection(todoTask)", base, page);
  }
  const rejected = ["filter", "orderby", "search"].filter((name) => call.query.has(name));
  if (rejected.length) {
    throw new GraphError(400, "ErrorInvalidUrlQuery", `The following parameters are not supported with change tracking over the 'Tasks' resource: '${rejected.map((n) => `$${n}`).join(", ")}'.`);
  }
  const options = renderOptions(call);
  const pim = call.context.pim.of(call.mailbox);
  const pageSize = Math.min(call.prefer.maxPageSize ?? parseTop(call.query.get("top")) ?? 10, 1000);
  const page = call.context.pimDelta.start(
    {
      mailboxId: call.mailbox.id,
      collection,
      typeName: "todoTask",
      annotateItems: false,
      // The version covers linked resources too, which touch the task when added.
      items: () => tasksIn(pim, list.id).map((t) => ({ id: t.id, version: t.changeKey, json: renderTask(t, options) })),
      sequence: () => pim.seq,
    },
    pageSize,
  );
  return deltaResponse(call, "Collection(todoTask)", base, page);
}
