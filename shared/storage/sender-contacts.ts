/**
 * "Automatically create records": a contact for an unknown sender of tracked mail, owned by the
 * mailbox owner. The id comes from the owner and the address, so a retried cycle (or two mailboxes
 * of the same owner seeing the same message) finds the contact made before instead of a second one.
 */
import { createHash } from "node:crypto";
import type { ActRecord, ContactFields } from "../domain/act-records.js";
import { normaliseAddress } from "../domain/party-records.js";
import type { ActRecordRepository } from "./act-record-repository.js";

export interface UnknownSender {
  ownerId: string;
  address: string;
  /** The display name the message gave, if any. */
  name?: string;
}

export function senderContactId(ownerId: string, address: string): string {
  return `sender-${createHash("sha256").update(`${ownerId}\n${normaliseAddress(address)}`).digest("base64url").slice(0, 32)}`;
}

/** "Pat Kim" → first Pat, last Kim; a single word is the last name (a contact needs one name or an address). */
export function contactNameFields(name: string | undefined): Pick<ContactFields, "firstName" | "lastName"> {
  const words = (name ?? "").trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return {};
  if (words.length === 1) return { lastName: words[0]!.slice(0, 100) };
  return { firstName: words.slice(0, -1).join(" ").slice(0, 100), lastName: words.at(-1)!.slice(0, 100) };
}

/** Creates the sender's contact once; answers the existing one (as it is now) on every later call. */
export async function createContactForSender(records: ActRecordRepository, sender: UnknownSender, now: number): Promise<{ contact: ActRecord<"contact">; created: boolean }> {
  const id = senderContactId(sender.ownerId, sender.address);
  const at = new Date(now).toISOString();
  const address = normaliseAddress(sender.address);
  const fields: ContactFields = { ...contactNameFields(sender.name), emails: [{ address, ...(sender.name?.trim() ? { name: sender.name.trim().slice(0, 256) } : {}) }], status: "active" };
  const contact: ActRecord<"contact"> = { type: "contact", id, ownerId: sender.ownerId, fields, createdAt: at, modifiedAt: at, version: 1 };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await records.create(contact)) return { contact, created: true };
    const existing = await records.get("contact", id);
    if (existing) return { contact: existing.record, created: false };
    // Deleted between the two calls: create it again.
  }
  throw new Error(`The contact ${id} for an unknown sender kept changing; the next cycle tries again.`);
}
