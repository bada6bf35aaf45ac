/**
 * Mailboxes, their folders and messages, and the change sequence the delta engine reads.
 *
 * Every mutation of a message bumps the mailbox's change sequence and stamps the message with it;
 * a message leaving a folder (move, delete) is recorded as a departure at its sequence. A delta
 * watermark is a sequence number, so a round never misses a change made while it was paging.
 */
import { randomUUID } from "node:crypto";
import { GraphError } from "./graph-error.js";
import {
  base64url,
  newChangeKey,
  newFolderId,
  wellKnownFolders,
  type DeliverMessageInput,
  type Mailbox,
  type MailboxKind,
  type MailFolder,
  type MessagePatch,
  type StoredMessage,
} from "./mailbox-model.js";
import { buildMessage, type MessageBuildInput } from "./message-factory.js";

/**
 * What happened to a message, for change notifications: created, updated, deleted, or moved between
 * folders (a folder-scoped subscription sees a move as deleted + created; see change-notifier.ts).
 */
export type MessageChange =
  | { changeType: "created" | "updated" | "deleted"; message: StoredMessage }
  | { changeType: "moved"; message: StoredMessage; fromFolderId: string };

export class MailboxStore {
  private readonly mailboxes = new Map<string, Mailbox>();
  private readonly idsByAddress = new Map<string, string>();
  /** Told about every message change (the change notifier listens here). */
  onMessageChange: ((mailbox: Mailbox, change: MessageChange) => void) | undefined;

  constructor(private readonly now: () => number) {}

  addMailbox(input: { tenantId: string; address: string; displayName?: string; id?: string; kind?: MailboxKind }): Mailbox {
    const id = (input.id ?? randomUUID()).toLowerCase();
    if (this.find(id) || this.find(input.address)) {
      throw new Error(`Mailbox ${input.address} (${id}) already exists`);
    }
    const rootFolderId = newFolderId();
    const mailbox: Mailbox = {
      id,
      tenantId: input.tenantId,
      address: input.address,
      displayName: input.displayName ?? input.address.split("@")[0]!,
      kind: input.kind ?? "user",
      rootFolderId,
      folders: new Map(),
      messages: new Map(),
      changeSeq: 0,
      departures: [],
      folderDepartures: [],
      conversationSizes: new Map(),
      saveToSentItems: true,
      calendarId: newFolderId(),
      taskListId: newFolderId(),
      contactsFolderId: newFolderId(),
      contactFolders: [],
    };
    const root: MailFolder = {
      id: rootFolderId,
      displayName: "Top of Information Store",
      parentFolderId: newFolderId(),
      wellKnownName: "msgfolderroot",
      isHidden: false,
      extendedProperties: new Map(),
      changeSeq: 0,
    };
    mailbox.folders.set(root.id, root);
    for (const [wellKnownName, displayName] of wellKnownFolders) {
      const folder = this.newFolder(rootFolderId, displayName, 0, wellKnownName);
      mailbox.folders.set(folder.id, folder);
    }
    this.mailboxes.set(id, mailbox);
    this.idsByAddress.set(input.address.toLowerCase(), id);
    return mailbox;
  }

  /** By object id or primary address, case-insensitive. */
  find(idOrAddress: string): Mailbox | undefined {
    const key = idOrAddress.toLowerCase();
    return this.mailboxes.get(key) ?? this.mailboxes.get(this.idsByAddress.get(key) ?? "");
  }

  /** For the control API: unknown mailboxes are a test bug, so a plain Error. */
  require(idOrAddress: string): Mailbox {
    const mailbox = this.find(idOrAddress);
    if (!mailbox) throw new Error(`Unknown mailbox ${idOrAddress}`);
    return mailbox;
  }

  all(): Mailbox[] {
    return [...this.mailboxes.values()];
  }

  /** By id or well-known name (case-insensitive), or a 404 ErrorItemNotFound as Graph answers. */
  folder(mailbox: Mailbox, idOrName: string): MailFolder {
    const byId = mailbox.folders.get(idOrName);
    if (byId) return byId;
    const name = idOrName.toLowerCase();
    const byName = [...mailbox.folders.values()].find((f) => f.wellKnownName === name);
    if (byName) return byName;
    throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  }

  childFolders(mailbox: Mailbox, parentId: string): MailFolder[] {
    return [...mailbox.folders.values()].filter((f) => f.parentFolderId === parentId);
  }

  createChildFolder(mailbox: Mailbox, parentId: string, displayName: string): MailFolder {
    if (this.childFolders(mailbox, parentId).some((f) => f.displayName.toLowerCase() === displayName.toLowerCase())) {
      throw new GraphError(409, "ErrorFolderExists", "A folder with the specified name already exists.");
    }
    const folder = this.newFolder(parentId, displayName, ++mailbox.changeSeq);
    mailbox.folders.set(folder.id, folder);
    return folder;
  }

  folderCounts(mailbox: Mailbox, folderId: string): { total: number; unread: number; children: number } {
    let total = 0;
    let unread = 0;
    for (const message of mailbox.messages.values()) {
      if (message.folderId !== folderId) continue;
      total++;
      if (!message.isRead) unread++;
    }
    return { total, unread, children: this.childFolders(mailbox, folderId).length };
  }

  /** Messages of a folder, newest received first. */
  messagesIn(mailbox: Mailbox, folderId: string): StoredMessage[] {
    return [...mailbox.messages.values()]
      .filter((m) => m.folderId === folderId)
      .sort((a, b) => b.receivedAt - a.receivedAt);
  }

  message(mailbox: Mailbox, id: string): StoredMessage {
    const message = mailbox.messages.get(id);
    if (!message) throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
    return message;
  }

  deliver(input: DeliverMessageInput): StoredMessage {
    const mailbox = this.require(input.mailbox);
    const parent = input.inReplyTo ? this.byInternetMessageId(mailbox, input.inReplyTo) : undefined;
    const headers = input.inReplyTo ? [...replyHeaders(input.inReplyTo, parent), ...(input.headers ?? [])] : input.headers;
    const conversationId = input.conversationId ?? parent?.conversationId ?? `AAQkA${base64url(33)}=`;
    return this.insert(mailbox, input.folder ?? "inbox", { ...input, headers, conversationId });
  }

  /** The mailbox's message with this internet message id (a reply's parent), if it holds one. */
  byInternetMessageId(mailbox: Mailbox, internetMessageId: string): StoredMessage | undefined {
    const wanted = internetMessageId.trim().toLowerCase();
    for (const message of mailbox.messages.values()) if (message.internetMessageId.toLowerCase() === wanted) return message;
    return undefined;
  }

  /**
   * Creates a message in a folder (by well-known name or id), as a change the delta engine sees. A
   * reply (an In-Reply-To header) to a message the mailbox holds in the same conversation is one
   * level deeper in that message's conversationIndex.
   */
  insert(mailbox: Mailbox, folder: string, input: MessageBuildInput): StoredMessage {
    const target = this.folder(mailbox, folder);
    const inReplyTo = input.headers?.find((h) => h.name.toLowerCase() === "in-reply-to")?.value;
    const parent = inReplyTo ? this.byInternetMessageId(mailbox, inReplyTo) : undefined;
    if (parent && parent.conversationId === input.conversationId && !input.parentConversationIndex) {
      input = { ...input, parentConversationIndex: parent.conversationIndex };
    }
    const earlierInConversation = mailbox.conversationSizes.get(input.conversationId) ?? 0;
    // Built before any state changes, so invalid input leaves the mailbox untouched.
    const message = buildMessage(input, {
      folderId: target.id,
      changeSeq: mailbox.changeSeq + 1,
      now: this.now(),
      earlierInConversation,
    });
    mailbox.changeSeq = message.changeSeq;
    mailbox.conversationSizes.set(input.conversationId, earlierInConversation + 1);
    mailbox.messages.set(message.id, message);
    this.onMessageChange?.(mailbox, { changeType: "created", message });
    return message;
  }

  /** Removes a message for good (reported to delta as a departure), e.g. a draft being sent. */
  remove(mailbox: Mailbox, messageId: string): StoredMessage {
    const message = this.message(mailbox, messageId);
    this.depart(mailbox, message);
    mailbox.messages.delete(messageId);
    this.onMessageChange?.(mailbox, { changeType: "deleted", message });
    return message;
  }

  move(mailbox: Mailbox, messageId: string, destination: string): StoredMessage {
    const message = this.message(mailbox, messageId);
    const target = this.folder(mailbox, destination);
    if (target.id === message.folderId) return message;
    this.depart(mailbox, message);
    const fromFolderId = message.folderId;
    message.folderId = target.id;
    this.stamp(mailbox, message);
    this.onMessageChange?.(mailbox, { changeType: "moved", message, fromFolderId });
    return message;
  }

  /** Soft delete moves to Deleted Items (hard when already there), like Outlook. */
  delete(mailbox: Mailbox, messageId: string, options: { hard?: boolean } = {}): void {
    const message = this.message(mailbox, messageId);
    const deletedItems = this.folder(mailbox, "deleteditems");
    if (!options.hard && message.folderId !== deletedItems.id) {
      this.move(mailbox, messageId, deletedItems.id);
      return;
    }
    this.remove(mailbox, messageId);
  }

  update(mailbox: Mailbox, messageId: string, patch: MessagePatch): StoredMessage {
    const message = this.message(mailbox, messageId);
    if (patch.isRead !== undefined) message.isRead = patch.isRead;
    if (patch.categories !== undefined) message.categories = [...patch.categories];
    if (patch.flag?.flagStatus !== undefined) message.flagStatus = patch.flag.flagStatus;
    this.touch(mailbox, message);
    return message;
  }

  reset(): void {
    this.mailboxes.clear();
    this.idsByAddress.clear();
  }

  /** Replaces every mailbox with saved ones (see state-file.ts). */
  restore(mailboxes: readonly Mailbox[]): void {
    this.reset();
    for (const mailbox of mailboxes) {
      this.mailboxes.set(mailbox.id, mailbox);
      this.idsByAddress.set(mailbox.address.toLowerCase(), mailbox.id);
    }
  }

  private depart(mailbox: Mailbox, message: StoredMessage): void {
    mailbox.departures.push({
      seq: ++mailbox.changeSeq,
      folderId: message.folderId,
      messageId: message.id,
      receivedAt: message.receivedAt,
    });
  }

  /** Records an in-place change (new change key, sequence and lastModifiedDateTime). */
  touch(mailbox: Mailbox, message: StoredMessage): void {
    this.stamp(mailbox, message);
    this.onMessageChange?.(mailbox, { changeType: "updated", message });
  }

  private stamp(mailbox: Mailbox, message: StoredMessage): void {
    message.changeSeq = ++mailbox.changeSeq;
    message.changeKey = newChangeKey();
    message.lastModifiedAt = this.now();
  }

  private newFolder(parentFolderId: string, displayName: string, changeSeq: number, wellKnownName?: string): MailFolder {
    return { id: newFolderId(), displayName, parentFolderId, wellKnownName, isHidden: false, extendedProperties: new Map(), changeSeq };
  }
}

/** In-Reply-To and References for a reply: the parent's References (when known) then the parent. */
function replyHeaders(inReplyTo: string, parent: StoredMessage | undefined): Array<{ name: string; value: string }> {
  const earlier = parent?.headers.find((h) => h.name.toLowerCase() === "references")?.value.split(/\s+/).filter(Boolean) ?? [];
  return [
    { name: "In-Reply-To", value: inReplyTo },
    { name: "References", value: [...earlier, inReplyTo].join(" ") },
  ];
}
