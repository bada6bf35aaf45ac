/**
 * HTTP conventions of the API: JSON everywhere, errors as `{ error: { code, message, field? } }`,
 * lists as `{ items, continuationToken }`, and validation by zod with the failing field named.
 */
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { z } from "zod";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function json(status: number, body: unknown): HttpResponseInit {
  return { status, jsonBody: body, headers: { "Content-Type": "application/json; charset=utf-8" } };
}

export function errorResponse(error: ApiError): HttpResponseInit {
  return json(error.status, { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } });
}

export function notFound(what: string, id: string): ApiError {
  return new ApiError(404, "NotFound", `${what} '${id}' does not exist.`);
}

/** The field an issue is about: its path, or for unknown keys the first key itself. */
function fieldOf(issue: z.core.$ZodIssue): string {
  const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
  return path.length > 0 ? path.map(String).join(".") : "(body)";
}

function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code !== "unrecognized_keys") return issue.message;
  const others = issue.keys.slice(1);
  return `is not a field of this request${others.length > 0 ? ` (nor are ${others.map((key) => `'${key}'`).join(", ")})` : ""}`;
}

/** Parses with the schema or throws a 400 naming the first failing field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where: "query" | "body"): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = fieldOf(issue);
  throw new ApiError(400, "BadRequest", `Invalid ${where} parameter '${field}': ${messageOf(issue)}.`, field);
}

/** Parses one route parameter (the `{name}` of the route) or throws a 400 naming it. */
export function routeParam<T>(schema: z.ZodType<T>, value: string, name: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ApiError(400, "BadRequest", `Invalid route parameter '${name}': ${result.error.issues[0]!.message}.`, name);
}

/**
 * A body without the named read-only fields: what a GET answers may be sent back in a PUT (read,
 * change, write), and the fields only the server sets are ignored there, not refused. Any other
 * unknown key is still refused by the schema.
 */
export function withoutReadOnly(body: unknown, readOnly: readonly string[]): unknown {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([name]) => !readOnly.includes(name)));
}

export function queryObject(request: HttpRequest): Record<string, string> {
  const query: Record<string, string> = {};
  request.query.forEach((value, key) => {
    query[key] = value;
  });
  return query;
}

/** Runs a handler body, turning ApiError into its response; anything else is a 500 without details. */
export async function respond(work: () => Promise<HttpResponseInit>, log?: { error(message: string, ...args: unknown[]): void }): Promise<HttpResponseInit> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error);
    log?.error("Unhandled API error", error instanceof Error ? error.name : "unknown");
    return json(500, { error: { code: "InternalError", message: "The request failed on the server; it changed nothing that a retry would repeat. Try again." } });
  }
}

/** The request's JSON body, or a 400 when it is missing or not JSON. */
export async function jsonBody(request: HttpRequest, options: { optional?: boolean } = {}): Promise<unknown> {
  const text = await request.text();
  if (!text.trim()) {
    if (options.optional) return {};
    throw new ApiError(400, "BadRequest", "The request needs a JSON body.", "(body)");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "BadRequest", "The request body is not valid JSON.", "(body)");
  }
}
