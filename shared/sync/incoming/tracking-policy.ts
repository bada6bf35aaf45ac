/**
 * What the tracking step needs from the rest of the product, and the owner's policy as one cycle
 * sees it: the organization's tracking settings with the owner's own track option and
 * "automatically create records", read once per owner per cycle (an option changed during a cycle
 * applies from the next one).
 */
import pLimit from "p-limit";
import type { Mailbox } from "../../domain/mailbox.js";
import type { CorrelationLookups } from "../../domain/tracking/correlation.js";
import { effectiveTrackOption, type TrackPolicy } from "../../domain/tracking/track-options.js";
import type { TrackingSettings } from "../../domain/tracking/tracking-settings.js";
import type { GraphCallCounter, GraphConnection } from "../../graph/graph-connection.js";
import type { Runtime } from "../../runtime.js";
import type { ActRecordRepository } from "../../storage/act-record-repository.js";
import type { AddressBook } from "../../storage/address-book.js";
import { normaliseAddress, type PartyRecordRef } from "../../domain/party-records.js";
import type { CorrelationIndex } from "../../storage/correlation-index.js";
import type { EmailRepository } from "../../storage/email-repository.js";
import type { ItemFailureRepository } from "../../storage/item-failure-repository.js";
import { importAttachments, type AttachmentImportTarget } from "./attachment-import.js";

export interface OwnerTrackingPolicy {
  track: TrackPolicy;
  autoCreateRecords: boolean;
  settings: TrackingSettings;
}

export interface TrackingStepDeps {
  emails: EmailRepository;
  correlationIndex: CorrelationIndex;
  correlationLookups: CorrelationLookups;
  /** The address book, remembered for the cycle: a mailbox's own address and its regular correspondents recur. */
  resolveAddresses(addresses: readonly string[]): Promise<Map<string, PartyRecordRef[]>>;
  /** Contacts made for unknown senders ("automatically create records"). */
  actRecords: ActRecordRepository;
  failures: ItemFailureRepository;
  /** For the 150 MB rule when Exchange did not report the size (message-size.ts). */
  graph: GraphConnection;
  counter: GraphCallCounter;
  /**
   * Where the step's Graph requests (sizes, attachment imports) wait their turn: in a folder round,
   * the folder's one request at a time, shared with its delta pages (folder-round.ts), so a cycle
   * keeps to one request per folder it syncs; here, one at a time per cycle or Track now request.
   */
  graphReads: <T>(read: () => Promise<T>) => Promise<T>;
  policyFor(mailbox: Mailbox): Promise<OwnerTrackingPolicy>;
  /** A tracked message's attachments into Blob Storage, once per activity (attachment-import.ts); run through graphReads. */
  importAttachments(target: AttachmentImportTarget): Promise<unknown>;
  now: () => number;
}

/** The step's dependencies for one cycle (or one Track now request) of a runtime. */
export function trackingStepDeps(runtime: Runtime, graph: GraphConnection, counter: GraphCallCounter): TrackingStepDeps {
  const policies = new Map<string, Promise<OwnerTrackingPolicy>>();
  const graphReads = pLimit(1);
  return {
    emails: runtime.emails,
    correlationIndex: runtime.correlationIndex,
    correlationLookups: runtime.correlationLookups,
    resolveAddresses: rememberedAddresses(runtime.addressBook),
    actRecords: runtime.actRecords,
    failures: runtime.failures,
    graph,
    counter,
    graphReads,
    importAttachments: (target) => importAttachments({ ...runtime, graph }, target, counter),
    now: runtime.now,
    policyFor(mailbox) {
      let policy = policies.get(mailbox.ownerId);
      if (!policy) {
        policy = (async () => {
          const [settings, owner] = await Promise.all([runtime.orgSettings.get(), runtime.ownerTracking.get(mailbox.ownerId)]);
          return {
            track: { option: effectiveTrackOption(settings.defaultTrackOption, owner.trackOption ? { trackOption: owner.trackOption } : undefined), autoTrackSentFolderItems: settings.autoTrackSentFolderItems },
            autoCreateRecords: owner.autoCreateRecords,
            settings,
          };
        })();
        // A failed read is not kept: the next message asks again.
        policy.catch(() => policies.delete(mailbox.ownerId));
        policies.set(mailbox.ownerId, policy);
      }
      return policy;
    },
  };
}

/** Addresses resolved at most once per cycle (a failed lookup is not remembered). */
function rememberedAddresses(addressBook: AddressBook): TrackingStepDeps["resolveAddresses"] {
  const known = new Map<string, Promise<PartyRecordRef[]>>();
  return async (addresses) => {
    const wanted = [...new Set(addresses.map(normaliseAddress).filter((address) => address !== ""))];
    const missing = wanted.filter((address) => !known.has(address));
    if (missing.length > 0) {
      const lookup = addressBook.resolve(missing);
      lookup.catch(() => missing.forEach((address) => known.delete(address)));
      for (const address of missing) known.set(address, lookup.then((resolved) => resolved.get(address) ?? []));
    }
    return new Map(await Promise.all(wanted.map(async (address) => [address, await known.get(address)!] as const)));
  };
}
