/**
 * The CRM's parties: the records an email address can stand for. Contacts are ACT records (synced
 * with the owner's Exchange contacts); accounts and leads are CRM-only; CRM users and queues are the
 * mailboxes' owners; an organization can declare more email-enabled types. Pure types and rules.
 */
import type { Attendee, ContactFields, PostalAddress } from "./act-records.js";

export interface AccountFields {
  name: string;
  /** Like a contact's: Dynamics' emailaddress1..3, each with an optional display name. */
  emails: Attendee[];
  phone?: string;
  website?: string;
  address?: PostalAddress;
  status: "active" | "inactive";
}

export type LeadStatus = "open" | "qualified" | "disqualified";

export interface LeadFields {
  firstName?: string;
  lastName?: string;
  company?: string;
  subject?: string;
  emails: Attendee[];
  status: LeadStatus;
}

/** The CRM-only record types the records API serves beside the ACT types. */
export const partyRecordTypes = ["account", "lead"] as const;
export type PartyRecordType = (typeof partyRecordTypes)[number];

export interface PartyFieldsByType {
  account: AccountFields;
  lead: LeadFields;
}

/** The email-enabled types that exist without a declaration, in Dynamics' sender-resolution order. */
export const builtInEmailEnabledTypes = ["user", "contact", "account", "lead", "queue"] as const;
export type BuiltInEmailEnabledType = (typeof builtInEmailEnabledTypes)[number];

/** A record type an organization marks as email-enabled: which of its fields hold addresses. */
export interface EmailEnabledTypeDeclaration {
  typeName: string;
  addressFields: string[];
  /** The field shown as the record's name on an activity's party. */
  nameField?: string;
}

/** Fields of a record of a declared type: free JSON, the declared address fields hold addresses. */
export type DeclaredRecordFields = Record<string, unknown>;

/** What an address resolves to: one CRM record, enough to show and link it on an activity. */
export interface PartyRecordRef {
  type: string;
  id: string;
  name: string;
  /** The CRM user who owns the record; none for users and queues (they are owners). */
  ownerId?: string;
  /** For users and queues: their mailbox. */
  mailboxId?: string;
  /** Inactive contacts and accounts, qualified or disqualified leads: listed, but not preferred as sender. */
  active: boolean;
}

/** Addresses compare without case and surrounding blanks, as Exchange and Dynamics compare them. */
export function normaliseAddress(address: string): string {
  return address.trim().toLowerCase();
}

/** The distinct normalised addresses a record holds; none for types that are not email-enabled. */
export function recordAddresses(type: string, fields: unknown, declaration?: EmailEnabledTypeDeclaration): string[] {
  const values = fields as Record<string, unknown>;
  const found: unknown[] = [];
  if (type === "contact" || type === "account" || type === "lead") found.push(...((values.emails as Attendee[] | undefined) ?? []).map((email) => email.address));
  else if (declaration) for (const field of declaration.addressFields) found.push(...[values[field]].flat());
  return [...new Set(found.filter((value): value is string => typeof value === "string" && value.trim() !== "").map(normaliseAddress))];
}

/** The name an activity shows for the record. */
export function recordDisplayName(type: string, fields: unknown, declaration?: EmailEnabledTypeDeclaration): string {
  const values = fields as Record<string, unknown>;
  const person = (f: ContactFields | LeadFields) => [f.firstName, f.lastName].filter(Boolean).join(" ");
  const named = type === "account" ? (values as unknown as AccountFields).name
    : type === "contact" || type === "lead" ? person(values as unknown as ContactFields) || ((type === "lead" && (values as unknown as LeadFields).company) || "")
    : declaration?.nameField && typeof values[declaration.nameField] === "string" ? (values[declaration.nameField] as string) : "";
  return named || recordAddresses(type, fields, declaration)[0] || "";
}

export function isActiveRecord(type: string, fields: unknown): boolean {
  const status = (fields as { status?: unknown }).status;
  return type === "lead" ? status === "open" : status !== "inactive";
}

/** Track option `fromLeadsContactsAccounts`: the sender is one of these. */
export function isLeadContactOrAccount(ref: Pick<PartyRecordRef, "type">): boolean {
  return ref.type === "contact" || ref.type === "account" || ref.type === "lead";
}

/**
 * Track option `fromEmailEnabledRecords`: any email-enabled record, users, queues and declared
 * types included. Every record the address book answers is one (it indexes nothing else).
 */
export function isEmailEnabledRecord(ref: Pick<PartyRecordRef, "type">, declaredTypes: readonly string[]): boolean {
  return (builtInEmailEnabledTypes as readonly string[]).includes(ref.type) || declaredTypes.includes(ref.type);
}

const typeRank = (type: string) => {
  const rank = (builtInEmailEnabledTypes as readonly string[]).indexOf(type);
  // Declared types come after the built-in ones, as Dynamics' "email-enabled tables" do.
  return rank === -1 ? builtInEmailEnabledTypes.length : rank;
};

/**
 * The records of one address in the order Dynamics resolves a sender: the mailbox owner's own
 * records first, then active before inactive, then user, contact, account, lead, queue, declared
 * types; ties by id so the order is stable. The first is the record the From party stands for; a
 * To/Cc/Bcc party lists all of them.
 */
export function orderPartyRecords(refs: readonly PartyRecordRef[], mailboxOwnerId?: string): PartyRecordRef[] {
  const key = (ref: PartyRecordRef) => [mailboxOwnerId !== undefined && ref.ownerId === mailboxOwnerId ? 0 : 1, ref.active ? 0 : 1, typeRank(ref.type)] as const;
  return [...refs].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return a.type === b.type ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.type < b.type ? -1 : 1;
  });
}
