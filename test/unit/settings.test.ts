import { describe, expect, it } from "vitest";
import { loadSettings, readApiAuthSettings, SettingsError, type Environment } from "../../shared/config/settings.js";

const valid: Environment = {
  GRAPH_TENANT_ID: "contoso.onmicrosoft.com",
  GRAPH_CLIENT_ID: "5b1e7c0d-3a94-4f7b-8d21-6c9e0f4a2b37",
  GRAPH_CLIENT_SECRET: "s3cret",
  SyncStorage: "UseDevelopmentStorage=true",
  ServiceBusConnection: "Endpoint=sb://example.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v",
};

function failure(env: Environment): SettingsError {
  try {
    loadSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error("expected a SettingsError");
}

describe("settings", () => {
  it("applies the public-cloud defaults", () => {
    const settings = loadSettings(valid);
    expect(settings.graph.endpoint).toBe("https://graph.microsoft.com");
    expect(settings.graph.authorityHost).toBe("https://login.microsoftonline.com");
    expect(settings.graph.credential).toEqual({ kind: "clientSecret", clientSecret: "s3cret" });
    expect(settings.storage).toEqual({ kind: "connectionString", connectionString: "UseDevelopmentStorage=true" });
  });

  it.each([
    ["GRAPH_TENANT_ID", { GRAPH_TENANT_ID: undefined }, /is required/],
    ["GRAPH_CLIENT_ID", { GRAPH_CLIENT_ID: "not-a-guid" }, /is malformed/],
    ["GRAPH_CLIENT_SECRET", { GRAPH_CLIENT_SECRET: "" }, /is required/],
    ["GRAPH_ENDPOINT", { GRAPH_ENDPOINT: "http://graph.example" }, /https/],
    ["LOGIN_AUTHORITY_HOST", { LOGIN_AUTHORITY_HOST: "not a url" }, /is malformed/],
    ["GRAPH_CREDENTIAL_KIND", { GRAPH_CREDENTIAL_KIND: "password" }, /clientSecret, certificate or managedIdentity/],
    ["GRAPH_CERTIFICATE_PEM", { GRAPH_CREDENTIAL_KIND: "certificate", GRAPH_CERTIFICATE_PEM: "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----" }, /PRIVATE KEY/],
    ["GRAPH_PAGE_SIZE", { GRAPH_PAGE_SIZE: "0" }, /whole number from 1 to 1000/],
    ["SyncStorage", { SyncStorage: undefined }, /is required/],
    ["SyncStorage", { SyncStorage: "hello" }, /connection string/],
    ["ServiceBusConnection", { ServiceBusConnection: undefined }, /is required/],
    ["ServiceBusConnection__fullyQualifiedNamespace", { ServiceBusConnection: undefined, ServiceBusConnection__fullyQualifiedNamespace: "not a host" }, /servicebus.windows.net/],
  ])("a bad %s stops start-up naming it", (setting, change, expected) => {
    const error = failure({ ...valid, ...change });
    expect(error.setting).toBe(setting);
    expect(error.message).toMatch(new RegExp(`^Setting ${setting} `));
    expect(error.message).toMatch(expected);
  });

  it("reads identity-based connections", () => {
    const settings = loadSettings({
      ...valid,
      SyncStorage: undefined,
      "SyncStorage__tableServiceUri": "https://acct.table.core.windows.net",
      "SyncStorage__blobServiceUri": "https://acct.blob.core.windows.net",
      "SyncStorage__clientId": "11111111-2222-3333-4444-555555555555",
      ServiceBusConnection: undefined,
      "ServiceBusConnection__fullyQualifiedNamespace": "sync.servicebus.windows.net",
    });
    expect(settings.storage).toMatchObject({ kind: "identity", tableServiceUri: "https://acct.table.core.windows.net", managedIdentityClientId: "11111111-2222-3333-4444-555555555555" });
    expect(settings.serviceBus).toEqual({ kind: "identity", fullyQualifiedNamespace: "sync.servicebus.windows.net", managedIdentityClientId: undefined });
  });
});

describe("the API's token settings", () => {
  const tenant = "8f3a3c52-6f2e-4c8e-9a43-2b7f1d0e5a11";
  const audience = "146146fc-a035-450b-bf5e-42548939674a";
  const apiFailure = (env: Environment) => {
    try {
      readApiAuthSettings(env);
    } catch (error) {
      if (error instanceof SettingsError) return error;
      throw error;
    }
    throw new Error("expected a SettingsError");
  };

  it("take the tenant from GRAPH_TENANT_ID when it is a GUID, and the authority from LOGIN_AUTHORITY_HOST", () => {
    expect(readApiAuthSettings({ GRAPH_TENANT_ID: tenant.toUpperCase(), API_AUDIENCE: audience })).toEqual({ authorityHost: "https://login.microsoftonline.com", tenantId: tenant, audience });
    expect(readApiAuthSettings({ GRAPH_TENANT_ID: "contoso.onmicrosoft.com", API_TENANT_ID: tenant, API_AUDIENCE: audience, LOGIN_AUTHORITY_HOST: "https://login.microsoftonline.us/" }))
      .toEqual({ authorityHost: "https://login.microsoftonline.us", tenantId: tenant, audience });
  });

  it.each([
    ["API_AUDIENCE", { GRAPH_TENANT_ID: tenant }, /Setting API_AUDIENCE is required: expected the API app registration's application \(client\) id/],
    ["API_AUDIENCE", { GRAPH_TENANT_ID: tenant, API_AUDIENCE: "api://sync" }, /Setting API_AUDIENCE is malformed/],
    ["API_TENANT_ID", { GRAPH_TENANT_ID: "contoso.onmicrosoft.com", API_AUDIENCE: audience }, /Setting API_TENANT_ID is required: expected the tenant id \(GUID\)/],
    ["API_TENANT_ID", { API_TENANT_ID: "contoso.onmicrosoft.com", API_AUDIENCE: audience }, /Setting API_TENANT_ID is malformed/],
  ])("%s: a missing or malformed value is refused, naming it (%#)", (setting, env, message) => {
    const error = apiFailure(env);
    expect(error.setting).toBe(setting);
    expect(error.message).toMatch(message);
  });
});
