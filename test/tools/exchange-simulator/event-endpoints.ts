/**
 * Events in the default calendar (`/users/{u}/events` and `/users/{u}/calendar/events`): list
 * (single instances and series masters, as Graph lists them), create, get, update, delete and
 * cancel. Ids of occurrences (from calendarView, instances or delta) work for get, update (which
 * makes the occurrence an exception) and delete.
 */
import { singleInstance, type EventInstance } from "./calendar-view.js";
import { cancelEvent, createEvent, deleteEvent, requireEvent, updateEvent } from "./calendar-store.js";
import { pagedCollection } from "./collection-paging.js";
import { readEventInput } from "./event-input.js";
import { eventProperties, renderEvent, type EventRenderOptions } from "./event-json.js";
import { graphJson, requestJson, type GraphCall } from "./graph-routes.js";
import type { SimResponse } from "./http-server.js";
import { matchesStamp, parseStampFilter } from "./item-filter.js";
import { parseExpand, parseSelect } from "./odata-query.js";

const typeName = "microsoft.graph.event";

export function eventRenderOptions(call: GraphCall): EventRenderOptions {
  return {
    select: parseSelect(call.query.get("select"), eventProperties, typeName),
    expandPropertyIds: parseExpand(call.query.get("expand"), typeName),
    timeZone: call.prefer.timeZone,
    bodyContentType: call.prefer.bodyContentType,
  };
}

const entityContext = (call: GraphCall) => `users('${call.userSegment}')/events/$entity`;
const render = (call: GraphCall, instance: EventInstance) => renderEvent(instance, call.mailbox, eventRenderOptions(call));

export function listEvents(call: GraphCall): SimResponse {
  const pim = call.context.pim.of(call.mailbox);
  const filter = parseStampFilter(call.query.get("filter"));
  const options = eventRenderOptions(call);
  const events = [...pim.events.values()]
    .filter((event) => matchesStamp(filter, event.extendedProperties))
    .sort((a, b) => a.startMs - b.startMs || a.createdAt - b.createdAt);
  return pagedCollection(call, events, (event) => renderEvent(singleInstance(event), call.mailbox, options), `users('${call.userSegment}')/events`);
}

export function postEvent(call: GraphCall): SimResponse {
  const event = createEvent(call.context.pim, call.mailbox, readEventInput(requestJson(call), { control: false }));
  return graphJson(call, entityContext(call), render(call, singleInstance(event)), 201);
}

export function getEvent(call: GraphCall): SimResponse {
  return graphJson(call, entityContext(call), render(call, requireEvent(call.context.pim.of(call.mailbox), call.params.event!)));
}

export function patchEvent(call: GraphCall): SimResponse {
  const input = readEventInput(requestJson(call), { control: false });
  return graphJson(call, entityContext(call), render(call, updateEvent(call.context.pim, call.mailbox, call.params.event!, input)));
}

export function deleteEventEndpoint(call: GraphCall): SimResponse {
  deleteEvent(call.context.pim, call.mailbox, call.params.event!);
  return { status: 204 };
}

/** 202 Accepted with no body, as documented. The optional `comment` would go to attendees (no mail is simulated). */
export function cancelEventEndpoint(call: GraphCall): SimResponse {
  if (call.request.body.length) requestJson(call);
  cancelEvent(call.context.pim, call.mailbox, call.params.event!);
  return { status: 202 };
}
