/**
 * `$filter` on message lists (`/messages`, `/mailFolders/{f}/messages`): the two forms the product
 * uses, alone or joined by `and`:
 *   receivedDateTime ge|gt <DateTimeOffset>
 *   singleValueExtendedProperties/any(ep: ep/id eq '<property id>' and ep/value eq '<value>')
 * The second is how the product finds "the message I stamped with CRM id X" in Drafts or Sent
 * Items. Property ids compare in their normalised form; values compare case-insensitively, as
 * Exchange's string restrictions do. Anything else answers 400 ErrorInvalidUrlQueryFilter.
 */
import { GraphError } from "./graph-error.js";
import type { StoredMessage } from "./mailbox-model.js";
import {
  matchesReceivedFilter,
  normalizeExtendedPropertyId,
  parseReceivedDateTimeFilter,
  type ReceivedDateTimeFilter,
} from "./odata-query.js";

export interface MessageFilter {
  received?: ReceivedDateTimeFilter;
  extendedProperty?: { id: string; value: string };
}

export const invalidFilter = () =>
  new GraphError(400, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.");

const quoted = "'((?:[^']|'')*)'";
const unquote = (text: string) => text.replace(/''/g, "'");

/** One `singleValueExtendedProperties/any(…)` clause (also the stamp filter on events and contacts). */
export function parseExtendedPropertyClause(clause: string): { id: string; value: string } | undefined {
  const any = /^\s*singleValueExtendedProperties\/any\(\s*(\w+)\s*:\s*(.+)\)\s*$/is.exec(clause);
  if (!any) return undefined;
  const variable = any[1]!;
  const idFirst = new RegExp(`^\\s*${variable}/id\\s+eq\\s+${quoted}\\s+and\\s+${variable}/value\\s+eq\\s+${quoted}\\s*$`, "is").exec(any[2]!);
  const valueFirst = new RegExp(`^\\s*${variable}/value\\s+eq\\s+${quoted}\\s+and\\s+${variable}/id\\s+eq\\s+${quoted}\\s*$`, "is").exec(any[2]!);
  if (idFirst) return { id: normalizeExtendedPropertyId(unquote(idFirst[1]!)), value: unquote(idFirst[2]!) };
  if (valueFirst) return { id: normalizeExtendedPropertyId(unquote(valueFirst[2]!)), value: unquote(valueFirst[1]!) };
  throw invalidFilter();
}

/** Splits on " and " outside parentheses and quotes. */
function topLevelAnd(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === "'") inQuote = !inQuote;
    else if (!inQuote && char === "(") depth++;
    else if (!inQuote && char === ")") depth--;
    else if (!inQuote && depth === 0 && /^\s+and\s+/i.test(text.slice(i))) {
      const separator = /^\s+and\s+/i.exec(text.slice(i))![0];
      parts.push(text.slice(start, i));
      start = i + separator.length;
      i = start - 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

export function parseMessageFilter(raw: string | undefined): MessageFilter | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const filter: MessageFilter = {};
  for (const clause of topLevelAnd(raw)) {
    const property = parseExtendedPropertyClause(clause);
    if (property) {
      if (filter.extendedProperty) throw invalidFilter();
      filter.extendedProperty = property;
      continue;
    }
    if (filter.received) throw invalidFilter();
    filter.received = parseReceivedDateTimeFilter(clause);
  }
  return filter;
}

export function matchesMessageFilter(filter: MessageFilter | undefined, message: StoredMessage): boolean {
  if (!filter) return true;
  if (!matchesReceivedFilter(filter.received, message.receivedAt)) return false;
  if (filter.extendedProperty) {
    const stored = message.extendedProperties.get(filter.extendedProperty.id);
    if (stored === undefined || stored.toLowerCase() !== filter.extendedProperty.value.toLowerCase()) return false;
  }
  return true;
}
