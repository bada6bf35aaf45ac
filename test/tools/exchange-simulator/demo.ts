/**
 * A demo tenant with plausible business mail, for the local host and for load-ish tests.
 * All people are generated from generic name lists and all domains are under ".example"
 * (reserved, never real). Works with a local simulator or a remote one (connectExchangeSimulator).
 */
import type { ControlMethods } from "./control-api.js";
import type { DeliverMessageInput, EmailAddressInput } from "./mailbox-model.js";

/** A local simulator (synchronous methods) or a remote one (asynchronous). */
export type SimulatorControl = {
  [K in keyof ControlMethods]: (...args: Parameters<ControlMethods[K]>) => ReturnType<ControlMethods[K]> | Promise<ReturnType<ControlMethods[K]>>;
};

export interface DemoMailbox {
  id: string;
  address: string;
  displayName: string;
}

export interface DemoTenant {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  mailboxes: DemoMailbox[];
}

export const demoAppRoles = ["Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite", "Contacts.ReadWrite", "Tasks.ReadWrite.All", "User.Read.All"];

export const firstNames = ["Avery", "Jordan", "Morgan", "Casey", "Riley", "Quinn", "Harper", "Rowan", "Emerson", "Sasha", "Kai", "Noor", "Lena", "Mateo", "Ines", "Tobias", "Amara", "Felix", "Yara", "Hugo"];
const lastNames = ["Lindqvist", "Okafor", "Moreau", "Castillo", "Novak", "Tanaka", "Brennan", "Haddad", "Kowalski", "Schmidt", "Rossi", "Ferreira", "Janssen", "Dubois", "Petrov", "Nakamura", "Olsen", "Varga", "Silva", "Keller"];
export const customerDomains = ["fabrikam.example", "northwind.example", "adventure-works.example", "tailspin.example", "wingtip.example", "litware.example", "proseware.example", "woodgrove.example"];
const products = ["industrial pumps", "support contract", "fleet sensors", "cloud backup plan", "office furniture", "spare parts", "training package"];
const topics = [
  (p: string) => `Quote request for ${p}`,
  (_p: string, n: number) => `Invoice ${n} – payment question`,
  (_p: string, n: number) => `Order #${n} confirmation`,
  (p: string) => `Renewal of our ${p}`,
  (p: string, n: number) => `Support ticket ${n}: issue with ${p}`,
  () => "Follow-up from yesterday's meeting",
];
const internalTopics = ["Pipeline review notes", "Can you take this customer?", "Pricing approval needed", "Weekly sales numbers", "Draft proposal attached"];

export async function seedDemoTenant(
  sim: SimulatorControl,
  options: { mailboxCount?: number; domain?: string } = {},
): Promise<DemoTenant> {
  const mailboxCount = options.mailboxCount ?? 20;
  const domain = options.domain ?? "contoso.example";
  const tenantId = await sim.addTenant();
  const clientSecret = `demo-secret-${Math.random().toString(36).slice(2, 12)}`;
  const { clientId } = await sim.addApp(tenantId, { clientSecret, roles: demoAppRoles });
  const mailboxes: DemoMailbox[] = [];
  for (let i = 0; i < mailboxCount; i++) {
    const first = firstNames[i % firstNames.length]!;
    const last = lastNames[(i * 7 + Math.floor(i / firstNames.length)) % lastNames.length]!;
    const suffix = i < firstNames.length ? "" : String(Math.floor(i / firstNames.length) + 1);
    const address = `${first}.${last}${suffix}@${domain}`.toLowerCase();
    const displayName = `${first} ${last}`;
    const { id } = await sim.addMailbox({ tenantId, address, displayName });
    mailboxes.push({ id, address, displayName });
  }
  return { tenantId, clientId, clientSecret, mailboxes };
}

interface ThreadStart {
  subject: string;
  internetMessageId: string;
  conversationId: string;
  from: EmailAddressInput;
  /** The demo mailbox that received it. */
  owner: DemoMailbox;
}

export interface MailFlow {
  /** Delivers the next piece of mail now (deterministic tests call this instead of waiting). */
  deliverNext(): Promise<void>;
  stop(): void;
}

/** A demo customer's address: the first name at the customer's domain. */
export const customerAddress = (firstName: string, domain: string) => `${firstName.toLowerCase()}@${domain}`;

/** Replies a customer sends to one piece of mail the CRM sent, at most. */
const repliesPerCrmEmail = 2;

/**
 * Every `everyMs` delivers one of: a customer replying to mail the CRM sent them (In-Reply-To, the
 * sent subject with its tracking token, the sender's conversation), a customer writing to a
 * mailbox (sometimes cc'ing a colleague), a colleague writing to another (sender's Sent Items +
 * recipient's Inbox, same internetMessageId), or a reply to an earlier thread (In-Reply-To/
 * References, same conversationId, "RE:" subject).
 */
export function startMailFlow(
  sim: SimulatorControl,
  mailboxes: DemoMailbox[],
  options: {
    everyMs: number;
    random?: () => number;
    /** One customer's mail goes to one mailbox, straight into a folder under its Inbox (a tracked folder in the demo). */
    fileInto?: { mailbox: string; folderId: string; domain: string };
  },
): MailFlow {
  if (mailboxes.length === 0) throw new Error("startMailFlow needs at least one mailbox");
  const random = options.random ?? Math.random;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const threads: ThreadStart[] = [];
  let serial = 1000 + Math.floor(random() * 9000);
  const newMessageId = () => `<${(serial++).toString(36)}.${Math.floor(random() * 1e12).toString(36)}@mail.example>`;
  const asRecipient = (m: DemoMailbox): EmailAddressInput => ({ name: m.displayName, address: m.address });
  const replies = new Map<string, number>();

  /** A customer's reply to mail the CRM sent from a demo mailbox (the simulator's sent log), if any is due one. */
  async function replyToCrmEmail(): Promise<boolean> {
    const sent = (await sim.sentLog()).filter((e) => e.externalRecipients.length > 0 && (replies.get(e.internetMessageId) ?? 0) < repliesPerCrmEmail);
    const owners = sent.map((e) => mailboxes.find((m) => m.address === e.from.toLowerCase()));
    const candidates = sent.filter((_, i) => owners[i]);
    if (candidates.length === 0) return false;
    const original = pick(candidates);
    const owner = mailboxes.find((m) => m.address === original.from.toLowerCase())!;
    replies.set(original.internetMessageId, (replies.get(original.internetMessageId) ?? 0) + 1);
    const customer = original.externalRecipients[0]!;
    const name = customer.split("@")[0]!.replace(/^./, (c) => c.toUpperCase());
    await sim.deliverMessage({
      mailbox: owner.address,
      subject: `RE: ${original.subject}`,
      body: { contentType: "html", content: `<p>Hi ${owner.displayName.split(" ")[0]},</p><p>Thanks, that works for us. Could you confirm the delivery date?</p><p>${name}</p>` },
      from: { name, address: customer },
      to: [asRecipient(owner)],
      internetMessageId: newMessageId(),
      inReplyTo: original.internetMessageId,
    });
    return true;
  }

  async function send(from: EmailAddressInput, sender: DemoMailbox | undefined, recipients: DemoMailbox[], cc: DemoMailbox[], mail: {
    subject: string; html: string; conversationId: string; headers?: Array<{ name: string; value: string }>; to?: EmailAddressInput[];
    attachedFiles?: DeliverMessageInput["attachedFiles"];
  }): Promise<string> {
    const internetMessageId = newMessageId();
    const base = {
      subject: mail.subject,
      body: { contentType: "html" as const, content: mail.html },
      from,
      to: mail.to ?? recipients.map(asRecipient),
      cc: cc.map(asRecipient),
      internetMessageId,
      conversationId: mail.conversationId,
      headers: mail.headers,
      attachedFiles: mail.attachedFiles,
    };
    if (sender) await sim.deliverMessage({ ...base, mailbox: sender.address, folder: "sentitems", isRead: true });
    const filing = options.fileInto;
    const folderOf = (recipient: DemoMailbox) => (filing && recipient.address === filing.mailbox && from.address.endsWith(`@${filing.domain}`) ? filing.folderId : undefined);
    for (const recipient of [...recipients, ...cc]) await sim.deliverMessage({ ...base, mailbox: recipient.address, folder: folderOf(recipient) });
    return internetMessageId;
  }

  async function deliverNext(): Promise<void> {
    const roll = random();
    if (roll < 0.15 && (await replyToCrmEmail())) return;
    const conversationId = `AAQkADemo${Math.floor(random() * 1e15).toString(36)}=`;
    if (roll < 0.2 && threads.length > 0) {
      const thread = pick(threads);
      const subject = thread.subject.startsWith("RE: ") ? thread.subject : `RE: ${thread.subject}`;
      const html = `<p>Hi ${thread.from.name?.split(" ")[0] ?? "there"},</p><p>Thanks for your message, I will get back to you shortly.</p><p>Best regards,<br>${thread.owner.displayName}</p>`;
      const internal = mailboxes.find((m) => m.address === thread.from.address);
      await send(asRecipient(thread.owner), thread.owner, internal ? [internal] : [], [], {
        subject, html, conversationId: thread.conversationId, to: [thread.from],
        headers: [{ name: "In-Reply-To", value: thread.internetMessageId }, { name: "References", value: thread.internetMessageId }],
      });
      return;
    }
    if (roll < 0.5 && mailboxes.length > 1) {
      const sender = pick(mailboxes);
      const recipient = pick(mailboxes.filter((m) => m !== sender));
      const subject = pick(internalTopics);
      const html = `<p>Hi ${recipient.displayName.split(" ")[0]},</p><p>${subject}. Could you have a look today?</p><p>${sender.displayName}</p>`;
      const internetMessageId = await send(asRecipient(sender), sender, [recipient], [], { subject, html, conversationId });
      threads.push({ subject, internetMessageId, conversationId, from: asRecipient(sender), owner: recipient });
      return;
    }
    const picked = pick(mailboxes);
    const customer = { name: `${pick(firstNames)} ${pick(lastNames)}`, domain: pick(customerDomains) };
    // The filed customer writes to the mailbox that files them (no extra random draw).
    const owner = options.fileInto?.domain === customer.domain ? (mailboxes.find((m) => m.address === options.fileInto!.mailbox) ?? picked) : picked;
    const from = { name: customer.name, address: `${customer.name.split(" ")[0]!.toLowerCase()}@${customer.domain}` };
    const subject = pick(topics)(pick(products), Math.floor(10000 + random() * 90000));
    const html = `<p>Dear ${owner.displayName.split(" ")[0]},</p><p>${subject}. Please let us know the details and the next steps.</p><p>Kind regards,<br>${customer.name}<br>${customer.domain.replace(".example", "")}</p>`;
    const cc = random() < 0.25 && mailboxes.length > 1 ? [pick(mailboxes.filter((m) => m !== owner))] : [];
    // Quotes and invoices come with the document (no extra random draw: the demo's sequence stays as it was).
    const number = /\d{5}/.exec(subject)?.[0] ?? String(serial);
    const attachedFiles = /^(Quote request|Invoice)/.test(subject) ? [{ name: `${subject.startsWith("Invoice") ? "invoice" : "quote"}-${number}.pdf`, contentType: "application/pdf", size: 120_000 + Number(number) }] : undefined;
    const internetMessageId = await send(from, undefined, [owner], cc, { subject, html, conversationId, attachedFiles });
    threads.push({ subject, internetMessageId, conversationId, from, owner });
    if (threads.length > 200) threads.shift();
  }

  // Deliveries are chained so a slow remote simulator never sees them overlap.
  let chain = Promise.resolve();
  const timer = setInterval(() => {
    chain = chain.then(deliverNext).catch(() => undefined);
  }, options.everyMs);
  timer.unref?.();
  return {
    deliverNext: () => {
      const next = chain.then(deliverNext);
      chain = next.catch(() => undefined);
      return next;
    },
    stop: () => clearInterval(timer),
  };
}
