/**
 * Least exposure (pure): which callers see mail content, and what the others see instead.
 *
 * Mail content is subjects, bodies and email addresses. Subjects and bodies are only on the records
 * API (Records.ReadWrite). Addresses are also in two things Monitor.Read reads: a mailbox's
 * `emailAddress` (and Graph error text in a workload's `lastError.message`, which can quote one),
 * and the text of alerts (`title`, `cause`, `fix` name the mailbox by address). For a caller
 * without a role in rolesSeeingMailContent those are shown with the addresses hidden; ids stay.
 */
import { rolesSeeingMailContent } from "./app-roles.js";
import type { Caller } from "./caller.js";

export const hiddenAddress = "(address hidden)";

export function seesMailContent(caller: Caller): boolean {
  return caller.roles.some((role) => rolesSeeingMailContent.includes(role));
}

// Local part, @, a domain with a dot: what an address in free text looks like (RFC 5322's
// quoted local parts never occur in these texts).
const addressPattern = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

export function withoutAddresses(text: string): string {
  return text.replace(addressPattern, hiddenAddress);
}

interface MailboxLike {
  emailAddress: string | null;
  workloads: Record<string, { lastError: { message: string } | null }>;
}

export function mailboxFor<T extends MailboxLike>(caller: Caller, view: T): T {
  if (seesMailContent(caller)) return view;
  const workloads = Object.fromEntries(
    Object.entries(view.workloads).map(([name, state]) => [name, state.lastError ? { ...state, lastError: { ...state.lastError, message: withoutAddresses(state.lastError.message) } } : state]),
  );
  return { ...view, emailAddress: null, workloads };
}

interface AlertLike {
  title: string;
  cause: string;
  fix: string;
}

export function alertFor<T extends AlertLike>(caller: Caller, alert: T): T {
  if (seesMailContent(caller)) return alert;
  return { ...alert, title: withoutAddresses(alert.title), cause: withoutAddresses(alert.cause), fix: withoutAddresses(alert.fix) };
}
