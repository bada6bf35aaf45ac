/** Email Router migration: hostile XML, the recognised format, the merge rules and the wave schedule. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildPlan, type UploadedRouter } from "../../shared/domain/migration/plan.js";
import { FormatRefused, readRouterConfiguration } from "../../shared/domain/migration/router-format.js";
import { planWaves } from "../../shared/domain/migration/waves.js";
import { routerFileLimits } from "../../shared/migration/migration-service.js";
import { readXml, XmlRefused } from "../../shared/migration/safe-xml.js";

const fixture = (router: string) => readFileSync(new URL(`../fixtures/email-router/${router}/Microsoft.Crm.Tools.EmailAgent.xml`, import.meta.url));
const read = (xml: string | Buffer) => readRouterConfiguration(readXml(typeof xml === "string" ? Buffer.from(xml) : xml, routerFileLimits));
const router = (name: string): UploadedRouter => ({ name, files: [], configuration: read(fixture(name)) });
const noIndex = { addressHolders: new Map<string, string>(), ownerHolders: new Map<string, string>() };

function refusal(xml: string | Buffer): Error {
  try {
    read(xml);
  } catch (error) {
    return error as Error;
  }
  throw new Error("the file was accepted");
}

const provider = (children: string) => `<?xml version="1.0" encoding="utf-8"?>
<Configuration>
  <ProviderConfiguration>
${children}
  </ProviderConfiguration>
</Configuration>`;
const goodChildren = `    <ProviderClass>Microsoft.Crm.Tools.Email.Providers.ExchangePollingMailboxProvider</ProviderClass>
    <ProfileName>EXO In</ProfileName>
    <CrmServerUrl>http://crm/Contoso</CrmServerUrl>
    <EmailServerUrl>https://outlook.office365.com/EWS/Exchange.asmx</EmailServerUrl>
    <EmailAddress>Ann@Contoso.example</EmailAddress>
    <OwnerType>User</OwnerType>
    <OwnerId>{510F0718-6CF6-5996-8DAB-3627D87F907B}</OwnerId>`;

describe("hostile XML is refused before anything is expanded or fetched", () => {
  const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Configuration>&lol3;</Configuration>`;
  it.each([
    ["billion laughs", laughs, /line 2: a DOCTYPE .* is not accepted/],
    ["external entity (XXE)", `<?xml version="1.0"?>\n<!DOCTYPE c [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n<Configuration>&xxe;</Configuration>`, /line 2: a DOCTYPE/],
    ["external DTD", `<?xml version="1.0"?>\n<!DOCTYPE Configuration SYSTEM "http://127.0.0.1:1/evil.dtd">\n<Configuration/>`, /line 2: a DOCTYPE/],
    ["deep nesting", `<Configuration>${"<a>".repeat(5000)}${"</a>".repeat(5000)}</Configuration>`, /nested deeper than 16 levels/],
    ["not XML", "MZ\u0000\u0003 this is a binary file", /not well-formed XML/],
    ["wrong encoding (declared)", `<?xml version="1.0" encoding="windows-1252"?>\n<Configuration/>`, /declares encoding "windows-1252"; only UTF-8/],
    ["wrong encoding (UTF-16 bytes)", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("<Configuration/>", "utf16le")]), /UTF-16; only UTF-8/],
    ["wrong encoding (not UTF-8 bytes)", Buffer.concat([Buffer.from("<Configuration>\n<A>"), Buffer.from([0xe9, 0x20]), Buffer.from("</A></Configuration>")]), /line 2: the file is not UTF-8/],
  ])("%s", (_, xml, message) => {
    const error = refusal(xml);
    expect(error).toBeInstanceOf(XmlRefused);
    expect(error.message).toMatch(message);
  });

  it("a file over the size limit is refused before it is decoded", () => {
    const big = Buffer.alloc(33 * 1024 * 1024, 0x20);
    expect(() => readXml(big, routerFileLimits)).toThrow("the file has 34603008 bytes; at most 33554432 are read");
  });

  it("more elements than the limit are refused", () => {
    expect(() => readXml(Buffer.from(`<a>${"<b/>".repeat(101)}</a>`), { ...routerFileLimits, maxElements: 100 })).toThrow(/more than 100 elements/);
  });

  it("entities are never expanded: &amp; and character references only are decoded in values", () => {
    const config = read(provider(goodChildren.replace("EXO In", "EXO &amp; Co &#x41;&unknown;")));
    expect(config.providers[0]!.profileName).toBe("EXO & Co A&unknown;");
  });
});

describe("the router format: what is recognised, and what is refused by name and line", () => {
  it("reads the documented SystemConfiguration and each provider instance of the fixtures", () => {
    const hq = read(fixture("hq"));
    expect(hq.providers).toHaveLength(8);
    expect(hq.providers[0]).toMatchObject({ direction: "incoming", protocol: "Exchange", profileName: "Exchange Online Incoming", emailAddress: "ann@contoso.example", owner: "user", deploymentUrl: "http://crm.contoso.local/ContosoSales" });
    expect(hq.providers[0]!.credentials).toEqual(["CrmAuthMode", "EmailAuthMode", "EmailUser", "EmailPassword"]);
    expect(hq.providers.find((p) => p.owner === "forwardMailbox")?.ownerId).toBeUndefined();
    expect(read(fixture("branch")).providers.map((p) => p.protocol)).toEqual(["POP3", "SMTP", "Exchange", "Exchange", "Exchange", "Exchange", "Exchange"]);
  });

  it.each([
    ["a wrong root", `<?xml version="1.0"?>\n<configuration>\n</configuration>`, "configuration", 2, /is the root element/],
    ["an unknown child of the root", `<Configuration>\n  <Deployments/>\n</Configuration>`, "Deployments", 2, /inside <Configuration>/],
    ["an unknown system setting", `<Configuration>\n<SystemConfiguration>\n<MaxThreads>5</MaxThreads>\n<Turbo>1</Turbo>\n</SystemConfiguration>\n</Configuration>`, "Turbo", 4, /inside <SystemConfiguration>/],
    ["an unknown provider element", provider(`${goodChildren}\n    <ForwardingRule>x</ForwardingRule>`), "ForwardingRule", 11, /inside <ProviderConfiguration>/],
    ["an unknown provider class", provider(goodChildren.replace("ExchangePollingMailboxProvider", "ImapPollingMailboxProvider")), "ProviderClass", 4, /ImapPollingMailboxProvider', which this reader does not know/],
    ["a provider without its mailbox", provider(goodChildren.replace(/.*EmailAddress.*\n/, "")), "ProviderConfiguration", 3, /has no <EmailAddress>/],
    ["an owner id that is not a GUID", provider(goodChildren.replace(/\{510F.*\}/, "ann")), "OwnerId", 10, /GUID/],
    ["an attribute", provider(goodChildren.replace("<ProfileName>", '<ProfileName lang="en">')), "ProfileName", 5, /attribute 'lang'/],
    ["no provider at all", `<Configuration>\n<SystemConfiguration/>\n</Configuration>`, "Configuration", 1, /no <ProviderConfiguration>/],
  ])("%s", (_, xml, element, line, message) => {
    const error = refusal(xml);
    expect(error).toBeInstanceOf(FormatRefused);
    expect(error).toMatchObject({ element, line });
    expect(error.message).toMatch(message);
  });
});

describe("the plan: merge rules", () => {
  const plan = buildPlan([router("hq"), router("branch")], noIndex);
  const profile = (name: string) => plan.profiles.find((p) => p.name === name);
  const mailbox = (address: string) => plan.mailboxes.find((m) => m.emailAddress === address);
  const skipped = (name: string) => plan.notMigrated.filter((n) => n.name === name).map((n) => n.reason);

  it("one profile per pair of incoming and outgoing router profiles, named after both (and their router when two routers have the pair)", () => {
    expect(plan.profiles.map((p) => p.name).sort()).toEqual([
      "Exchange 2010 Incoming + Exchange Online Outgoing",
      "Exchange Online Incoming + Exchange Online Outgoing (branch)",
      "Exchange Online Incoming + Exchange Online Outgoing (hq)",
      "Exchange Online Incoming + SMTP Relay",
    ]);
    expect(mailbox("ann@contoso.example")!.profileId).toBe(mailbox("support@contoso.example")!.profileId);
  });

  it("a side that is not Exchange Online does not migrate: its workload is off and the plan says why", () => {
    expect(mailbox("ben@contoso.example")).toMatchObject({ incoming: true, outgoing: false, profileId: profile("Exchange Online Incoming + SMTP Relay")!.id });
    expect(mailbox("dana@contoso.example")).toMatchObject({ incoming: false, outgoing: true });
    expect(skipped("SMTP Relay")[0]).toMatch(/uses SMTP .*Exchange Online only/);
    expect(skipped("Exchange 2010 Incoming")[0]).toMatch(/uses Exchange on premises \(mail\.branch\.contoso\.local\)/);
    expect(mailbox("carl@contoso.example")).toBeUndefined();
    expect(skipped("carl@contoso.example")[0]).toMatch(/neither of its profiles \(POP3 Branch \+ SMTP Branch\)/);
  });

  it("duplicate addresses across routers, forward mailboxes and credentials are not migrated, with the reason", () => {
    expect(mailbox("shared@contoso.example")).toBeUndefined();
    expect(skipped("shared@contoso.example")).toEqual([expect.stringMatching(/more than one router \(branch, hq\)/), expect.stringMatching(/more than one router/)]);
    expect(skipped("crm-forward@contoso.example")[0]).toMatch(/forward mailboxes have no equivalent/);
    expect(plan.notMigrated.filter((n) => n.kind === "credentials").map((n) => n.router)).toEqual(["hq", "branch"]);
  });

  it("ids are deterministic; an address already held by a mailbox record maps to it; an owner held elsewhere is not migrated", () => {
    const again = buildPlan([router("hq"), router("branch")], noIndex);
    expect(again.mailboxes.map((m) => m.id)).toEqual(plan.mailboxes.map((m) => m.id));
    const ann = mailbox("ann@contoso.example")!;
    const held = buildPlan([router("hq")], {
      addressHolders: new Map([["ann@contoso.example", "crm-user-ann"]]),
      ownerHolders: new Map([[`user:${ann.ownerId}`, "crm-user-ann"], [`queue:${mailbox("support@contoso.example")!.ownerId}`, "old-support"]]),
    });
    expect(held.mailboxes.find((m) => m.emailAddress === "ann@contoso.example")).toMatchObject({ id: "crm-user-ann", existingMailboxId: "crm-user-ann" });
    expect(held.mailboxes.find((m) => m.emailAddress === "support@contoso.example")).toBeUndefined();
    expect(held.notMigrated.find((n) => n.name === "support@contoso.example")!.reason).toMatch(/already mapped to mailbox 'old-support'/);
  });

  it("excluding a profile excludes its mailboxes; a mailbox can be excluded alone", () => {
    const smtp = profile("Exchange Online Incoming + SMTP Relay")!;
    const excluded = buildPlan([router("hq"), router("branch")], noIndex, { profiles: [smtp.id], mailboxes: [mailbox("sales@contoso.example")!.id] });
    expect(excluded.mailboxes.filter((m) => m.excluded).map((m) => m.emailAddress).sort()).toEqual(["ben@contoso.example", "sales@contoso.example"]);
    expect(excluded.profiles.find((p) => p.id === smtp.id)!.excluded).toBe(true);
  });
});

describe("waves", () => {
  const mailboxes = [
    ...Array.from({ length: 250 }, (_, i) => ({ id: `u${i}`, kind: "user" as const, emailAddress: `user${String(i).padStart(3, "0")}@x.example` })),
    ...Array.from({ length: 3 }, (_, i) => ({ id: `q${i}`, kind: "queue" as const, emailAddress: `queue${i}@x.example` })),
  ];
  it.each([
    [{ size: 200, intervalMinutes: 300 }, [200, 53], 5 * 3_600_000],
    [{ size: 100, intervalMinutes: 60 }, [100, 100, 53], 3_600_000],
  ])("queues first, then users, at most size a wave, interval apart (%o)", (settings, sizes, gap) => {
    const waves = planWaves(mailboxes, settings, 1_000);
    expect(waves.map((w) => w.mailboxIds.length)).toEqual(sizes);
    expect(waves[0]!.mailboxIds.slice(0, 4)).toEqual(["q0", "q1", "q2", "u0"]);
    expect(waves.map((w) => w.dueAt)).toEqual(sizes.map((_, i) => 1_000 + i * gap));
  });
});
