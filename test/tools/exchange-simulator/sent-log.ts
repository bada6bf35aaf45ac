/**
 * The outbound log: one entry per submitted message (sendMail or a sent draft), so tests can
 * assert "sent exactly once" and see what left the organisation. Internal recipients also get an
 * Inbox copy; external ones exist only here.
 */
export interface SentLogEntry {
  /** Sender address as stored (the mailbox's primary address). */
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  body: { contentType: "text" | "html"; content: string };
  internetMessageId: string;
  conversationId: string;
  /** ISO-8601, simulator clock. */
  sentAt: string;
  /** In-Reply-To / References and the custom X- headers that went out. */
  headers: Array<{ name: string; value: string }>;
  attachments: Array<{ name: string; size: number; contentType: string; sha256: string }>;
  /** Recipients that are mailboxes of the sender's tenant (they got an Inbox copy). */
  internalRecipients: string[];
  /** Every other recipient: what left the organisation. */
  externalRecipients: string[];
}

export class SentLog {
  private entries: SentLogEntry[] = [];

  add(entry: SentLogEntry): void {
    this.entries.push(entry);
  }

  /** Oldest first; only the given sender's when a mailbox address is given. */
  list(fromAddress?: string): SentLogEntry[] {
    const key = fromAddress?.toLowerCase();
    return this.entries.filter((e) => key === undefined || e.from.toLowerCase() === key).map((e) => structuredClone(e));
  }

  reset(): void {
    this.entries = [];
  }

  /** Every entry, oldest first, for saving (see state-file.ts). */
  all(): readonly SentLogEntry[] {
    return this.entries;
  }

  restore(entries: readonly SentLogEntry[]): void {
    this.entries = [...entries];
  }
}
