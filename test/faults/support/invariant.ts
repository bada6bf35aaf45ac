/**
 * The invariant every fault scenario ends with: every message delivered is stored exactly once,
 * with the right direction and mailboxes; no mailbox is left disabled that should not be.
 * Read through the product's repositories (harness) or its HTTP API (local host).
 */
import type { Runtime } from "../../../shared/runtime.js";
import type { Expected } from "./ledger.js";

export interface Reader {
  /** The activity's direction and the mailboxes it was found in, or undefined. */
  activity(id: string): Promise<{ direction: string; mailboxIds: string[] } | undefined>;
  /** Every activity id listed for a mailbox (one per listed row). */
  listed(mailboxId: string): Promise<string[]>;
  /** Incoming enabled, per mailbox. */
  enabled(mailboxIds: string[]): Promise<Record<string, boolean>>;
}

export interface InvariantReport {
  delivered: number;
  /** Delivered messages stored correctly: one activity, right direction, every expected mailbox. */
  stored: number;
  /** Extra rows: a mailbox listing an activity twice, or listing one nobody delivered to it. */
  duplicated: number;
  /** Delivered messages with no activity, or missing from a mailbox they were delivered to. */
  lost: number;
  wrong: string[];
  disabled: string[];
  ok: boolean;
}

export async function checkInvariant(reader: Reader, expected: Expected[], mailboxIds: string[]): Promise<InvariantReport> {
  let stored = 0;
  let lost = 0;
  const wrong: string[] = [];
  const byId = new Map(expected.map((e) => [e.activityId, e]));
  for (const e of expected) {
    const activity = await reader.activity(e.activityId);
    if (!activity) {
      lost++;
      continue;
    }
    const missing = e.mailboxIds.filter((m) => !activity.mailboxIds.includes(m));
    if (missing.length > 0) {
      lost++;
      continue;
    }
    if (activity.direction !== e.direction) wrong.push(`${e.subject}: direction ${activity.direction}, expected ${e.direction}`);
    else if (activity.mailboxIds.length !== e.mailboxIds.length) wrong.push(`${e.subject}: found in ${activity.mailboxIds.join(",")}, expected ${e.mailboxIds.join(",")}`);
    else stored++;
  }
  let duplicated = 0;
  for (const mailboxId of mailboxIds) {
    const rows = await reader.listed(mailboxId);
    const seen = new Set<string>();
    for (const id of rows) {
      const e = byId.get(id);
      if (seen.has(id) || !e || !e.mailboxIds.includes(mailboxId)) duplicated++;
      seen.add(id);
    }
    // Stored but not listed for a mailbox it was delivered to: the CRM user cannot see it.
    for (const e of expected) if (e.mailboxIds.includes(mailboxId) && !seen.has(e.activityId)) wrong.push(`${e.subject}: not listed for ${mailboxId}`);
  }
  const enabled = await reader.enabled(mailboxIds);
  const disabled = mailboxIds.filter((id) => !enabled[id]);
  return { delivered: expected.length, stored, duplicated, lost, wrong, disabled, ok: stored === expected.length && duplicated === 0 && lost === 0 && wrong.length === 0 && disabled.length === 0 };
}

export function runtimeReader(runtime: Runtime): Reader {
  return {
    async activity(id) {
      const a = await runtime.emails.get(id);
      return a ? { direction: a.direction, mailboxIds: a.mailboxes.map((m) => m.mailboxId) } : undefined;
    },
    async listed(mailboxId) {
      const ids: string[] = [];
      let continuationToken: string | undefined;
      do {
        const page = await runtime.emails.listForMailbox(mailboxId, { pageSize: 1000, continuationToken });
        ids.push(...page.items.map((i) => i.id));
        continuationToken = page.continuationToken;
      } while (continuationToken);
      return ids;
    },
    async enabled(mailboxIds) {
      const out: Record<string, boolean> = {};
      for (const id of mailboxIds) out[id] = (await runtime.mailboxes.get(id))?.mailbox.workloads.incoming.enabled === true;
      return out;
    },
  };
}

/** `authorization`: the Authorization header the API asks for (a token of its tenant). */
export function httpReader(apiUrl: string, authorization: () => Promise<string>): Reader {
  const get = async (route: string) => {
    const response = await fetch(`${apiUrl}/api/${route}`, { headers: { Authorization: await authorization() } });
    return { status: response.status, body: (await response.json()) as any };
  };
  return {
    async activity(id) {
      const r = await get(`emails/${id}`);
      if (r.status === 404) return undefined;
      if (r.status !== 200) throw new Error(`GET emails/${id}: ${r.status}`);
      return { direction: r.body.direction, mailboxIds: (r.body.mailboxes as Array<{ mailboxId: string }>).map((m) => m.mailboxId) };
    },
    async listed(mailboxId) {
      const ids: string[] = [];
      let token: string | null = null;
      do {
        const r = await get(`emails?mailboxId=${mailboxId}&pageSize=1000${token ? `&continuationToken=${encodeURIComponent(token)}` : ""}`);
        ids.push(...(r.body.items as Array<{ id: string }>).map((i) => i.id));
        token = r.body.continuationToken;
      } while (token);
      return ids;
    },
    async enabled(mailboxIds) {
      const out: Record<string, boolean> = {};
      for (const id of mailboxIds) out[id] = (await get(`mailboxes/${id}`)).body?.workloads?.incoming?.enabled === true;
      return out;
    },
  };
}
