/**
 * Field readers shared by the event, contact and task parsers: Graph accepts enum members in any
 * case and answers 400 for values of the wrong type. Unknown properties are ignored, as for
 * messages (message-input.ts).
 */
import { GraphError } from "./graph-error.js";
import type { EmailAddressInput } from "./mailbox-model.js";

export const invalidProperty = (message: string) => new GraphError(400, "ErrorInvalidRequest", message);

export function readString(value: unknown, property: string): string {
  if (typeof value !== "string") throw invalidProperty(`The property '${property}' must be a string.`);
  return value;
}

export function readNullableString(value: unknown, property: string): string | null {
  return value === null ? null : readString(value, property);
}

export function readBoolean(value: unknown, property: string): boolean {
  if (typeof value !== "boolean") throw invalidProperty(`The property '${property}' must be a boolean.`);
  return value;
}

export function readStringList(value: unknown, property: string): string[] {
  if (value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    throw invalidProperty(`The property '${property}' must be a collection of strings.`);
  }
  return [...(value as string[])];
}

export function readEnum<T extends string>(values: readonly T[], value: unknown, property: string): T {
  const member = values.find((v) => typeof value === "string" && v.toLowerCase() === value.toLowerCase());
  if (!member) throw invalidProperty(`'${String(value)}' is not a valid value for the property '${property}'.`);
  return member;
}

export function readBody(value: unknown): { contentType: "text" | "html"; content: string } {
  const body = value as { contentType?: unknown; content?: unknown } | null;
  const contentType = body?.contentType === undefined ? "text" : readEnum(["text", "html"] as const, body.contentType, "body.contentType");
  return { contentType, content: typeof body?.content === "string" ? body.content : "" };
}

export function readEmailAddress(value: unknown, property: string): EmailAddressInput {
  const email = value as { address?: unknown; name?: unknown } | null;
  if (typeof email?.address !== "string") throw invalidProperty(`The property '${property}' needs an address.`);
  return typeof email.name === "string" && email.name !== "" ? { name: email.name, address: email.address.trim() } : { address: email.address.trim() };
}

/** Graph's emailAddress: the name defaults to the address. */
export const renderEmailAddress = (email: EmailAddressInput) => ({ name: email.name ?? email.address, address: email.address });

/** Text for bodyPreview (the first 255 characters, whitespace collapsed). */
export function previewOf(body: { contentType: "text" | "html"; content: string }, htmlToText: (html: string) => string): string {
  const text = body.contentType === "html" ? htmlToText(body.content) : body.content;
  return text.replace(/\s+/g, " ").trim().slice(0, 255);
}
