/**
 * Paging of every list route: `pageSize`, and a `continuationToken` that works only for the list
 * that returned it.
 *
 * The token names its list (route and filters) next to the storage position it continues from,
 * and a token for another list, of another shape or not made by us is a 400 naming the parameter.
 * It is not signed: the storage query of a list is bounded by the list's own filter, so a
 * hand-made token with the right list can only move where that list starts, never show anything
 * outside it; a signature would need a key the deployment does not otherwise have (it reaches
 * everything with its managed identity).
 */
import { z } from "zod";
import { ApiError } from "./http-responses.js";

/** Decimal digits only: `Number()` would also take `1e2`, `0x10`, ` 5 ` and read `""` as 0. */
const pageSizeText = z
  .string()
  .regex(/^[0-9]+$/, "must be a whole number from 1 to 1000, in decimal digits")
  .transform(Number)
  .refine((size) => size >= 1 && size <= 1000, "must be a whole number from 1 to 1000");

/** Paging parameters shared by every list. */
export const pagingQuery = z.object({
  pageSize: pageSizeText.default(100),
  continuationToken: z.string().max(2048, "must be a continuationToken returned by a previous page").optional(),
});

export type Paging = { pageSize: number; continuationToken?: string };
export type StoragePage<T> = { items: T[]; continuationToken?: string };

/** A position is the next partition and row key of a query: at most 1 KiB, none of / \\ # ? or controls. */
const storageKey = z.string().regex(/^[^/\\#?\u0000-\u001f\u007f-\u009f]{1,1024}$/);
const pageToken = z.object({ list: z.string(), pk: storageKey, rk: storageKey.optional() }).strict();

/** Which list a token belongs to: the route and the filters that decide its items (not pageSize). */
export function listScope(route: string, filters: Record<string, string | number | undefined> = {}): string {
  return JSON.stringify([route, ...Object.entries(filters).filter(([, value]) => value !== undefined).sort(([a], [b]) => a.localeCompare(b))]);
}

function badToken(reason: string): ApiError {
  return new ApiError(400, "BadRequest", `Invalid query parameter 'continuationToken': ${reason}.`, "continuationToken");
}

// @azure/data-tables' own token is base64 of {"nextPartitionKey","nextRowKey"?} (its
// utils/continuationToken.ts); the position is read from it and given back in that form.
function fromStorageToken(token: string): { pk: string; rk?: string } {
  const position = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { nextPartitionKey: string; nextRowKey?: string };
  return { pk: position.nextPartitionKey, ...(position.nextRowKey ? { rk: position.nextRowKey } : {}) };
}

function toStorageToken(position: { pk: string; rk?: string }): string {
  return Buffer.from(JSON.stringify({ nextPartitionKey: position.pk, ...(position.rk ? { nextRowKey: position.rk } : {}) })).toString("base64");
}

function encode(scope: string, storageToken: string): string {
  return Buffer.from(JSON.stringify({ list: scope, ...fromStorageToken(storageToken) })).toString("base64url");
}

function decode(scope: string, token: string): string {
  const malformed = "it was not returned by a previous page of this list";
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw badToken(malformed);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw badToken(malformed);
  }
  const position = pageToken.safeParse(parsed);
  if (!position.success) throw badToken(malformed);
  if (position.data.list !== scope) throw badToken("it belongs to another list (another route or other filters); start again from the first page");
  return toStorageToken(position.data);
}

/** One page of a list: the caller's token checked against the list, the next one bound to it. */
export async function pageOf<T>(scope: string, paging: Paging, read: (paging: Paging) => Promise<StoragePage<T>>): Promise<{ items: T[]; continuationToken: string | null }> {
  const continuationToken = paging.continuationToken === undefined ? undefined : decode(scope, paging.continuationToken);
  let page: StoragePage<T>;
  try {
    page = await read({ pageSize: paging.pageSize, continuationToken });
  } catch (error) {
    // A well-formed position that storage still refuses is the caller's token, not our failure.
    if (continuationToken !== undefined && (error as { statusCode?: number }).statusCode === 400) throw badToken("storage cannot continue from it; start again from the first page");
    throw error;
  }
  return { items: page.items, continuationToken: page.continuationToken ? encode(scope, page.continuationToken) : null };
}
