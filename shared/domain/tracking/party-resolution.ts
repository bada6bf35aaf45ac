/**
 * An email's parties with the CRM records their addresses resolved to (the address book's answer,
 * passed in): pure, so the incoming engine and the CRM email API show parties the same way. An
 * address on several records lists all of them, in Dynamics' sender order for the mailbox owner;
 * the From party stands for the first.
 */
import type { EmailParty, PartyRecord } from "../email-activity.js";
import { normaliseAddress, orderPartyRecords, type PartyRecordRef } from "../party-records.js";

export type ResolvedAddresses = ReadonlyMap<string, readonly PartyRecordRef[]>;

/** The distinct normalised addresses of the parties. */
export function partyAddresses(parties: ReadonlyArray<EmailParty | undefined>): string[] {
  return [...new Set(parties.filter((p): p is EmailParty => Boolean(p?.address)).map((p) => normaliseAddress(p.address)))];
}

function shown(ref: PartyRecordRef): PartyRecord {
  return { type: ref.type, id: ref.id, name: ref.name, ...(ref.ownerId ? { ownerId: ref.ownerId } : {}) };
}

/** The party with its records (none listed when the address resolved to nothing). */
export function withRecords(party: EmailParty, resolved: ResolvedAddresses, ownerId?: string): EmailParty {
  const refs = resolved.get(normaliseAddress(party.address)) ?? [];
  const { records: _earlier, ...rest } = party;
  return refs.length > 0 ? { ...rest, records: orderPartyRecords(refs, ownerId).map(shown) } : rest;
}

export function partiesWithRecords<T extends { from?: EmailParty; to: EmailParty[]; cc: EmailParty[]; bcc: EmailParty[] }>(
  email: T,
  resolved: ResolvedAddresses,
  ownerId?: string,
): T {
  const each = (parties: EmailParty[]) => parties.map((p) => withRecords(p, resolved, ownerId));
  return { ...email, ...(email.from ? { from: withRecords(email.from, resolved, ownerId) } : {}), to: each(email.to), cc: each(email.cc), bcc: each(email.bcc) };
}

/** The record types the parties' addresses resolved to (the track options' "from" facts). */
export function recordTypesOf(parties: ReadonlyArray<EmailParty | undefined>, resolved: ResolvedAddresses): string[] {
  return [...new Set(partyAddresses(parties).flatMap((address) => (resolved.get(address) ?? []).map((ref) => ref.type)))];
}
