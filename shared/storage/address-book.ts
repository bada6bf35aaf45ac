/**
 * The address book: which CRM records an email address stands for. The incoming engine resolves
 * all the parties of a message at once; each distinct address costs one partition read of the
 * index (plus a mailbox read when the address is a CRM user's or queue's mailbox, and a record
 * read for a row a write left pending).
 *
 * An address on several records resolves to all of them, as in Dynamics 365; orderPartyRecords
 * (domain/party-records.ts) puts them in the order Dynamics resolves a sender.
 */
import pLimit from "p-limit";
import { judgePendingRow } from "../domain/address-book-rows.js";
import type { CrmRecord } from "../domain/act-records.js";
import type { Mailbox } from "../domain/mailbox.js";
import { builtInEmailEnabledTypes, normaliseAddress, recordAddresses, type PartyRecordRef } from "../domain/party-records.js";
import { partyRef, type AddressBookIndex, type IndexedRecordRow } from "./address-book-index.js";
import type { EmailEnabledTypeRepository } from "./email-enabled-type-repository.js";

export interface AddressBookSources {
  /** Any CRM record by type and id (the records table holds every type). */
  record(type: string, id: string): Promise<CrmRecord | undefined>;
  mailbox(id: string): Promise<Mailbox | undefined>;
}

/** Index reads at once: enough to resolve a large recipient list quickly, few enough to stay polite to the account. */
const concurrentAddresses = 16;

export class AddressBook {
  constructor(
    private readonly index: AddressBookIndex,
    private readonly declaredTypes: EmailEnabledTypeRepository,
    private readonly sources: AddressBookSources,
    private readonly now: () => number,
  ) {}

  /**
   * Every record each address stands for, keyed by the normalised address (trimmed, lower case);
   * an unknown address maps to an empty list. Records of a type no longer declared are left out.
   */
  async resolve(addresses: readonly string[]): Promise<Map<string, PartyRecordRef[]>> {
    const distinct = [...new Set(addresses.map(normaliseAddress).filter((address) => address !== ""))];
    const declared = new Set((await this.declaredTypes.list()).map((type) => type.typeName));
    const enabled = (type: string) => (builtInEmailEnabledTypes as readonly string[]).includes(type) || declared.has(type);
    const limit = pLimit(concurrentAddresses);
    const resolved = await Promise.all(distinct.map((address) => limit(async () => [address, await this.resolveOne(address, enabled)] as const)));
    return new Map(resolved);
  }

  /** The email-enabled types whose records the address book may answer, for the track options. */
  async emailEnabledTypes(): Promise<string[]> {
    return [...builtInEmailEnabledTypes, ...(await this.declaredTypes.list()).map((type) => type.typeName)];
  }

  private async resolveOne(address: string, enabled: (type: string) => boolean): Promise<PartyRecordRef[]> {
    const { mailboxId, records } = await this.index.rowsOf(address);
    const refs = await Promise.all([
      mailboxId ? this.ownerOf(mailboxId, address) : undefined,
      ...records.filter((row) => enabled(row.ref.type)).map((row) => (row.state === "confirmed" ? row.ref : this.checkPending(row))),
    ]);
    return refs.filter((ref): ref is PartyRecordRef => ref !== undefined);
  }

  /** The CRM user or queue whose mailbox has the address: the index is claimed before the mailbox is written, so check it. */
  private async ownerOf(mailboxId: string, address: string): Promise<PartyRecordRef | undefined> {
    const mailbox = await this.sources.mailbox(mailboxId);
    if (!mailbox || normaliseAddress(mailbox.emailAddress) !== address) return undefined;
    return { type: mailbox.ownerType, id: mailbox.ownerId, name: mailbox.emailAddress, mailboxId: mailbox.id, active: true };
  }

  private async checkPending(row: IndexedRecordRow): Promise<PartyRecordRef | undefined> {
    const record = await this.sources.record(row.ref.type, row.ref.id);
    const declaration = record ? await this.index.declarationOf(record.type) : undefined;
    const holdsAddress = record !== undefined && declaration !== null && recordAddresses(record.type, record.fields, declaration).includes(row.address);
    const verdict = judgePendingRow(row, record && { version: record.version, holdsAddress }, this.now());
    const ref = record && declaration !== null ? partyRef(record, declaration) : undefined;
    if (verdict.repair !== "keep") await this.index.repair(row, verdict.repair, ref);
    return verdict.resolves ? ref : undefined;
  }
}
