/**
 * Request bodies of the accounts and leads API, the email-enabled type declarations and the
 * records of declared types, validated with zod so a 400 names the failing field.
 */
import { z } from "zod";
import { actRecordTypes } from "../domain/act-records.js";
import { builtInEmailEnabledTypes, type AccountFields, type EmailEnabledTypeDeclaration, type LeadFields } from "../domain/party-records.js";
import { address, common, phone, postalAddress, shortText } from "./act-schemas.js";

/** Dynamics has emailaddress1..3 on accounts, contacts and leads. */
const emails = z.array(address).max(3, "holds at most 3 addresses (emailaddress1..3)").default([]);

export const accountBody: z.ZodType<AccountFields & { ownerId: string; version?: number }> = z
  .object({
    ...common,
    name: shortText(160),
    emails,
    phone: phone.optional(),
    website: z.url({ protocol: /^https?$/ }).max(200).optional(),
    address: postalAddress.optional(),
    status: z.enum(["active", "inactive"]).default("active"),
  })
  .strict();

export const leadBody: z.ZodType<LeadFields & { ownerId: string; version?: number }> = z
  .object({
    ...common,
    firstName: shortText(100).optional(),
    lastName: shortText(100).optional(),
    company: shortText(160).optional(),
    subject: shortText(300).optional(),
    emails,
    status: z.enum(["open", "qualified", "disqualified"]).default("open"),
  })
  .strict()
  .refine((l) => l.lastName !== undefined || l.company !== undefined || l.emails.length > 0, { path: ["lastName"], message: "needs a lastName, a company or at least one email address" });

/** Names the records table and routes can hold; the built-in ones are taken. */
const reservedTypeNames: readonly string[] = [...builtInEmailEnabledTypes, ...actRecordTypes, "id"];
const typeName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,63}$/, "must be 2-64 lower-case letters, digits or '_', starting with a letter")
  .refine((name) => !reservedTypeNames.includes(name), "names a built-in record type");
export const recordOwnFields: readonly string[] = ["id", "type", "ownerId", "version", "createdAt", "modifiedAt"];
/** Field names of declared records: like JSON property names a CRM would use, not the record's own. */
const fieldName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "must be 1-64 letters, digits or '_', starting with a letter")
  .refine((name) => !recordOwnFields.includes(name), "is one of the record's own fields (id, type, ownerId, version, createdAt, modifiedAt)");

const declaration: z.ZodType<EmailEnabledTypeDeclaration> = z
  .object({
    typeName,
    addressFields: z.array(fieldName).min(1, "needs at least one field that holds addresses").max(10).refine((list) => new Set(list).size === list.length, "must not repeat a field"),
    nameField: fieldName.optional(),
  })
  .strict();

export const emailEnabledTypesBody = z
  .object({
    types: z
      .array(declaration)
      .max(50)
      .refine((list) => new Set(list.map((t) => t.typeName)).size === list.length, "must not declare a type twice"),
  })
  .strict();

const maxDeclaredRecordJson = 256 * 1024;

/** A declared type's record: free JSON fields, its address fields holding an address or a list of them. */
export function declaredRecordBody(type: EmailEnabledTypeDeclaration) {
  const addressValue = z.union([z.email().max(320), z.array(z.email().max(320)).max(10)]).nullable().optional();
  const addressShape = Object.fromEntries(type.addressFields.map((field) => [field, addressValue]));
  return z
    .object({ ...common, ...addressShape })
    .catchall(z.unknown())
    .superRefine((body, ctx) => {
      for (const name of Object.keys(body)) {
        if (!fieldName.safeParse(name).success && !["ownerId", "version"].includes(name)) ctx.addIssue({ code: "custom", path: [name], message: "is not a valid field name (letters, digits or '_', starting with a letter)" });
      }
      if (JSON.stringify(body).length > maxDeclaredRecordJson) ctx.addIssue({ code: "custom", path: [], message: `must be at most ${maxDeclaredRecordJson} characters of JSON` });
    });
}
