/**
 * The migration plan: what uploading up to four routers' configurations will create, before anything
 * does. Pure: the caller passes what the mailbox claims index says about each address and owner.
 *
 * Rules (docs/email-router-migration.md):
 * - Each pair of a mailbox's incoming and outgoing router profiles becomes one email server profile,
 *   named after both, with Exchange Online app-only auth; a side that is not Exchange Online (POP3,
 *   SMTP, Exchange on premises) does not migrate: its workload is None, and the plan says why.
 * - Users and queues become mailboxes of their pair's profile; an address already held by a mailbox
 *   record is kept as it is. Forward mailboxes, duplicate addresses (across or within routers) and
 *   owners already mapped to another address do not migrate. Credentials never migrate.
 */
import { createHash } from "node:crypto";
import type { Direction, OwnerKind, Protocol, RouterConfiguration, RouterProvider } from "./router-format.js";

export interface UploadedRouter {
  name: string;
  configuration: RouterConfiguration;
  /** Other files of the router that were uploaded (names), and the configuration file's size. */
  files: string[];
}

export interface ProfileSide {
  profileName: string;
  protocol: Protocol;
  emailServerUrl: string;
  migrates: boolean;
}

export interface PlannedProfile {
  id: string;
  name: string;
  router: string;
  incoming: ProfileSide | null;
  outgoing: ProfileSide | null;
  excluded: boolean;
}

export interface PlannedMailbox {
  id: string;
  emailAddress: string;
  kind: "user" | "queue";
  ownerId: string;
  router: string;
  deploymentUrl: string;
  profileId: string;
  incoming: boolean;
  outgoing: boolean;
  /** The mailbox record that already holds the address: kept as it is, not created. */
  existingMailboxId: string | null;
  excluded: boolean;
}

export interface NotMigrated {
  kind: "profile" | "mailbox" | "credentials" | "file";
  router: string;
  name: string;
  reason: string;
}

export interface MigrationPlan {
  profiles: PlannedProfile[];
  mailboxes: PlannedMailbox[];
  notMigrated: NotMigrated[];
}

export interface IndexFacts {
  /** address → the mailbox record holding it. */
  addressHolders: ReadonlyMap<string, string>;
  /** `${kind}:${ownerId}` → the mailbox record holding the owner. */
  ownerHolders: ReadonlyMap<string, string>;
}

export interface Exclusions {
  profiles: readonly string[];
  mailboxes: readonly string[];
}

const exchangeOnlineHosts = /(^|\.)(outlook\.office365\.com|outlook\.office\.com|outlook\.office365\.us|partner\.outlook\.cn)$/i;

/** Whether a router profile's server is Exchange Online (the only service this product syncs with). */
export function isExchangeOnline(protocol: Protocol, emailServerUrl: string): boolean {
  return protocol === "Exchange" && exchangeOnlineHosts.test(new URL(emailServerUrl).hostname);
}

function shortHash(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 20);
}

/** Deterministic ids: the same router profile pair and the same address always plan the same records. */
export const migratedProfileId = (router: string, incoming: string, outgoing: string) => `er-${shortHash(router.toLowerCase(), incoming, outgoing)}`;
export const migratedMailboxId = (address: string) => `er-${shortHash(address.toLowerCase())}`;

function side(provider: RouterProvider | undefined): ProfileSide | null {
  if (!provider) return null;
  return { profileName: provider.profileName, protocol: provider.protocol, emailServerUrl: provider.emailServerUrl, migrates: isExchangeOnline(provider.protocol, provider.emailServerUrl) };
}

function sideReason(direction: Direction, s: ProfileSide): string {
  const what = s.protocol === "Exchange" ? "Exchange on premises" : s.protocol;
  return `${direction} profile '${s.profileName}' uses ${what} (${new URL(s.emailServerUrl).hostname}): server-side sync here works with Exchange Online only, so its ${direction} email is not migrated`;
}

interface MailboxGroup {
  router: string;
  address: string;
  owner: OwnerKind;
  ownerId?: string;
  deploymentUrl: string;
  incoming?: RouterProvider;
  outgoing?: RouterProvider;
}

export function buildPlan(routers: readonly UploadedRouter[], index: IndexFacts, exclusions: Exclusions = { profiles: [], mailboxes: [] }): MigrationPlan {
  const notMigrated: NotMigrated[] = [];
  const groups = new Map<string, MailboxGroup>();
  const routersOfAddress = new Map<string, Set<string>>();
  const duplicateWithin = new Set<string>();
  for (const router of routers) {
    const held = router.configuration.providers.flatMap((p) => p.credentials);
    if (held.length > 0) {
      notMigrated.push({ kind: "credentials", router: router.name, name: [...new Set(held)].sort().join(", "), reason: "credentials are never imported: the new profiles reach Exchange Online with the deployment's app (app-only, server-to-server auth), which replaces every stored user name and password" });
    }
    for (const provider of router.configuration.providers) {
      const key = `${router.name}\u0000${provider.emailAddress}`;
      routersOfAddress.set(provider.emailAddress, (routersOfAddress.get(provider.emailAddress) ?? new Set()).add(router.name));
      const group = groups.get(key) ?? { router: router.name, address: provider.emailAddress, owner: provider.owner, ownerId: provider.ownerId, deploymentUrl: provider.deploymentUrl };
      if (group[provider.direction] || group.owner !== provider.owner || group.ownerId !== provider.ownerId) duplicateWithin.add(key);
      group[provider.direction] = provider;
      groups.set(key, group);
    }
  }

  const profiles = new Map<string, PlannedProfile>();
  const mailboxes: PlannedMailbox[] = [];
  const ownersSeen = new Map<string, string>();
  const excludedProfiles = new Set(exclusions.profiles);
  const excludedMailboxes = new Set(exclusions.mailboxes);
  for (const [key, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const skip = (reason: string) => notMigrated.push({ kind: "mailbox", router: group.router, name: group.address, reason });
    const routerNames = [...routersOfAddress.get(group.address)!].sort();
    if (routerNames.length > 1) { skip(`the address is configured in more than one router (${routerNames.join(", ")}): one Exchange mailbox maps to one mailbox record; remove it from all but one router's upload`); continue; }
    if (duplicateWithin.has(key)) { skip("the address has more than one incoming or outgoing provider, or different owners, in this router: which one applies is ambiguous"); continue; }
    if (group.owner === "forwardMailbox") { skip("forward mailboxes have no equivalent here: server-side sync reads each user's and queue's own mailbox, so mail no longer needs forwarding; migrate the users instead"); continue; }

    const incoming = side(group.incoming);
    const outgoing = side(group.outgoing);
    const id = migratedProfileId(group.router, incoming?.profileName ?? "", outgoing?.profileName ?? "");
    if (!profiles.has(id)) {
      const name = [incoming?.profileName, outgoing?.profileName].filter(Boolean).join(" + ");
      profiles.set(id, { id, name, router: group.router, incoming, outgoing, excluded: excludedProfiles.has(id) });
      for (const [direction, s] of [["incoming", incoming], ["outgoing", outgoing]] as const) {
        if (s && !s.migrates && !notMigrated.some((n) => n.kind === "profile" && n.router === group.router && n.name === s.profileName)) notMigrated.push({ kind: "profile", router: group.router, name: s.profileName, reason: sideReason(direction, s) });
      }
    }
    if (!incoming?.migrates && !outgoing?.migrates) { skip(`neither of its profiles (${profiles.get(id)!.name}) is Exchange Online`); continue; }
    const ownerKey = `${group.owner}:${group.ownerId}`;
    const otherAddress = ownersSeen.get(ownerKey);
    if (otherAddress) { skip(`its ${group.owner} (${group.ownerId}) also has ${otherAddress}: one CRM ${group.owner} has one mailbox`); continue; }
    ownersSeen.set(ownerKey, group.address);
    const mailboxId = migratedMailboxId(group.address);
    const existing = index.addressHolders.get(group.address) ?? null;
    const ownerHolder = index.ownerHolders.get(ownerKey);
    if (ownerHolder && ownerHolder !== existing && ownerHolder !== mailboxId) {
      skip(`its ${group.owner} (${group.ownerId}) is already mapped to mailbox '${ownerHolder}' with another address`);
      continue;
    }
    mailboxes.push({
      id: existing ?? mailboxId,
      emailAddress: group.address,
      kind: group.owner,
      ownerId: group.ownerId!,
      router: group.router,
      deploymentUrl: group.deploymentUrl,
      profileId: id,
      incoming: incoming?.migrates === true,
      outgoing: outgoing?.migrates === true,
      existingMailboxId: existing === mailboxId ? null : existing,
      excluded: excludedProfiles.has(id) || excludedMailboxes.has(existing ?? mailboxId),
    });
  }
  const used = new Set(mailboxes.map((m) => m.profileId));
  const kept = [...profiles.values()].filter((p) => used.has(p.id));
  // The same pair of profile names in two routers: two profiles, told apart by their router.
  const named = (p: PlannedProfile) => (kept.filter((o) => o.name === p.name).length > 1 ? { ...p, name: `${p.name} (${p.router})` } : p);
  return { profiles: kept.map(named), mailboxes, notMigrated };
}
