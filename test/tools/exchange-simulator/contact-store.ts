/**
 * Contact folders and contacts of a mailbox, shared by the Graph endpoints and the control API.
 * The default folder ("Contacts") is the mailbox's contactsFolderId; folders clients create sit
 * below it (what GET /contactFolders lists). GET /contacts/{id} finds a contact in any folder
 * (Graph looks the id up in the whole mailbox).
 */
import { derivedDisplayName, type ContactInput } from "./contact-json.js";
import { GraphError } from "./graph-error.js";
import { newFolderId, type Mailbox } from "./mailbox-model.js";
import {
  contactAddressFields, contactListFields, contactStringFields, newContactChangeKey, newItemId,
  type MailboxPim, type StoredContact,
} from "./pim-model.js";
import { itemNotFound, type PimStore } from "./pim-store.js";

/**
 * A contact folder by id. **Decision:** the well-known name "contacts" (any case) also names the
 * default folder, as Exchange's distinguished folder ids do; not confirmed for Graph v1.0.
 */
export function resolveContactFolder(mailbox: Mailbox, idOrName: string): { id: string; displayName: string; parentFolderId: string } {
  if (idOrName === mailbox.contactsFolderId || idOrName.toLowerCase() === "contacts") {
    return { id: mailbox.contactsFolderId, displayName: "Contacts", parentFolderId: mailbox.rootFolderId };
  }
  const folder = mailbox.contactFolders.find((f) => f.id === idOrName);
  if (!folder) throw itemNotFound();
  return { ...folder, parentFolderId: mailbox.contactsFolderId };
}

export function createContactFolder(mailbox: Mailbox, displayName: unknown): { id: string; displayName: string; parentFolderId: string } {
  if (typeof displayName !== "string" || displayName.trim() === "") {
    throw new GraphError(400, "ErrorInvalidRequest", "The folder display name must be provided.");
  }
  if (displayName.toLowerCase() === "contacts" || mailbox.contactFolders.some((f) => f.displayName.toLowerCase() === displayName.toLowerCase())) {
    throw new GraphError(409, "ErrorFolderExists", "A folder with the specified name already exists.");
  }
  const folder = { id: newFolderId(), displayName };
  mailbox.contactFolders.push(folder);
  return { ...folder, parentFolderId: mailbox.contactsFolderId };
}

export function requireContact(pim: MailboxPim, id: string): StoredContact {
  const contact = pim.contacts.get(id);
  if (!contact) throw itemNotFound();
  return contact;
}

export function createContact(store: PimStore, mailbox: Mailbox, folderId: string, input: ContactInput): StoredContact {
  const pim = store.of(mailbox);
  const now = store.now();
  const contact = {
    id: newItemId(),
    folderId,
    changeSeq: ++pim.seq,
    changeKey: newContactChangeKey(),
    createdAt: now,
    lastModifiedAt: now,
    emailAddresses: [],
    birthday: null,
    extendedProperties: input.extendedProperties ?? new Map(),
    // Graph answers unset strings as null (fileAs as ""), unset lists as [].
    ...Object.fromEntries(contactStringFields.map((name) => [name, name === "fileAs" ? "" : null])),
    ...Object.fromEntries(contactListFields.map((name) => [name, []])),
    ...Object.fromEntries(contactAddressFields.map((name) => [name, null])),
    ...input.fields,
  } as StoredContact;
  if (!contact.displayName) contact.displayName = derivedDisplayName(contact);
  pim.contacts.set(contact.id, contact);
  store.changed(mailbox, { kind: "contact", changeType: "created", id: contact.id, changeKey: contact.changeKey, folderId });
  return contact;
}

export function updateContact(store: PimStore, mailbox: Mailbox, id: string, input: ContactInput): StoredContact {
  const pim = store.of(mailbox);
  const contact = requireContact(pim, id);
  Object.assign(contact, input.fields);
  for (const [key, value] of input.extendedProperties ?? []) contact.extendedProperties.set(key, value);
  contact.changeKey = newContactChangeKey();
  contact.changeSeq = ++pim.seq;
  contact.lastModifiedAt = store.now();
  store.changed(mailbox, { kind: "contact", changeType: "updated", id, changeKey: contact.changeKey, folderId: contact.folderId });
  return contact;
}

/** Graph moves a deleted contact to Deleted Items; the simulator just removes it. */
export function deleteContact(store: PimStore, mailbox: Mailbox, id: string): void {
  const pim = store.of(mailbox);
  const { folderId } = requireContact(pim, id);
  pim.contacts.delete(id);
  pim.seq++;
  store.changed(mailbox, { kind: "contact", changeType: "deleted", id, folderId });
}

export function contactsIn(pim: MailboxPim, folderId: string): StoredContact[] {
  return [...pim.contacts.values()].filter((c) => c.folderId === folderId).sort((a, b) => a.createdAt - b.createdAt);
}
