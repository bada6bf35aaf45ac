/** Sync filters per CRM user: read the three (defaults filled in), replace one. */
import { z } from "zod";
import { actRecordTypes } from "../domain/act-records.js";
import { defaultFilter, type SyncFilter } from "../domain/sync-filters.js";
import type { Runtime } from "../runtime.js";
import { criteriaBodies } from "./act-schemas.js";
import { idParam } from "./admin-schemas.js";
import { parseOrThrow, routeParam } from "./http-responses.js";

const recordTypeParam = z.enum(actRecordTypes);

export async function getSyncFilters(runtime: Runtime, ownerIdParam: string) {
  const ownerId = routeParam(idParam, ownerIdParam, "ownerId");
  return { items: await runtime.syncFilters.forOwner(ownerId), continuationToken: null };
}

export async function putSyncFilter(runtime: Runtime, ownerIdParam: string, recordTypeValue: string, body: unknown): Promise<SyncFilter> {
  const ownerId = routeParam(idParam, ownerIdParam, "ownerId");
  const recordType = routeParam(recordTypeParam, recordTypeValue, "recordType");
  const criteria = criteriaBodies[recordType] as z.ZodType<Record<string, unknown>>;
  const input = parseOrThrow(z.object({ enabled: z.boolean(), criteria: criteria.optional() }).strict(), body, "body");
  const base = defaultFilter(ownerId, recordType);
  // A PUT replaces the filter: criteria it leaves out are the defaults, not what was stored before.
  const given = Object.fromEntries(Object.entries(input.criteria ?? {}).filter(([, value]) => value !== undefined));
  const filter = { ...base, enabled: input.enabled, criteria: { ...base.criteria, ...given } } as SyncFilter;
  await runtime.syncFilters.put(filter);
  return filter;
}
