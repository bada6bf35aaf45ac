/**
 * The one place that calls the API: its base URL and the signed-in user's token (session.ts).
 * A failure becomes an ApiFailure whose message is the API's own words (which name the field).
 */
import { apiBase, session, signOut } from "./session.js";

export class ApiFailure extends Error {
  constructor(readonly status: number, message: string, readonly code?: string) {
    super(message);
  }
}

export async function api<T = any>(method: string, route: string, body?: unknown): Promise<T> {
  const current = session();
  const headers: Record<string, string> = {};
  if (current?.token) headers.Authorization = `Bearer ${current.token}`;
  if (current?.functionKey) headers["x-functions-key"] = current.functionKey;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(new URL(route, apiBase()), { method, headers, body: payload });
  } catch {
    throw new ApiFailure(0, "The app did not answer: check your connection, or that the local host (npm start) is running.");
  }
  const text = await response.text();
  const parsed = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const error = (parsed as { error?: { message?: string; code?: string } } | undefined)?.error;
    if (response.status === 401) {
      signOut();
      throw new ApiFailure(401, "Your sign-in has expired or was refused: sign in again.", error?.code);
    }
    throw new ApiFailure(response.status, error?.message ?? `The app answered HTTP ${response.status}.`, error?.code);
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A query string from the filters that are set. */
export function query(filters: Record<string, string | undefined>): string {
  const params = new URLSearchParams(Object.entries(filters).filter((entry): entry is [string, string] => Boolean(entry[1])));
  const text = params.toString();
  return text ? `?${text}` : "";
}
