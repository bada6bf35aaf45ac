/**
 * The Function App's app settings in the templates against the settings the code reads
 * (shared/config/settings.ts settingCatalog): every required one is set, identity-based connections
 * only (no connection strings or keys), the Graph credential only as a Key Vault reference, and
 * nothing the code does not read unless it is a documented host or platform setting. Also checks
 * local.settings.sample.json holds every catalog setting with a safe example value.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { profileCredentialSettingPrefix } from "../../shared/config/profile-credentials.js";
import { readGraphSettings, settingCatalog } from "../../shared/config/settings.js";
import { filesUnder, infraDir, loadBicep, mainBicepPath, repoRoot, type BicepFile, type ObjectKeys } from "./bicep.js";

/**
 * Settings the templates may set although the product code does not read them: the Functions host
 * and the platform read these. One line each: why it exists.
 */
const hostAndPlatformSettings: Record<string, string> = {
  AzureWebJobsStorage__accountName: "host storage account (keys, timer locks, deployment) reached with an identity",
  AzureWebJobsStorage__credential: "'managedidentity': the host reaches its storage with a managed identity",
  AzureWebJobsStorage__clientId: "which user-assigned identity the host uses for its storage",
  AzureWebJobsStorage__blobServiceUri: "host storage blob endpoint (alternative to __accountName)",
  AzureWebJobsStorage__queueServiceUri: "host storage queue endpoint (alternative to __accountName)",
  AzureWebJobsStorage__tableServiceUri: "host storage table endpoint (alternative to __accountName)",
  APPLICATIONINSIGHTS_CONNECTION_STRING: "where the host sends logs and metrics (holds no secret: local auth is disabled)",
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "Entra-authenticated telemetry with the user-assigned identity",
  FUNCTIONS_EXTENSION_VERSION: "Functions runtime version (managed by the platform on Flex Consumption; never set there)",
  FUNCTIONS_WORKER_RUNTIME: "worker language (functionAppConfig.runtime on Flex Consumption; local.settings.json only)",
  AzureWebJobsFeatureFlags: "host feature flags",
  WEBSITE_TIME_ZONE: "platform time zone for timer schedules (not on Flex Consumption)",
};

/** App settings Flex Consumption deprecates or rejects (configured in functionAppConfig instead). */
const flexDeprecatedSettings = [
  "FUNCTIONS_EXTENSION_VERSION",
  "FUNCTIONS_WORKER_RUNTIME",
  "FUNCTIONS_WORKER_RUNTIME_VERSION",
  "WEBSITE_RUN_FROM_PACKAGE",
  "WEBSITE_CONTENTSHARE",
  "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
  "WEBSITE_NODE_DEFAULT_VERSION",
  "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT",
  "SCM_DO_BUILD_DURING_DEPLOYMENT",
  "ENABLE_ORYX_BUILD",
  "WEBSITE_TIME_ZONE",
  "AzureWebJobsStorage",
];

const keyVaultReference = /^@Microsoft\.KeyVault\(SecretUri=https:\/\/.+\/secrets\/.+\)$/;

let main: BicepFile;
let settings: ObjectKeys;

beforeAll(async () => {
  main = await loadBicep(mainBicepPath);
  const config = main.resources.filter((r) => r.typeName === "Microsoft.Web/sites/config" && main.evaluate(main.property(r.body, "name")) === "appsettings");
  expect(config.length, `${mainBicepPath} should declare the app settings in one Microsoft.Web/sites/config 'appsettings' resource`).toBe(1);
  settings = main.objectKeys(main.property(config[0]!.body, "properties"));
});

const where = () => `(app settings of ${mainBicepPath.replace(repoRoot + "/", "")})`;
const isSet = (name: string) => settings.keys.has(name);
const alwaysSet = (name: string) => settings.keys.has(name) && !settings.keys.get(name)!.conditional;
const valueTexts = (name: string) => settings.keys.get(name)?.values.map((v) => v.text) ?? [];
const stringValues = (name: string) => settings.keys.get(name)?.values.map((v) => main.evaluate(v)) ?? [];

/** oneOf groups: the connection-string setting and its identity-form siblings (<name>__...). */
function oneOfGroups(): Map<string, { connectionString: string; identity: string[] }> {
  const groups = new Map<string, { connectionString: string; identity: string[] }>();
  for (const entry of settingCatalog.filter((e) => e.required === "oneOf")) {
    const base = entry.name.split("__")[0]!;
    const group = groups.get(base) ?? { connectionString: base, identity: [] };
    if (entry.name.includes("__")) group.identity.push(entry.name);
    groups.set(base, group);
  }
  return groups;
}

describe("app settings the templates set", () => {
  it("set every required setting of settingCatalog, unconditionally", () => {
    const missing = settingCatalog.filter((e) => e.required === "yes" && !alwaysSet(e.name)).map((e) => e.name);
    expect(missing, `required settings missing ${where()}`).toEqual([]);
  });

  it("use the identity form of every oneOf connection (all of <name>__* in settingCatalog), never the connection string", () => {
    const problems: string[] = [];
    for (const [base, group] of oneOfGroups()) {
      if (group.identity.length === 0) problems.push(`${base}: settingCatalog has no identity form for this oneOf group`);
      const identityForm = settingCatalog.filter((e) => e.name.startsWith(`${base}__`)).map((e) => e.name);
      for (const name of identityForm) if (!alwaysSet(name)) problems.push(`${name} is not set ${where()}`);
      if (isSet(group.connectionString)) problems.push(`${group.connectionString} (a connection string) is set ${where()}: use ${group.identity.join(" + ")}`);
    }
    expect(problems).toEqual([]);
  });

  it("point every identity-based connection at the user-assigned identity", () => {
    const problems: string[] = [];
    for (const name of [...settings.keys.keys()].filter((n) => n.endsWith("__clientId"))) {
      if (!valueTexts(name).every((t) => t === "identity.properties.clientId")) problems.push(`${name} = ${valueTexts(name).join(" | ")}`);
    }
    for (const name of [...settings.keys.keys()].filter((n) => n.endsWith("__credential"))) {
      if (!stringValues(name).every((v) => v === "managedidentity")) problems.push(`${name} should be 'managedidentity'`);
    }
    expect(problems).toEqual([]);
    expect(valueTexts("GRAPH_MANAGED_IDENTITY_CLIENT_ID")).toEqual(["identity.properties.clientId"]);
  });

  it("set nothing the code does not read, except documented host and platform settings", () => {
    const known = new Set([...settingCatalog.map((e) => e.name), ...Object.keys(hostAndPlatformSettings)]);
    const unknown = [...settings.keys.keys()].filter((name) => !known.has(name));
    expect(unknown, `settings ${where()} that are neither in settingCatalog nor in hostAndPlatformSettings of test/infra/app-settings.test.ts`).toEqual([]);
  });

  it("set no setting that Flex Consumption deprecates (runtime and deployment live in functionAppConfig)", () => {
    expect(flexDeprecatedSettings.filter(isSet), where()).toEqual([]);
  });

  it("hold no key, connection string with a key, or listKeys() result anywhere in the templates", () => {
    const problems: string[] = [];
    for (const file of filesUnder(infraDir, ".bicep")) {
      const source = readFileSync(file, "utf8");
      for (const pattern of [/listKeys\s*\(/i, /listConnectionStrings\s*\(/i, /AccountKey=/i, /SharedAccessKey=/i, /InstrumentationKey\s*[=:]/i, /primaryKey/i]) {
        if (pattern.test(source)) problems.push(`${file}: ${pattern}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("give the Graph secret and certificate only as Key Vault references, resolved with the user-assigned identity", () => {
    for (const name of ["GRAPH_CLIENT_SECRET", "GRAPH_CERTIFICATE_PEM"]) {
      expect(isSet(name), `${name} is not set for its credential kind ${where()}`).toBe(true);
      for (const value of stringValues(name)) {
        expect(typeof value === "string" && keyVaultReference.test(value), `${name} = ${String(value)} is not @Microsoft.KeyVault(SecretUri=...)`).toBe(true);
      }
    }
    const [site] = main.resourcesOfType("Microsoft.Web/sites");
    expect(main.property(site!.body, "properties", "keyVaultReferenceIdentity")?.text, "the site's keyVaultReferenceIdentity").toBe("identity.id");
    expect(main.evaluate(main.property(site!.body, "identity", "type"))).toBe("UserAssigned");
  });

  it("name profile credential settings only as Key Vault references, with the prefix a profile may name", () => {
    expect(settings.dynamic.length, "profileCredentialSecrets becomes app settings").toBeGreaterThan(0);
    for (const dynamic of settings.dynamic) {
      const key = dynamic.keyNode ? main.evaluate(dynamic.keyNode.namedChildren.at(-1)) : null;
      expect(typeof key === "string" && key.startsWith(profileCredentialSettingPrefix), `${dynamic.source} must name settings ${profileCredentialSettingPrefix}*, got ${String(key)}`).toBe(true);
      const value = dynamic.valueNode ? main.evaluate(dynamic.valueNode.namedChildren.at(-1)) : null;
      expect(typeof value === "string" && value.startsWith("@Microsoft.KeyVault(SecretUri=https://"), `${dynamic.source} must produce Key Vault references`).toBe(true);
    }
  });

  it("offer exactly the Graph credential kinds the code accepts", async () => {
    const parameter = main.params.get("graphCredentialKind");
    expect(parameter, "param graphCredentialKind").toBeDefined();
    const allowed = parameter!.decorators.find((d) => d.text.startsWith("@allowed"));
    const kinds = main.evaluate(allowed?.namedChildren[0]?.childForFieldName("arguments")?.namedChildren[0]) as string[];
    expect(kinds.sort()).toEqual(["certificate", "clientSecret", "managedIdentity"]);
    const pem = "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----";
    for (const kind of kinds) {
      const env = { GRAPH_TENANT_ID: "contoso.onmicrosoft.com", GRAPH_CLIENT_ID: "5b1e7c0d-3a94-4f7b-8d21-6c9e0f4a2b37", GRAPH_CREDENTIAL_KIND: kind, GRAPH_CLIENT_SECRET: "x", GRAPH_CERTIFICATE_PEM: pem };
      expect(readGraphSettings(env).credential.kind).toBe(kind);
    }
  });
});

describe("local.settings.sample.json", () => {
  const sample = JSON.parse(readFileSync(join(repoRoot, "local.settings.sample.json"), "utf8")) as { Values: Record<string, string> };

  it("holds every setting of settingCatalog", () => {
    const missing = settingCatalog.map((e) => e.name).filter((name) => !(name in sample.Values));
    expect(missing, "add these to Values in local.settings.sample.json (an empty string is a safe example for an unused form)").toEqual([]);
  });

  it("holds only safe example values (no real secret, key or certificate)", () => {
    const placeholder = /^$|replace|example|placeholder|your-|<[^>]+>|^0{8}-0{4}-0{4}-0{4}-0{12}$|UseDevelopmentStorage=true/i;
    const problems: string[] = [];
    for (const [name, value] of Object.entries(sample.Values)) {
      if (/PRIVATE KEY-----/.test(value)) problems.push(`${name} holds a private key`);
      const key = /(?:AccountKey|SharedAccessKey)=([^;]*)/i.exec(value)?.[1];
      if (key && !placeholder.test(key)) problems.push(`${name} holds a real-looking key`);
      if (/SECRET|PASSWORD|PEM|KEY$/i.test(name) && !placeholder.test(value)) problems.push(`${name} = '${value}' is not an obvious placeholder`);
    }
    expect(problems).toEqual([]);
  });
});
