/**
 * How the product finds "the item I created for CRM record X":
 *
 * - events and contacts: `$filter=singleValueExtendedProperties/any(ep: ep/id eq '<id>' and
 *   ep/value eq '<value>')` — Graph documents this filter for event and contact (and message,
 *   mailFolder, contactFolder, calendar). Ids compare normalised, values case-insensitively.
 * - To Do tasks have no extended properties in v1.0 (graph.todoTask has no such navigation); a
 *   task points back to its source through a linkedResource (externalId, applicationName, webUrl,
 *   displayName). `$filter=linkedResources/any(r: r/externalId eq '<id>')` (optionally `and
 *   r/applicationName eq '<name>'`) is served; **unconfirmed**: the To Do docs only say the list
 *   supports "some" OData parameters, so the product should be able to fall back to listing with
 *   `$expand=linkedResources` and matching externalId itself (both work here).
 *
 * Anything else answers 400 ErrorInvalidUrlQueryFilter, like the message lists.
 */
import { invalidFilter, parseExtendedPropertyClause } from "./message-filter.js";
import type { LinkedResource } from "./pim-model.js";

export interface StampFilter {
  id: string;
  value: string;
}

export function parseStampFilter(raw: string | undefined): StampFilter | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const stamp = parseExtendedPropertyClause(raw);
  if (!stamp) throw invalidFilter();
  return stamp;
}

export function matchesStamp(filter: StampFilter | undefined, properties: Map<string, string>): boolean {
  if (!filter) return true;
  const stored = properties.get(filter.id);
  return stored !== undefined && stored.toLowerCase() === filter.value.toLowerCase();
}

export interface LinkedResourceFilter {
  externalId: string;
  applicationName?: string;
}

const quoted = "'((?:[^']|'')*)'";
const unquote = (text: string) => text.replace(/''/g, "'");

export function parseLinkedResourceFilter(raw: string | undefined): LinkedResourceFilter | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const any = /^\s*linkedResources\/any\(\s*(\w+)\s*:\s*(.+)\)\s*$/is.exec(raw);
  if (!any) throw invalidFilter();
  const variable = any[1]!;
  const clauses = any[2]!.split(/\s+and\s+/i);
  const filter: Partial<LinkedResourceFilter> = {};
  for (const clause of clauses) {
    const match = new RegExp(`^\\s*${variable}/(externalId|applicationName)\\s+eq\\s+${quoted}\\s*$`, "i").exec(clause);
    if (!match) throw invalidFilter();
    const key = match[1]!.toLowerCase() === "externalid" ? "externalId" : "applicationName";
    if (filter[key] !== undefined) throw invalidFilter();
    filter[key] = unquote(match[2]!);
  }
  if (filter.externalId === undefined || clauses.length > 2) throw invalidFilter();
  return filter as LinkedResourceFilter;
}

export function matchesLinkedResource(filter: LinkedResourceFilter | undefined, resources: LinkedResource[]): boolean {
  if (!filter) return true;
  return resources.some(
    (r) => r.externalId === filter.externalId && (filter.applicationName === undefined || r.applicationName === filter.applicationName),
  );
}
