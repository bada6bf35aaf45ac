/**
 * Calendar views of the default calendar: `GET /users/{u}/calendarView`, its delta
 * (`/calendarView/delta`) and a series' `/events/{id}/instances`.
 *
 * Confirmed from Graph's docs and reports: startDateTime and endDateTime are required (400
 * ErrorInvalidParameter "This request requires a time window specified by the query string
 * parameters StartDateTime and EndDateTime."), are read with their own offset or else as UTC (not
 * Prefer: outlook.timezone); the view holds single instances, occurrences and exceptions, not series
 * masters; the delta takes no $select, $expand, $filter, $orderby or $search and returns what
 * GET /calendarView returns; later rounds report deletions, and events outside the window that
 * changed, as `@removed` with reason "deleted". **Decision:** those query options answer 400
 * ErrorInvalidUrlQuery (what Graph answers was not confirmed).
 */
import { calendarView, seriesInstances, type EventInstance } from "./calendar-view.js";
import { requireEvent } from "./calendar-store.js";
import { deltaBase, deltaResponse, pagedCollection } from "./collection-paging.js";
import { eventRenderOptions } from "./event-endpoints.js";
import { renderEvent } from "./event-json.js";
import { GraphError } from "./graph-error.js";
import type { GraphCall } from "./graph-routes.js";
import type { SimResponse } from "./http-server.js";
import { matchesStamp, parseStampFilter } from "./item-filter.js";
import { parseTop } from "./odata-query.js";
import type { PimDeltaSource } from "./pim-delta.js";
import { parseInstant } from "./time-zones.js";

function timeWindow(call: GraphCall): { from: number; to: number } {
  const start = call.query.get("startdatetime");
  const end = call.query.get("enddatetime");
  if (start === undefined || end === undefined) {
    throw new GraphError(
      400,
      "ErrorInvalidParameter",
      "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
    );
  }
  const [from, to] = [parseInstant(start), parseInstant(end)];
  if (from === undefined || to === undefined || to < from) {
    throw new GraphError(400, "ErrorInvalidParameter", `The time window '${start}' to '${end}' is not valid.`);
  }
  return { from, to };
}

export function listCalendarView(call: GraphCall): SimResponse {
  const { from, to } = timeWindow(call);
  const filter = parseStampFilter(call.query.get("filter"));
  const options = eventRenderOptions(call);
  const instances = calendarView(call.context.pim.of(call.mailbox), from, to).filter(
    (i) => !filter || (i.originalStart === undefined && matchesStamp(filter, i.event.extendedProperties)),
  );
  return pagedCollection(call, instances, (i) => renderEvent(i, call.mailbox, options), `users('${call.userSegment}')/calendarView`);
}

/** A series' occurrences and exceptions in the window; other events have none. */
export function listInstances(call: GraphCall): SimResponse {
  const { from, to } = timeWindow(call);
  const pim = call.context.pim.of(call.mailbox);
  const instance = requireEvent(pim, call.params.event!);
  const options = eventRenderOptions(call);
  const instances: EventInstance[] = instance.kind === "seriesMaster" ? seriesInstances(pim, instance.event, from, to) : [];
  return pagedCollection(call, instances, (i) => renderEvent(i, call.mailbox, options), `users('${call.userSegment}')/events('${call.params.event}')/instances`);
}

const unsupportedInDelta = ["select", "expand", "filter", "orderby", "search"];

export function calendarViewDelta(call: GraphCall): SimResponse {
  const { pim: pims, pimDelta } = call.context;
  const skipToken = call.query.get("skiptoken");
  const deltaToken = call.query.get("deltatoken");
  const base = deltaBase(call, "calendarView/delta");
  if (skipToken !== undefined || deltaToken !== undefined) {
    const kind = skipToken !== undefined ? "skiptoken" : "deltatoken";
    const page = pimDelta.follow(call.mailbox.id, "calendarView", kind, (skipToken ?? deltaToken)!, call.prefer.maxPageSize);
    return deltaResponse(call, "Collection(event)", base, page);
  }
  const rejected = unsupportedInDelta.filter((name) => call.query.has(name));
  if (rejected.length) {
    throw new GraphError(
      400,
      "ErrorInvalidUrlQuery",
      `The following parameters are not supported with change tracking over the 'CalendarView' resource: '${rejected.map((n) => `$${n}`).join(", ")}'.`,
    );
  }
  const { from, to } = timeWindow(call);
  const pim = pims.of(call.mailbox);
  const mailbox = call.mailbox;
  const options = { timeZone: call.prefer.timeZone, bodyContentType: call.prefer.bodyContentType };
  const source: PimDeltaSource = {
    mailboxId: mailbox.id,
    collection: "calendarView",
    typeName: "event",
    annotateItems: true,
    items: () => calendarView(pim, from, to).map((i) => ({ id: i.id, version: i.version, json: renderEvent(i, mailbox, options) })),
    sequence: () => pim.seq,
    // Single events (changed or deleted) only: a series' occurrences outside the window are not enumerated.
    outsideChanges: (since) => [
      ...[...pim.events.values()].filter((e) => !e.recurrence && e.changeSeq > since).map((e) => e.id),
      ...pim.eventDepartures.filter((d) => !d.wasSeries && d.seq > since).map((d) => d.id),
    ],
  };
  const pageSize = Math.min(call.prefer.maxPageSize ?? parseTop(call.query.get("top")) ?? 10, 1000);
  return deltaResponse(call, "Collection(event)", base, pimDelta.start(source, pageSize));
}
