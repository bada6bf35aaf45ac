/**
 * Single-value extended properties this product writes (fixed property-set GUIDs, lower case as
 * Exchange returns them, and names), so every deployment reads and writes the same properties.
 */

/** On a mailbox's Inbox: the deployment id that owns its appointments, contacts and tasks. */
export const ownershipStampId = "String {6f1c2a7e-3b8d-4e5f-9a10-2c4d6e8f0a1b} Name CrmSyncOwner";

/** On a message the CRM sends: the CRM email's id (finds the draft or sent item on a retry). */
export const crmEmailStampId = "String {9b2f4d6a-1c3e-4a5b-8d7f-0e2c4a6b8d10} Name CrmEmailId";

/** On an appointment or contact the CRM put in Exchange: `<record id>` (finds it again on a retry). */
export const crmRecordStampId = "String {3d5e7f90-2b4c-4d6e-8f01-5a7c9e1b3d20} Name CrmRecordId";
