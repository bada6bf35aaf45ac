/**
 * The single-value extended property this product writes on a mailbox's Inbox: its value is the
 * deployment id that owns the mailbox's appointments, contacts and tasks. A fixed property set GUID
 * and name, so every deployment reads the same property.
 */
export const ownershipStampId = "String {6f1c2a7e-3b8d-4e5f-9a10-2c4d6e8f0a1b} Name CrmSyncOwner";
