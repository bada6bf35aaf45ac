/**
 * What happens when a message is sent (sendMail or a draft's send): Exchange's validation, the
 * sending limits, then delivery inside the simulated organisation.
 *
 * - No recipient at all, or an address that is not a valid SMTP address: 400
 *   ErrorInvalidRecipients with the service's messages.
 * - The sender's copy goes to Sent Items (a sent draft keeps its immutable id there) unless saving
 *   is off; it keeps the extended properties the client stamped, so the client can find it.
 * - Every recipient that is a mailbox of the sender's tenant gets an Inbox copy with the same
 *   internetMessageId, conversationId and threading headers; Bcc is stripped from the copies, as
 *   transport does. Stamped extended properties stay with the sender. Everyone else is "outside"
 *   and appears only in the sent log (which records every submission).
 * - In-Reply-To / References come from PidTagInReplyToId / PidTagInternetReferences, the only way
 *   Graph lets a client set them; a reply joins the conversation of the message it answers when
 *   the sender's mailbox holds it.
 */
import { randomUUID } from "node:crypto";
import { GraphError } from "./graph-error.js";
import {
  base64url,
  newAttachmentId,
  type EmailAddressInput,
  type Mailbox,
  type StoredAttachment,
  type StoredMessage,
} from "./mailbox-model.js";
import { messageSize } from "./message-factory.js";
import { inReplyToPropertyId, referencesPropertyId } from "./message-input.js";
import { graphDate } from "./graph-json.js";
import type { SimulatorContext } from "./simulator-context.js";

/** Everything needed to send; a sent draft also names itself so it can move to Sent Items. */
export interface OutgoingMessage {
  subject: string;
  body: { contentType: "text" | "html"; content: string };
  to: EmailAddressInput[];
  cc: EmailAddressInput[];
  bcc: EmailAddressInput[];
  replyTo: EmailAddressInput[];
  importance: "low" | "normal" | "high";
  /** Custom X- headers from the client. */
  customHeaders: Array<{ name: string; value: string }>;
  extendedProperties: Map<string, string>;
  attachments: StoredAttachment[];
  draft?: StoredMessage;
}

const smtpAddress = /^[^\s@<>()[\],;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function validateRecipients(recipients: EmailAddressInput[]): void {
  if (recipients.length === 0) {
    throw new GraphError(
      400,
      "ErrorInvalidRecipients",
      "At least one recipient is not valid., A message can't be sent because it contains no recipients.",
    );
  }
  const unresolved = recipients.find((r) => !smtpAddress.test(r.address));
  if (unresolved) {
    throw new GraphError(
      400,
      "ErrorInvalidRecipients",
      `At least one recipient is not valid., Recipient '${unresolved.address}' is not resolved. ` +
        "All recipients must be resolved before a message can be submitted.",
    );
  }
}

/** The conversation a reply belongs to, when the sender's mailbox holds the message it answers. */
export function conversationOf(mailbox: Mailbox, inReplyTo: string | undefined): string | undefined {
  if (!inReplyTo) return undefined;
  for (const message of mailbox.messages.values()) {
    if (message.internetMessageId === inReplyTo) return message.conversationId;
  }
  return undefined;
}

export const newConversationId = () => `AAQkA${base64url(33)}=`;

function copyAttachments(attachments: StoredAttachment[]): StoredAttachment[] {
  // Each item has its own attachment ids; bytes (when kept at all) are shared, never mutated.
  return attachments.map((a) => ({ ...a, id: newAttachmentId() }));
}

/** Validates, applies the limits and delivers; returns the Sent Items copy when one was saved. */
export function submitMessage(
  context: SimulatorContext,
  mailbox: Mailbox,
  outgoing: OutgoingMessage,
  saveToSentItems: boolean,
): StoredMessage | undefined {
  const { store, sending, sentLog } = context;
  const recipients = [...outgoing.to, ...outgoing.cc, ...outgoing.bcc];
  validateRecipients(recipients);
  sending.ensureMessageSize(messageSize({ body: outgoing.body, headers: outgoing.customHeaders, attachments: outgoing.attachments }));
  sending.check(mailbox.id, recipients.length);

  const sentAt = graphDate(context.now());
  const inReplyTo = outgoing.extendedProperties.get(inReplyToPropertyId);
  const references = outgoing.extendedProperties.get(referencesPropertyId);
  const threading = [
    ...(inReplyTo ? [{ name: "In-Reply-To", value: inReplyTo }] : []),
    ...(references ? [{ name: "References", value: references }] : []),
  ];
  const headers = [...threading, ...outgoing.customHeaders];
  const internetMessageId = outgoing.draft?.internetMessageId ?? `<${randomUUID().replace(/-/g, "")}@sim.example>`;
  const conversationId = conversationOf(mailbox, inReplyTo) ?? outgoing.draft?.conversationId ?? newConversationId();
  const owner = { name: mailbox.displayName, address: mailbox.address };
  const common = {
    mailbox: mailbox.id,
    subject: outgoing.subject,
    body: outgoing.body,
    from: owner,
    sender: owner,
    to: outgoing.to,
    cc: outgoing.cc,
    replyTo: outgoing.replyTo,
    importance: outgoing.importance,
    headers,
    internetMessageId,
    conversationId,
    sentDateTime: sentAt,
    receivedDateTime: sentAt,
    isDraft: false,
  };

  if (outgoing.draft) store.remove(mailbox, outgoing.draft.id);
  const sentCopy = saveToSentItems
    ? store.insert(mailbox, "sentitems", {
        ...common,
        id: outgoing.draft?.id,
        bcc: outgoing.bcc,
        isRead: true,
        extendedProperties: outgoing.extendedProperties,
        attachments: outgoing.attachments,
      })
    : undefined;
  if (sentCopy && outgoing.draft) sentCopy.createdAt = outgoing.draft.createdAt;

  const internal: string[] = [];
  const external: string[] = [];
  const seen = new Set<string>();
  for (const recipient of recipients) {
    const key = recipient.address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const target = store.find(key);
    const deliverable = target && target.tenantId === mailbox.tenantId && (target.kind === "user" || target.kind === "shared");
    if (!deliverable) {
      external.push(recipient.address);
      continue;
    }
    internal.push(recipient.address);
    store.insert(target, "inbox", { ...common, bcc: [], isRead: false, attachments: copyAttachments(outgoing.attachments) });
  }

  const addresses = (list: EmailAddressInput[]) => list.map((r) => r.address);
  sentLog.add({
    from: mailbox.address,
    to: addresses(outgoing.to),
    cc: addresses(outgoing.cc),
    bcc: addresses(outgoing.bcc),
    subject: outgoing.subject,
    body: { ...outgoing.body },
    internetMessageId,
    conversationId,
    sentAt,
    headers,
    attachments: outgoing.attachments.map((a) => ({ name: a.name, size: a.size, contentType: a.contentType, sha256: a.sha256 })),
    internalRecipients: internal,
    externalRecipients: external,
  });
  sending.record(mailbox.id, recipients.length);
  return sentCopy;
}
