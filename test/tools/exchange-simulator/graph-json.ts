/**
 * Renders store objects as Graph v1.0 JSON. Only real graph.message / graph.mailFolder /
 * graph.user properties are emitted (the contract test checks this against Microsoft's metadata),
 * so the product cannot come to depend on something Exchange never sends.
 */
import { normalizeExtendedPropertyId } from "./odata-query.js";
import type { EmailAddressInput, Mailbox, MailFolder, StoredMessage } from "./mailbox-model.js";
import type { MailboxStore } from "./mailbox-store.js";

/** Structural properties of graph.message (incl. outlookItem and entity). */
export const messageProperties = [
  "id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "receivedDateTime",
  "sentDateTime", "hasAttachments", "internetMessageId", "subject", "bodyPreview", "importance",
  "parentFolderId", "conversationId", "conversationIndex", "isDeliveryReceiptRequested",
  "isReadReceiptRequested", "isRead", "isDraft", "webLink", "inferenceClassification", "body",
  "sender", "from", "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "flag",
  "internetMessageHeaders", "uniqueBody",
] as const;

/** What Graph returns without $select: everything but the headers and uniqueBody. */
const defaultMessageProperties = messageProperties.filter((p) => p !== "internetMessageHeaders" && p !== "uniqueBody");

export const messageSizePropertyId = normalizeExtendedPropertyId("Integer 0x0E08");
/** PidTagInReplyToId and PidTagInternetReferences: Exchange keeps the threading headers as these. */
const headerProperties: ReadonlyArray<[propertyId: string, header: string]> = [
  [normalizeExtendedPropertyId("String 0x1042"), "in-reply-to"],
  [normalizeExtendedPropertyId("String 0x1039"), "references"],
];

export const folderProperties = [
  "id", "displayName", "parentFolderId", "childFolderCount", "unreadItemCount", "totalItemCount", "isHidden",
] as const;

export const userProperties = [
  "id", "displayName", "givenName", "surname", "mail", "userPrincipalName", "businessPhones", "jobTitle",
  "mobilePhone", "officeLocation", "preferredLanguage", "accountEnabled", "mailNickname", "userType",
  "otherMails", "proxyAddresses",
] as const;
const defaultUserProperties = [
  "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
  "preferredLanguage", "surname", "userPrincipalName", "id",
];

export interface MessageRenderOptions {
  select?: string[];
  expandPropertyIds?: string[];
  bodyContentType?: "text" | "html";
}

/** Graph timestamps: UTC, second precision, "Z". */
export function graphDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

const recipient = (a: EmailAddressInput) => ({ emailAddress: { name: a.name ?? a.address, address: a.address } });

export function htmlToText(html: string): string {
  return html
    .replace(/<(style|script)[^>]*>[\s\S]*?<\/\1>/gi, "")
    .replace(/<br\s*\/?>|<\/p>|<\/div>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

export function renderMessage(message: StoredMessage, options: MessageRenderOptions = {}): Record<string, unknown> {
  const text = message.body.contentType === "html" ? htmlToText(message.body.content) : message.body.content;
  const body =
    options.bodyContentType === "text" && message.body.contentType === "html"
      ? { contentType: "text", content: text }
      : { contentType: message.body.contentType, content: message.body.content };
  const values: Record<(typeof messageProperties)[number], () => unknown> = {
    id: () => message.id,
    createdDateTime: () => graphDate(message.createdAt),
    lastModifiedDateTime: () => graphDate(message.lastModifiedAt),
    changeKey: () => message.changeKey,
    categories: () => [...message.categories],
    receivedDateTime: () => graphDate(message.receivedAt),
    sentDateTime: () => graphDate(message.sentAt),
    hasAttachments: () => message.hasAttachments,
    internetMessageId: () => message.internetMessageId,
    subject: () => message.subject,
    bodyPreview: () => text.replace(/\s+/g, " ").trim().slice(0, 255),
    importance: () => message.importance,
    parentFolderId: () => message.folderId,
    conversationId: () => message.conversationId,
    conversationIndex: () => message.conversationIndex,
    isDeliveryReceiptRequested: () => message.isDeliveryReceiptRequested,
    isReadReceiptRequested: () => message.isReadReceiptRequested,
    isRead: () => message.isRead,
    isDraft: () => message.isDraft,
    webLink: () =>
      `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(message.id)}&exvsurl=1&viewmodel=ReadMessageItem`,
    inferenceClassification: () => "focused",
    body: () => body,
    uniqueBody: () => body,
    sender: () => recipient(message.sender),
    from: () => recipient(message.from),
    toRecipients: () => message.to.map(recipient),
    ccRecipients: () => message.cc.map(recipient),
    bccRecipients: () => message.bcc.map(recipient),
    replyTo: () => message.replyTo.map(recipient),
    flag: () => ({ flagStatus: message.flagStatus }),
    internetMessageHeaders: () => message.headers.map((h) => ({ name: h.name, value: h.value })),
  };
  const json: Record<string, unknown> = { "@odata.etag": `W/"${message.changeKey}"` };
  // Graph always returns the id, selected or not.
  const selected = options.select ? ["id", ...options.select.filter((p) => p !== "id")] : defaultMessageProperties;
  for (const name of selected) json[name] = values[name as keyof typeof values]();
  if (options.expandPropertyIds) {
    // PidTagMessageSize and the threading properties are derived from the message (a client may
    // have written the threading ones itself, on a draft); the others were written by clients.
    const stored = new Map(message.extendedProperties);
    if (!message.withoutSizeProperty) stored.set(messageSizePropertyId, String(message.sizeBytes));
    for (const [propertyId, header] of headerProperties) {
      const value = message.headers.find((h) => h.name.toLowerCase() === header)?.value;
      if (value && !stored.has(propertyId)) stored.set(propertyId, value);
    }
    const expanded = expandedProperties(stored, options.expandPropertyIds);
    if (expanded) json.singleValueExtendedProperties = expanded;
  }
  return json;
}

/** Graph omits the navigation property when none of the requested ids has a value. */
export function expandedProperties(
  stored: Map<string, string>,
  ids: string[],
): Array<{ id: string; value: string }> | undefined {
  const found = ids.filter((id) => stored.has(id)).map((id) => ({ id, value: stored.get(id)! }));
  return found.length ? found : undefined;
}

export function renderFolder(
  store: MailboxStore,
  mailbox: Mailbox,
  folder: MailFolder,
  expandPropertyIds?: string[],
): Record<string, unknown> {
  const counts = store.folderCounts(mailbox, folder.id);
  const json: Record<string, unknown> = {
    id: folder.id,
    displayName: folder.displayName,
    parentFolderId: folder.parentFolderId,
    childFolderCount: counts.children,
    unreadItemCount: counts.unread,
    totalItemCount: counts.total,
    isHidden: folder.isHidden,
  };
  if (expandPropertyIds) {
    const expanded = expandedProperties(folder.extendedProperties, expandPropertyIds);
    if (expanded) json.singleValueExtendedProperties = expanded;
  }
  return json;
}

export function renderUser(mailbox: Mailbox, select?: string[]): Record<string, unknown> {
  const [givenName, ...rest] = mailbox.displayName.split(" ");
  const nickname = mailbox.address.split("@")[0]!;
  const values: Record<(typeof userProperties)[number], unknown> = {
    id: mailbox.id,
    displayName: mailbox.displayName,
    givenName: mailbox.kind === "shared" ? null : givenName,
    surname: mailbox.kind === "shared" || rest.length === 0 ? null : rest.join(" "),
    mail: mailbox.address,
    userPrincipalName: mailbox.address,
    businessPhones: [],
    jobTitle: null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    // Shared mailboxes are user objects whose sign-in is disabled.
    accountEnabled: mailbox.kind !== "shared",
    mailNickname: nickname,
    userType: "Member",
    otherMails: [],
    proxyAddresses: [`SMTP:${mailbox.address}`],
  };
  const json: Record<string, unknown> = {};
  for (const name of select ?? defaultUserProperties) json[name] = values[name as keyof typeof values];
  return json;
}
