/**
 * Contacts as Graph v1.0 JSON, and reading them from request bodies. Every structural property of
 * graph.contact is rendered except primaryEmailAddress / secondaryEmailAddress /
 * tertiaryEmailAddress (**decision:** Exchange answers contacts with the emailAddresses collection;
 * those three are left out rather than guessed). Empty addresses render as `{}`, as Graph does.
 */
import { expandedProperties, graphDate } from "./graph-json.js";
import { readExtendedProperties } from "./message-input.js";
import {
  contactAddressFields, contactListFields, contactStringFields,
  type PhysicalAddress, type StoredContact,
} from "./pim-model.js";
import { invalidProperty, readEmailAddress, readNullableString, readStringList, renderEmailAddress } from "./pim-input.js";
import type { EmailAddressInput } from "./mailbox-model.js";

export const contactProperties = [
  "id", "createdDateTime", "lastModifiedDateTime", "changeKey", "parentFolderId", "birthday", "emailAddresses",
  ...contactStringFields, ...contactListFields, ...contactAddressFields,
] as const;

export type ContactFields = Partial<Omit<StoredContact, "id" | "folderId" | "changeSeq" | "changeKey" | "createdAt" | "lastModifiedAt" | "extendedProperties">>;

export interface ContactInput {
  fields: ContactFields;
  extendedProperties?: Map<string, string>;
}

const addressParts = ["street", "city", "state", "countryOrRegion", "postalCode"] as const;

function readAddress(value: unknown, property: string): PhysicalAddress | null {
  if (value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) throw invalidProperty(`The property '${property}' must be a physicalAddress.`);
  const record = value as Record<string, unknown>;
  const address = Object.fromEntries(
    addressParts.map((part) => [part, record[part] === undefined ? null : readNullableString(record[part], `${property}.${part}`)]),
  ) as unknown as PhysicalAddress;
  return addressParts.every((part) => address[part] === null || address[part] === "") ? null : address;
}

export function readContactInput(json: Record<string, unknown>): ContactInput {
  const fields: Record<string, unknown> = {};
  for (const name of contactStringFields) if (json[name] !== undefined) fields[name] = readNullableString(json[name], name);
  for (const name of contactListFields) if (json[name] !== undefined) fields[name] = readStringList(json[name], name);
  for (const name of contactAddressFields) if (json[name] !== undefined) fields[name] = readAddress(json[name], name);
  if (json.birthday !== undefined) {
    const at = typeof json.birthday === "string" ? Date.parse(json.birthday) : Number.NaN;
    if (json.birthday !== null && Number.isNaN(at)) throw invalidProperty("The property 'birthday' must be a DateTimeOffset.");
    fields.birthday = json.birthday === null ? null : at;
  }
  if (json.emailAddresses !== undefined) {
    if (json.emailAddresses !== null && !Array.isArray(json.emailAddresses)) {
      throw invalidProperty("The property 'emailAddresses' must be a collection.");
    }
    fields.emailAddresses = ((json.emailAddresses ?? []) as unknown[]).map((e, i) => readEmailAddress(e, `emailAddresses[${i}]`));
  }
  const input: ContactInput = { fields: fields as ContactFields };
  if (json.singleValueExtendedProperties !== undefined) input.extendedProperties = readExtendedProperties(json.singleValueExtendedProperties);
  return input;
}

/** Exchange fills displayName when a client leaves it out: given name and surname, else company, else first address. */
export function derivedDisplayName(contact: Pick<StoredContact, "givenName" | "surname" | "companyName"> & { emailAddresses: EmailAddressInput[] }): string {
  const name = [contact.givenName, contact.surname].filter((part) => part).join(" ");
  return name || contact.companyName || contact.emailAddresses[0]?.address || "";
}

export function renderContact(
  contact: StoredContact,
  options: { select?: string[]; expandPropertyIds?: string[] } = {},
): Record<string, unknown> {
  const value = (name: (typeof contactProperties)[number]): unknown => {
    switch (name) {
      case "id": return contact.id;
      case "createdDateTime": return graphDate(contact.createdAt);
      case "lastModifiedDateTime": return graphDate(contact.lastModifiedAt);
      case "changeKey": return contact.changeKey;
      case "parentFolderId": return contact.folderId;
      case "birthday": return contact.birthday === null ? null : graphDate(contact.birthday);
      case "emailAddresses": return contact.emailAddresses.map(renderEmailAddress);
      case "businessAddress": case "homeAddress": case "otherAddress": return contact[name] === null ? {} : { ...contact[name] };
      default: {
        const stored = contact[name];
        return Array.isArray(stored) ? [...stored] : stored;
      }
    }
  };
  const json: Record<string, unknown> = { "@odata.etag": `W/"${contact.changeKey}"` };
  const selected = options.select ? ["id", ...options.select.filter((p) => p !== "id")] : contactProperties;
  for (const name of selected) json[name] = value(name as (typeof contactProperties)[number]);
  if (options.expandPropertyIds) {
    const expanded = expandedProperties(contact.extendedProperties, options.expandPropertyIds);
    if (expanded) json.singleValueExtendedProperties = expanded;
  }
  return json;
}
