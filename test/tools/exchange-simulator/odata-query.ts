/**
 * The small subset of OData query options and `Prefer` preferences the product uses, parsed the way
 * Graph does for Exchange resources: option names with or without "$", property names
 * case-insensitive (answered with their canonical spelling), unknown properties rejected with the
 * same error code Graph uses so the product's error handling sees real codes.
 */
import { GraphError } from "./graph-error.js";
import { resolveZone } from "./time-zones.js";

export type QueryOptions = Map<string, string>;

/** `$select` and `select` are the same option for Graph; the last occurrence wins. */
export function queryOptions(url: URL): QueryOptions {
  const options: QueryOptions = new Map();
  for (const [name, value] of url.searchParams) {
    options.set(name.replace(/^\$/, "").toLowerCase(), value);
  }
  return options;
}

/** Returns the canonical property names, or undefined when no `$select` was given. */
export function parseSelect(
  raw: string | undefined,
  known: readonly string[],
  typeName: string,
  errorCode = "RequestBroker--ParseUri",
): string[] | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const byLowerName = new Map(known.map((name) => [name.toLowerCase(), name]));
  const selected: string[] = [];
  for (const part of raw.split(",")) {
    const name = part.trim();
    const canonical = byLowerName.get(name.toLowerCase());
    if (!canonical) {
      throw new GraphError(
        400,
        errorCode,
        `Could not find a property named '${name}' on type '${typeName}'.`,
      );
    }
    if (!selected.includes(canonical)) selected.push(canonical);
  }
  return selected;
}

const extendedPropertyTypes = new Map(
  ["Binary", "Boolean", "Currency", "CLSID", "Double", "Float", "Integer", "Long", "Short", "String", "SystemTime"]
    .flatMap((type) => [type, `${type}Array`])
    .map((type) => [type.toLowerCase(), type]),
);

/**
 * Exchange answers extended property ids in a normalised spelling ("Integer 0x0E08" comes back as
 * "Integer 0xe08"; GUIDs in lower case), so ids are compared and returned in that form.
 */
export function normalizeExtendedPropertyId(id: string): string {
  const invalid = () =>
    new GraphError(400, "ErrorInvalidProperty", `The extended property id '${id}' is not valid.`);
  const match = /^\s*(\w+)\s+(.+?)\s*$/.exec(id);
  const type = match && extendedPropertyTypes.get(match[1]!.toLowerCase());
  if (!match || !type) throw invalid();
  const rest = match[2]!;
  const hex = (digits: string) => `0x${BigInt(`0x${digits}`).toString(16)}`;
  const tag = /^0x([0-9a-f]{1,8})$/i.exec(rest);
  if (tag) return `${type} ${hex(tag[1]!)}`;
  const named = /^\{([0-9a-f-]{36})\}\s+(Name|Id)\s+(.+)$/i.exec(rest);
  if (!named) throw invalid();
  const guid = named[1]!.toLowerCase();
  if (named[2]!.toLowerCase() === "name") return `${type} {${guid}} Name ${named[3]}`;
  const dispatchId = /^0x([0-9a-f]{1,8})$/i.exec(named[3]!);
  if (!dispatchId) throw invalid();
  return `${type} {${guid}} Id ${hex(dispatchId[1]!)}`;
}

/**
 * `$expand`: only `singleValueExtendedProperties($filter=id eq '...' [or id eq '...'])` is
 * supported (the only expansion the product needs). Returns the normalised ids to expand.
 */
export function parseExpand(raw: string | undefined, typeName: string): string[] | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const ids: string[] = [];
  for (const item of splitTopLevel(raw, ",")) {
    const match = /^\s*(\w+)\s*(?:\(\s*\$?filter\s*=\s*(.+)\))?\s*$/is.exec(item);
    const name = match?.[1] ?? item.trim();
    if (!match || name.toLowerCase() !== "singlevalueextendedproperties") {
      throw new GraphError(
        400,
        "RequestBroker--ParseUri",
        `Could not find a property named '${name}' on type '${typeName}'.`,
      );
    }
    if (!match[2]) {
      throw new GraphError(400, "ErrorInvalidUrlQuery", "The expand of extended properties requires a $filter on id.");
    }
    for (const clause of match[2].split(/\s+or\s+/i)) {
      const idClause = /^\s*id\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(clause);
      if (!idClause) {
        throw new GraphError(400, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.");
      }
      ids.push(normalizeExtendedPropertyId(idClause[1]!.replace(/''/g, "'")));
    }
  }
  return ids;
}

export interface ReceivedDateTimeFilter {
  operator: "ge" | "gt";
  /** Epoch milliseconds. */
  at: number;
}

/** Message delta supports only a `receivedDateTime ge|gt <DateTimeOffset>` filter. */
export function parseReceivedDateTimeFilter(raw: string | undefined): ReceivedDateTimeFilter | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const match = /^\s*receivedDateTime\s+(ge|gt)\s+(\S+(?: \d{2}:\d{2})?)\s*$/i.exec(raw);
  // A "+hh:mm" offset that was not percent-encoded arrives as a space.
  const at = match ? Date.parse(match[2]!.replace(" ", "+")) : Number.NaN;
  if (!match || Number.isNaN(at)) {
    throw new GraphError(400, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.");
  }
  return { operator: match[1]!.toLowerCase() as "ge" | "gt", at };
}

export function matchesReceivedFilter(filter: ReceivedDateTimeFilter | undefined, receivedAt: number): boolean {
  if (!filter) return true;
  return filter.operator === "ge" ? receivedAt >= filter.at : receivedAt > filter.at;
}

export function parseTop(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const top = Number(raw);
  if (!Number.isInteger(top) || top < 0) {
    throw new GraphError(400, "ErrorInvalidUrlQuery", `The value '${raw}' is not valid for $top.`);
  }
  return top;
}

export interface Preferences {
  maxPageSize?: number;
  immutableId: boolean;
  bodyContentType?: "text" | "html";
  /** `outlook.timezone`: the zone event and task times are rendered in (default UTC). */
  timeZone?: string;
  /** Preferences honoured, for the Preference-Applied header. */
  applied: string[];
}

/** Parses every `Prefer` header (Node joins repeated headers with ", "), comma separated values. */
export function parsePreferences(header: string | string[] | undefined): Preferences {
  const preferences: Preferences = { immutableId: false, applied: [] };
  const raw = Array.isArray(header) ? header.join(",") : (header ?? "");
  for (const item of splitTopLevel(raw, ",")) {
    const match = /^\s*([\w.-]+)\s*(?:=\s*"?([^"]*)"?)?\s*$/.exec(item);
    if (!match) continue;
    const name = match[1]!.toLowerCase();
    const value = match[2]?.trim() ?? "";
    if (name === "odata.maxpagesize" && /^\d+$/.test(value) && Number(value) > 0) {
      preferences.maxPageSize = Number(value);
      preferences.applied.push(`odata.maxpagesize=${value}`);
    } else if (name === "idtype" && value.toLowerCase() === "immutableid") {
      preferences.immutableId = true;
      preferences.applied.push('IdType="ImmutableId"');
    } else if (name === "outlook.body-content-type" && (value === "text" || value === "html")) {
      preferences.bodyContentType = value;
      preferences.applied.push(`outlook.body-content-type="${value}"`);
    } else if (name === "outlook.timezone" && value !== "" && isKnownZone(value)) {
      // Decision: a zone Graph would not know is ignored (times stay UTC) rather than refused.
      preferences.timeZone = value;
      preferences.applied.push(`outlook.timezone="${value}"`);
    }
  }
  return preferences;
}

function isKnownZone(name: string): boolean {
  try {
    resolveZone(name);
    return true;
  } catch {
    return false;
  }
}

/** Splits on `separator` outside parentheses and quotes. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = "";
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === "(") depth++;
    else if (char === ")") depth--;
    if (char === separator && depth === 0 && !quote) {
      parts.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  if (current.trim() !== "") parts.push(current);
  return parts;
}
