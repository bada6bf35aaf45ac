/**
 * Exchange Online allows an app 4 concurrent requests per mailbox; a 5th is answered 429
 * (MailboxConcurrency). This gate keeps each process within that: requests for one mailbox beyond
 * the limit wait their turn. Across processes the workloads' own bounds keep the total within 4
 * (incoming ≤ 2 at a time, outgoing and ACT ≤ 1 each).
 */
export const maxConcurrentRequestsPerMailbox = 4;

export class MailboxRequestGate {
  private readonly active = new Map<string, { running: number; waiting: Array<() => void> }>();

  constructor(private readonly limit = maxConcurrentRequestsPerMailbox) {}

  async run<T>(mailboxKey: string | undefined, work: () => Promise<T>): Promise<T> {
    if (!mailboxKey) return work();
    let entry = this.active.get(mailboxKey);
    if (!entry) {
      entry = { running: 0, waiting: [] };
      this.active.set(mailboxKey, entry);
    }
    if (entry.running >= this.limit) await new Promise<void>((resolve) => entry!.waiting.push(resolve));
    entry.running++;
    try {
      return await work();
    } finally {
      entry.running--;
      const next = entry.waiting.shift();
      if (next) next();
      else if (entry.running === 0) this.active.delete(mailboxKey);
    }
  }
}

/** The mailbox a Graph path or link addresses (`/users/{key}/...`), case-insensitive. */
export function mailboxKeyOf(pathOrLink: string): string | undefined {
  const match = /\/users\/([^/?]+)/i.exec(pathOrLink);
  return match ? decodeURIComponent(match[1]!).toLowerCase() : undefined;
}
