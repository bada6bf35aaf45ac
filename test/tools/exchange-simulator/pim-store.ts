/**
 * Where each mailbox's calendar, contacts and To Do tasks live (created on first use), and the
 * errors Graph answers for items that do not exist. The per-domain operations are in
 * calendar-store.ts, contact-store.ts and task-store.ts; they all bump the mailbox's PIM sequence,
 * which is what the calendarView delta compares against.
 */
import { GraphError } from "./graph-error.js";
import type { Mailbox } from "./mailbox-model.js";
import type { MailboxPim } from "./pim-model.js";

/** A change to an event or contact, for change notifications (To Do tasks have none with app-only access). */
export interface PimChange {
  kind: "event" | "contact";
  changeType: "created" | "updated" | "deleted";
  id: string;
  /** Absent on deletions. */
  changeKey?: string;
  /** Contacts: the contact folder. */
  folderId?: string;
}

export class PimStore {
  private readonly byMailbox = new Map<string, MailboxPim>();
  /** Told about every event and contact change (the change notifier listens here). */
  onItemChange: ((mailbox: Mailbox, change: PimChange) => void) | undefined;

  constructor(readonly now: () => number) {}

  changed(mailbox: Mailbox, change: PimChange): void {
    this.onItemChange?.(mailbox, change);
  }

  of(mailbox: Mailbox): MailboxPim {
    let pim = this.byMailbox.get(mailbox.id);
    if (!pim) {
      pim = {
        seq: 0,
        events: new Map(),
        eventDepartures: [],
        occurrences: new Map(),
        contacts: new Map(),
        taskLists: [],
        tasks: new Map(),
      };
      this.byMailbox.set(mailbox.id, pim);
    }
    return pim;
  }

  reset(): void {
    this.byMailbox.clear();
  }

  /** Every mailbox's calendar, contacts and tasks, by mailbox id, for saving (see state-file.ts). */
  entries(): Array<[mailboxId: string, pim: MailboxPim]> {
    return [...this.byMailbox.entries()];
  }

  restore(entries: ReadonlyArray<[mailboxId: string, pim: MailboxPim]>): void {
    this.byMailbox.clear();
    for (const [mailboxId, pim] of entries) this.byMailbox.set(mailboxId, pim);
  }
}

/** Exchange's answer for an item id that names nothing (also for deleted items). */
export const itemNotFound = () => new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
