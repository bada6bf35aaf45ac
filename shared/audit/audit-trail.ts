/**
 * Records each change made through the admin API: who (the token's object id and name), what (the
 * function), which mailbox or profile, the changed fields before and after, and when — in Table
 * Storage (GET /api/audit) and as a log record that names the fields but carries no values.
 */
import { randomUUID } from "node:crypto";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { Caller } from "../auth/caller.js";
import { changedFields } from "../domain/audit-changes.js";
import type { Runtime } from "../runtime.js";
import type { AuditRecord } from "../storage/audit-repository.js";
import { auditedChanges, readTarget } from "./audited-changes.js";

/**
 * Runs an admin API handler and records what it changed when it succeeded. The targets are read
 * before and after; a request that fails (4xx, 5xx) changed nothing and records nothing.
 */
export async function withAuditTrail(runtime: Runtime, functionName: string, request: HttpRequest, context: InvocationContext, caller: Caller, run: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  const audited = auditedChanges[functionName];
  if (!audited) return run();
  const targets = await audited.targets(request);
  const before = await Promise.all(targets.map((target) => readTarget(runtime, target)));
  const response = await run();
  const status = response.status ?? 200;
  if (status < 200 || status >= 300) return response;
  for (const [i, target] of targets.entries()) {
    const changes = changedFields(before[i], await readTarget(runtime, target));
    if (changes.length === 0) continue;
    const record: AuditRecord = {
      id: randomUUID(),
      at: new Date(runtime.now()).toISOString(),
      who: { objectId: caller.objectId, name: caller.name, kind: caller.kind },
      action: functionName,
      target,
      changes,
    };
    await runtime.audit.add(record);
    // Ids and field names only: the values stay in the audit table (Sync.Admin reads them).
    context.info("admin change", { auditId: record.id, action: functionName, targetType: target.type, targetId: target.id, fields: changes.map((c) => c.field).join(","), callerObjectId: caller.objectId, callerKind: caller.kind });
  }
  return response;
}
