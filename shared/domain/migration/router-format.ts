/**
 * The Email Router's configuration file, Microsoft.Crm.Tools.EmailAgent.xml, as this product reads
 * it: every element it recognises is in the tables below, with where it is documented, and anything
 * else is refused with its name and line (docs/email-router-migration.md shows the same tables).
 *
 * Public sources: the Dynamics CRM team's 2008 article "Email router configuration XML file
 * explained" (the root's two parts: SystemConfiguration with MaxThreads, MaxThreadExecution,
 * SchedulingPeriod, ConfigRefreshPeriod, ConfigUpdatePeriod, LogLevel, times in ms; and one
 * ProviderConfiguration, "the top node defining a single email provider", per provider instance);
 * Microsoft's tracing topic (root `Configuration`, LogFile, ProviderOverrides and its children);
 * the CRM 4.0 SDK's e-mail provider classes (ExchangePollingMailboxProvider, Pop3PollingMailboxProvider,
 * SmtpPollingSendEmailProvider; one instance per mailbox; IsForwardMailbox, DeleteEmails, MoveEmails,
 * MessageExpiry, BatchSize, CacheCapacity). The article's per-provider tables could not be read in
 * full: the provider children marked `reader` are this product's names for what a provider instance
 * must say (its profile, its mailbox, its owner), so a real file that names them otherwise is
 * refused by name — never misread.
 *
 * Pure: works on the element tree of migration/safe-xml.ts (structurally typed here).
 */

export interface ConfigElement {
  name: string;
  line: number;
  text: string;
  attributes: Record<string, string>;
  children: ConfigElement[];
}

export type Direction = "incoming" | "outgoing";
export type Protocol = "Exchange" | "POP3" | "SMTP";
export type OwnerKind = "user" | "queue" | "forwardMailbox";

/** One ProviderConfiguration: one provider instance of one router profile for one mailbox. */
export interface RouterProvider {
  line: number;
  direction: Direction;
  protocol: Protocol;
  profileName: string;
  /** The CRM deployment (organization) URL the instance delivers to. */
  deploymentUrl: string;
  emailServerUrl: string;
  emailAddress: string;
  owner: OwnerKind;
  /** The CRM user's or queue's id; none for a forward mailbox. */
  ownerId?: string;
  /** Credential elements the file held (names only): never imported. */
  credentials: string[];
}

export interface RouterConfiguration {
  providers: RouterProvider[];
}

export class FormatRefused extends Error {
  constructor(
    readonly element: string,
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: <${element}> ${message}`);
    this.name = "FormatRefused";
  }
}

export const configurationRoot = "Configuration";

/** SystemConfiguration: router tuning; read so that it is recognised, nothing of it migrates. */
export const systemElements = ["MaxThreads", "MaxThreadExecution", "SchedulingPeriod", "ConfigRefreshPeriod", "ConfigUpdatePeriod", "LogLevel", "LogFile", "ProviderOverrides"] as const;
export const providerOverrideElements = ["CacheCapacity", "PendingStatusDelay", "SendingStatusDelay", "MaximumDeliveryAttempts", "EWSRetrieveMessageCount", "BatchSize", "RequestBatchSize"] as const;

const classPrefix = "Microsoft.Crm.Tools.Email.Providers.";
/** The provider classes this reader knows: which direction and protocol an instance is. */
export const providerClasses: Record<string, { direction: Direction; protocol: Protocol }> = {
  [`${classPrefix}ExchangePollingMailboxProvider`]: { direction: "incoming", protocol: "Exchange" },
  [`${classPrefix}Pop3PollingMailboxProvider`]: { direction: "incoming", protocol: "POP3" },
  [`${classPrefix}SmtpPollingSendEmailProvider`]: { direction: "outgoing", protocol: "SMTP" },
  // reader: the router's Exchange outgoing provider (Exchange Online / Exchange Web Services).
  [`${classPrefix}ExchangePollingSendEmailProvider`]: { direction: "outgoing", protocol: "Exchange" },
};

/** ProviderConfiguration's children: what each is read as. */
export const providerElements = {
  ProviderAssembly: "ignored",
  ProviderClass: "required",
  ProfileName: "required",
  CrmServerUrl: "required",
  EmailServerUrl: "required",
  EmailAddress: "required",
  OwnerType: "required",
  OwnerId: "optional",
  IsForwardMailbox: "optional",
  CrmAuthMode: "credential",
  CrmUser: "credential",
  CrmPassword: "credential",
  EmailAuthMode: "credential",
  EmailUser: "credential",
  EmailPassword: "credential",
  DeleteEmails: "ignored",
  MoveEmails: "ignored",
  MessageExpiry: "ignored",
  BatchSize: "ignored",
  CacheCapacity: "ignored",
} as const satisfies Record<string, "required" | "optional" | "credential" | "ignored">;

type ProviderElement = keyof typeof providerElements;

const addressPattern = /^[^\s@<>()",;:\\[\]]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;
const guidPattern = /^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/;
const predefined: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** The text of an element with XML's five predefined entities and character references decoded (nothing else is expanded). */
export function textOf(element: ConfigElement): string {
  return element.text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (_, ref: string) => {
    if (!ref.startsWith("#")) return predefined[ref]!;
    const code = ref[1] === "x" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : "\ufffd";
  }).trim();
}

function refuseUnknown(element: ConfigElement, parent: string, known: readonly string[]): never {
  throw new FormatRefused(element.name, element.line, `is not an element this reader knows inside <${parent}> (it knows ${known.join(", ")}); nothing was guessed — see docs/email-router-migration.md`);
}

function noAttributes(element: ConfigElement): void {
  const names = Object.keys(element.attributes);
  if (names.length > 0) throw new FormatRefused(element.name, element.line, `has attribute '${names[0]}', which this reader does not know`);
}

function readSystem(element: ConfigElement): void {
  for (const child of element.children) {
    noAttributes(child);
    if (!(systemElements as readonly string[]).includes(child.name)) refuseUnknown(child, element.name, systemElements);
    if (child.name === "ProviderOverrides") {
      for (const override of child.children) if (!(providerOverrideElements as readonly string[]).includes(override.name)) refuseUnknown(override, child.name, providerOverrideElements);
    } else if (child.children.length > 0) {
      throw new FormatRefused(child.children[0]!.name, child.children[0]!.line, `is inside <${child.name}>, which holds a value, not elements`);
    }
  }
}

function readProvider(element: ConfigElement): RouterProvider {
  const known = Object.keys(providerElements);
  const values = new Map<ProviderElement, ConfigElement>();
  for (const child of element.children) {
    noAttributes(child);
    if (!(child.name in providerElements)) refuseUnknown(child, element.name, known);
    if (values.has(child.name as ProviderElement)) throw new FormatRefused(child.name, child.line, `appears twice in one <${element.name}>`);
    if (child.children.length > 0) throw new FormatRefused(child.children[0]!.name, child.children[0]!.line, `is inside <${child.name}>, which holds a value, not elements`);
    values.set(child.name as ProviderElement, child);
  }
  const required = (name: ProviderElement): string => {
    const value = values.get(name);
    if (!value || !textOf(value)) throw new FormatRefused(element.name, element.line, `has no <${name}>, which every provider needs`);
    return textOf(value);
  };
  const at = (name: ProviderElement) => values.get(name)!.line;
  const providerClass = required("ProviderClass");
  const kind = providerClasses[providerClass];
  if (!kind) throw new FormatRefused("ProviderClass", at("ProviderClass"), `names provider class '${providerClass.slice(0, 120)}', which this reader does not know (it knows ${Object.keys(providerClasses).join(", ")})`);
  const emailAddress = required("EmailAddress").toLowerCase();
  if (!addressPattern.test(emailAddress)) throw new FormatRefused("EmailAddress", at("EmailAddress"), "is not an email address");
  const ownerType = required("OwnerType");
  const forward = values.has("IsForwardMailbox") ? textOf(values.get("IsForwardMailbox")!).toLowerCase() : "false";
  if (forward !== "true" && forward !== "false") throw new FormatRefused("IsForwardMailbox", at("IsForwardMailbox"), "must be true or false");
  const owner: OwnerKind | undefined = forward === "true" ? "forwardMailbox" : ownerType === "User" ? "user" : ownerType === "Queue" ? "queue" : undefined;
  if (!owner || (forward === "true" && ownerType !== "ForwardMailbox")) {
    throw new FormatRefused("OwnerType", at("OwnerType"), forward === "true" ? "must be ForwardMailbox when IsForwardMailbox is true" : "must be User, Queue or ForwardMailbox (with IsForwardMailbox true)");
  }
  if (owner === "forwardMailbox" && kind.direction !== "incoming") throw new FormatRefused("IsForwardMailbox", at("IsForwardMailbox"), "is true on an outgoing provider; forward mailboxes only receive");
  let ownerId: string | undefined;
  if (owner !== "forwardMailbox") {
    ownerId = required("OwnerId").replace(/^\{|\}$/g, "").toLowerCase();
    if (!guidPattern.test(ownerId)) throw new FormatRefused("OwnerId", at("OwnerId"), "must be the CRM user's or queue's id (a GUID)");
  }
  const url = (name: ProviderElement) => {
    const text = required(name);
    try {
      return new URL(/^[a-z]+:\/\//i.test(text) ? text : `tcp://${text}`).toString();
    } catch {
      throw new FormatRefused(name, at(name), "is not a URL or host name");
    }
  };
  const profileName = required("ProfileName");
  if (profileName.length > 100) throw new FormatRefused("ProfileName", at("ProfileName"), "is longer than 100 characters");
  return {
    line: element.line,
    ...kind,
    profileName,
    deploymentUrl: url("CrmServerUrl"),
    emailServerUrl: url("EmailServerUrl"),
    emailAddress,
    owner,
    ...(ownerId ? { ownerId } : {}),
    credentials: [...values.keys()].filter((name) => providerElements[name] === "credential"),
  };
}

/** Reads a parsed configuration file, or throws FormatRefused naming the element and line at fault. */
export function readRouterConfiguration(root: ConfigElement): RouterConfiguration {
  if (root.name !== configurationRoot) {
    throw new FormatRefused(root.name, root.line, `is the root element; a router configuration file (Microsoft.Crm.Tools.EmailAgent.xml) has <${configurationRoot}>`);
  }
  noAttributes(root);
  const providers: RouterProvider[] = [];
  let systemSeen = false;
  for (const child of root.children) {
    if (child.name === "SystemConfiguration") {
      if (systemSeen) throw new FormatRefused(child.name, child.line, "appears twice");
      systemSeen = true;
      readSystem(child);
    } else if (child.name === "ProviderConfiguration") {
      providers.push(readProvider(child));
    } else {
      refuseUnknown(child, root.name, ["SystemConfiguration", "ProviderConfiguration"]);
    }
  }
  if (providers.length === 0) throw new FormatRefused(root.name, root.line, "has no <ProviderConfiguration>: the router has no profiles to migrate");
  return { providers };
}
