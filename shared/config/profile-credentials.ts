/**
 * The Graph settings a profile's mailboxes are reached with: the deployment's app, or the profile's
 * own app registration whose secret or certificate sits in a named app setting (a Key Vault
 * reference in Azure). Secrets are read from settings at use, never stored in tables.
 */
import type { ProfileCredential } from "../domain/profile.js";
import { SettingsError, type Environment, type GraphCredential, type GraphSettings } from "./settings.js";

/**
 * The app settings a profile may name: only those meant to hold a profile's credential, so that a
 * profile can never make the app use another setting's value (GRAPH_CLIENT_SECRET, a storage key,
 * HOME) as its secret. infra/main.bicep creates them from `profileCredentialSecrets`.
 */
export const profileCredentialSettingPrefix = "PROFILE_CREDENTIAL_";
export const profileCredentialSettingPattern = new RegExp(`^${profileCredentialSettingPrefix}[A-Z0-9_]{1,100}$`);
export const profileCredentialSettingRule = `must be the name of an app setting that holds a profile credential: ${profileCredentialSettingPrefix} followed by 1-100 capital letters, digits or '_' (for example ${profileCredentialSettingPrefix}CONTOSO)`;

function credentialSetting(name: string): string {
  if (!profileCredentialSettingPattern.test(name)) throw new SettingsError(name, `cannot be a profile's credential: it ${profileCredentialSettingRule}.`);
  return name;
}

export function credentialFromSettings(credential: ProfileCredential, env: Environment): GraphCredential | undefined {
  switch (credential.kind) {
    case "deploymentApp":
      return undefined;
    case "clientSecret": {
      const secret = env[credentialSetting(credential.secretSetting)]?.trim();
      if (!secret) throw new SettingsError(credential.secretSetting, "is required by the profile's credential: expected the client secret (a Key Vault reference in Azure).");
      return { kind: "clientSecret", clientSecret: secret };
    }
    case "certificate": {
      const pem = env[credentialSetting(credential.certificateSetting)] ?? "";
      const privateKey = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/.exec(pem);
      const certificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
      if (!privateKey || !certificate) throw new SettingsError(credential.certificateSetting, "is required by the profile's credential: expected PEM text with a CERTIFICATE and a PRIVATE KEY block.");
      return { kind: "certificate", privateKeyPem: privateKey[0], certificatePem: certificate[0] };
    }
    case "managedIdentity":
      return { kind: "managedIdentity", managedIdentityClientId: credential.managedIdentityClientId };
  }
}

export function profileGraphSettings(base: GraphSettings, credential: ProfileCredential, requestTimeoutSeconds: number, env: Environment): GraphSettings {
  const own = credentialFromSettings(credential, env);
  return {
    ...base,
    ...(own && credential.kind !== "deploymentApp" ? { tenantId: credential.tenantId, clientId: credential.clientId, credential: own } : {}),
    requestTimeoutMs: requestTimeoutSeconds * 1000,
  };
}
