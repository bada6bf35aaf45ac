/**
 * What was delivered, and what the CRM must hold for it: every message delivered to the simulator
 * is written down with the mailboxes it must be found in and the direction its activity must have.
 * External mail lands in one mailbox's Inbox (Incoming); internal mail is the sender's Sent Items
 * copy plus the recipient's Inbox copy of one internet message (one Outgoing activity, both mailboxes).
 */
import { randomBytes } from "node:crypto";
import { activityIdFor } from "../../../shared/domain/email-activity.js";
import type { DeliverMessageInput } from "../../tools/exchange-simulator/index.js";

export interface FaultMailbox {
  /** The product's mailbox id. */
  id: string;
  address: string;
}

export interface Expected {
  internetMessageId: string;
  activityId: string;
  subject: string;
  direction: "Incoming" | "Outgoing";
  mailboxIds: string[];
  deliveredAt: number;
}

export type Deliver = (input: DeliverMessageInput) => unknown | Promise<unknown>;

export class MailLedger {
  readonly expected: Expected[] = [];
  private seq = 0;
  private readonly tag = randomBytes(3).toString("hex");

  constructor(private readonly deliver: Deliver) {}

  /** Mail from outside the organization to one mailbox. */
  async external(to: FaultMailbox, receivedAt?: Date): Promise<Expected> {
    const n = ++this.seq;
    const internetMessageId = `<fault-${this.tag}-${n}@fabrikam.example>`;
    const subject = `Fault mail ${this.tag} ${n}`;
    await this.deliver({
      mailbox: to.address,
      subject,
      from: { address: `customer${n % 7}@fabrikam.example`, name: `Customer ${n % 7}` },
      to: [{ address: to.address }],
      internetMessageId,
      ...(receivedAt ? { receivedDateTime: receivedAt.toISOString() } : {}),
    } as DeliverMessageInput);
    return this.add({ internetMessageId, subject, direction: "Incoming", mailboxIds: [to.id] });
  }

  /** Mail between two synced mailboxes: the sender's Sent Items copy and the recipient's Inbox copy. */
  async internal(from: FaultMailbox, to: FaultMailbox): Promise<Expected> {
    const n = ++this.seq;
    const internetMessageId = `<fault-${this.tag}-${n}@contoso.example>`;
    const subject = `Fault internal ${this.tag} ${n}`;
    const base = { subject, from: { address: from.address }, to: [{ address: to.address }], internetMessageId };
    await this.deliver({ ...base, mailbox: from.address, folder: "sentitems" } as DeliverMessageInput);
    await this.deliver({ ...base, mailbox: to.address } as DeliverMessageInput);
    return this.add({ internetMessageId, subject, direction: "Outgoing", mailboxIds: [from.id, to.id] });
  }

  /** A random mix: mostly external mail, every fourth message internal. */
  async some(mailboxes: FaultMailbox[], count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const to = mailboxes[Math.floor(Math.random() * mailboxes.length)]!;
      if (mailboxes.length > 1 && Math.random() < 0.25) {
        const others = mailboxes.filter((m) => m !== to);
        await this.internal(others[Math.floor(Math.random() * others.length)]!, to);
      } else {
        await this.external(to);
      }
    }
  }

  private add(e: Omit<Expected, "activityId" | "deliveredAt">): Expected {
    const entry = { ...e, activityId: activityIdFor(e.internetMessageId, "", ""), deliveredAt: Date.now() };
    this.expected.push(entry);
    return entry;
  }
}
