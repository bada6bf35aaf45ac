/**
 * Email-enabled types an organization declares (a type name and the fields that hold addresses),
 * their records (`/api/records/{type}/{id}`: free JSON fields, addresses indexed), and the address
 * book lookup. The built-in types keep their own routes.
 */
import { z } from "zod";
import { orderPartyRecords } from "../domain/party-records.js";
import type { Runtime } from "../runtime.js";
import { type ActRecordView, createWithId, deleteRecord, expectedVersion, getRecord, listRecords, parseWith, type RecordKind, replaceRecord } from "./act-record-api.js";
import { idParam } from "./admin-schemas.js";
import { ApiError, parseOrThrow, routeParam } from "./http-responses.js";
import { declaredRecordBody, emailEnabledTypesBody } from "./party-schemas.js";
import { text } from "./text-fields.js";

export async function getEmailEnabledTypes(runtime: Runtime) {
  return { types: await runtime.emailEnabledTypes.list({ fresh: true }) };
}

/**
 * Replaces the declarations. Records already stored keep their index rows until they are next
 * written; records of a type no longer declared stop resolving at once.
 */
export async function putEmailEnabledTypes(runtime: Runtime, body: unknown) {
  const { types } = parseOrThrow(emailEnabledTypesBody, body, "body");
  await runtime.emailEnabledTypes.put(types);
  return { types };
}

const typeParam = text().regex(/^[a-z][a-z0-9_]{1,63}$/, "must be a declared email-enabled type name");

async function declaredKind(runtime: Runtime, type: string): Promise<RecordKind> {
  const typeName = routeParam(typeParam, type, "recordType");
  const declaration = await runtime.emailEnabledTypes.find(typeName, { fresh: true });
  if (!declaration) throw new ApiError(404, "NotFound", `Record type '${typeName}' is not declared; declare it with PUT /api/settings/email-enabled-types.`);
  const schema = declaredRecordBody(declaration);
  return { type: typeName, label: `${typeName} record`, repository: runtime.declaredRecords, parse: (body) => parseWith(schema, body) };
}

/** Creates the record under the caller's id, or replaces it (If-Match or `version` make that conditional). */
export async function putDeclaredRecord(runtime: Runtime, type: string, id: string, body: unknown, ifMatch: string | null): Promise<{ created: boolean; view: ActRecordView }> {
  const kind = await declaredKind(runtime, type);
  const recordId = routeParam(idParam, id, "id");
  const parsed = kind.parse(body, runtime.now());
  if (expectedVersion(parsed.version, ifMatch) === undefined) {
    const created = await createWithId(runtime, kind, recordId, parsed);
    if (created) return { created: true, view: created };
  }
  return { created: false, view: await replaceRecord(kind, recordId, parsed, ifMatch) };
}

export async function getDeclaredRecord(runtime: Runtime, type: string, id: string) {
  return getRecord(await declaredKind(runtime, type), id);
}

export async function deleteDeclaredRecord(runtime: Runtime, type: string, id: string, ifMatch: string | null) {
  return deleteRecord(await declaredKind(runtime, type), id, ifMatch);
}

export async function listDeclaredRecords(runtime: Runtime, type: string, query: Record<string, string>) {
  return listRecords(await declaredKind(runtime, type), query);
}

const resolveBody = z
  .object({
    addresses: z.array(text().trim().min(1).max(320)).min(1).max(500),
    /** The mailbox owner whose own records come first, as for a sender. */
    ownerId: idParam.optional(),
  })
  .strict();

/** What each address stands for: every record, in the order Dynamics resolves a sender. */
export async function resolveAddresses(runtime: Runtime, body: unknown) {
  const { addresses, ownerId } = parseOrThrow(resolveBody, body, "body");
  const resolved = await runtime.addressBook.resolve(addresses);
  return { items: [...resolved].map(([address, records]) => ({ address, records: orderPartyRecords(records, ownerId) })) };
}
