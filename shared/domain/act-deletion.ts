/**
 * What an item deleted in Exchange does to its linked CRM record, as server-side sync documents it
 * ("Synchronization logic for appointments, contacts, and tasks"; "Deleting records that have been
 * tracked", whose rules apply to server-side sync too):
 * - an appointment is deleted in the CRM when it is open (scheduled), organised by the mailbox's
 *   user and has not started yet (a series: whenever it started);
 * - a task is deleted in the CRM unless it is completed;
 * - a contact is never deleted in the CRM.
 * A record that changed in the CRM since the last sync, or that belongs to another user by now, is
 * kept whatever its type: a sync never throws a CRM edit away.
 *
 * A kept record is not sent back to Exchange by itself: it stays out of Exchange until it next
 * changes in the CRM (then it is created again, a deliberate act). Pure rules.
 */
import type { ActRecord, AppointmentFields, TaskFields } from "./act-records.js";
import { toInstant } from "./zoned-time.js";

export type ExchangeDeletion = "deleteRecord" | "keepRecord";

export interface DeletionContext {
  /** The record version synced last (the link's). */
  syncedVersion: number;
  /** The mailbox's owner and address. */
  ownerId: string;
  mailboxAddress: string;
  /** Epoch ms. */
  now: number;
}

export function afterExchangeDeletion(record: ActRecord, context: DeletionContext): ExchangeDeletion {
  if (record.version !== context.syncedVersion || record.ownerId !== context.ownerId) return "keepRecord";
  switch (record.type) {
    case "appointment":
      return appointmentGoes(record.fields as AppointmentFields, context) ? "deleteRecord" : "keepRecord";
    case "task":
      return (record.fields as TaskFields).status === "completed" ? "keepRecord" : "deleteRecord";
    case "contact":
      return "keepRecord";
  }
}

function appointmentGoes(fields: AppointmentFields, context: DeletionContext): boolean {
  if (fields.status !== "scheduled") return false;
  if (fields.organizer?.address.toLowerCase() !== context.mailboxAddress.toLowerCase()) return false;
  if (fields.recurrence) return true;
  const start = Date.parse(toInstant(fields.start) ?? "");
  return start > context.now;
}

/** Whether the push holds a record back: deleted in Exchange at this version, unchanged since. */
export function staysOutOfExchange(record: Pick<ActRecord, "version">, deletedInExchangeAt: number | undefined): boolean {
  return deletedInExchangeAt === record.version;
}
