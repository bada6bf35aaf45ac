/**
 * App-only (client credentials) tokens for Graph from MSAL. MSAL caches each token until close to
 * expiry, so calling getToken() before every request costs nothing most of the time.
 */
import { X509Certificate } from "node:crypto";
import { ConfidentialClientApplication, type Configuration } from "@azure/msal-node";
import { AuthError } from "@azure/msal-node";
import { azureCredential } from "../config/azure-credential.js";
import type { GraphSettings } from "../config/settings.js";
import { TokenRequestError } from "./graph-errors.js";

/** Audience of the managed identity token used as the app's federated credential (public cloud). */
const federatedTokenAudience = "api://AzureADTokenExchange/.default";

function msalConfiguration(settings: GraphSettings): Configuration {
  const authority = `${settings.authorityHost}/${settings.tenantId}`;
  const base = { clientId: settings.clientId, authority, knownAuthorities: [new URL(settings.authorityHost).host] };
  const credential = settings.credential;
  switch (credential.kind) {
    case "clientSecret":
      return { auth: { ...base, clientSecret: credential.clientSecret } };
    case "certificate": {
      const certificate = new X509Certificate(credential.certificatePem);
      return {
        auth: {
          ...base,
          clientCertificate: {
            thumbprintSha256: certificate.fingerprint256.replace(/:/g, ""),
            privateKey: credential.privateKeyPem,
            x5c: credential.certificatePem,
          },
        },
      };
    }
    case "managedIdentity": {
      const identity = azureCredential(credential.managedIdentityClientId);
      return {
        auth: {
          ...base,
          clientAssertion: async () => {
            const token = await identity.getToken(federatedTokenAudience);
            if (!token) throw new Error("The managed identity returned no token for the federated credential.");
            return token.token;
          },
        },
      };
    }
  }
}

export interface TokenSource {
  getToken(): Promise<string>;
  /**
   * Gets a new token after Graph refused `rejected`. Requests that were refused side by side share
   * one refresh: if a newer token than `rejected` exists already, that one is returned.
   */
  refreshToken(rejected: string): Promise<string>;
}

export class GraphTokenProvider implements TokenSource {
  private readonly app: ConfidentialClientApplication;
  private readonly scopes: string[];
  private readonly timeoutMs: number;
  private latest?: string;
  /** The token in hand and when to stop using it (5 minutes before it expires). */
  private held?: { token: string; until: number };
  private refreshing?: Promise<string>;

  constructor(settings: GraphSettings) {
    this.app = new ConfidentialClientApplication(msalConfiguration(settings));
    this.scopes = [`${settings.endpoint}/.default`];
    this.timeoutMs = settings.requestTimeoutMs;
  }

  getToken(): Promise<string> {
    // MSAL's cache lookup costs more than a request's worth of CPU: keep the token in hand.
    if (this.held && this.held.until > Date.now()) return Promise.resolve(this.held.token);
    return this.acquire(false);
  }

  async refreshToken(rejected: string): Promise<string> {
    if (this.latest && this.latest !== rejected) return this.latest;
    this.held = undefined;
    this.refreshing ??= this.acquire(true).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async acquire(skipCache: boolean): Promise<string> {
    try {
      // A slow token endpoint must not hold the cycle (and its connection slot) without bound.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TokenRequestError({ status: 0, code: "Timeout", oauthError: "timeout", message: "The login authority did not answer within the request timeout." })), this.timeoutMs);
      });
      const result = await Promise.race([this.app.acquireTokenByClientCredential({ scopes: this.scopes, skipCache }), timeout]).finally(() => clearTimeout(timer));
      if (!result?.accessToken) throw new TokenRequestError({ status: 0, code: "NoToken", oauthError: "no_token", message: "The token endpoint returned no access token." });
      this.latest = result.accessToken;
      const expires = result.expiresOn?.getTime() ?? Date.now() + 10 * 60 * 1000;
      this.held = { token: result.accessToken, until: expires - 5 * 60 * 1000 };
      return result.accessToken;
    } catch (error) {
      throw toTokenError(error);
    }
  }
}

function toTokenError(error: unknown): TokenRequestError {
  if (error instanceof TokenRequestError) return error;
  if (error instanceof AuthError) {
    // MSAL's message starts with the AADSTS code when the server answered; keep only the code.
    const aadsts = /AADSTS\d+/.exec(`${error.errorMessage} ${error.message}`)?.[0];
    const status = Number((error as { status?: number }).status ?? 0);
    const network = error.errorCode === "network_error" || error.errorCode === "endpoints_resolution_error";
    return new TokenRequestError({
      status: network ? 0 : status,
      code: aadsts ?? error.errorCode,
      oauthError: error.errorCode,
      message: network ? "The login authority could not be reached." : `The login authority refused the app's credentials (${aadsts ?? error.errorCode}).`,
    });
  }
  return new TokenRequestError({ status: 0, code: "TokenRequestFailed", oauthError: "unknown", message: "The app token could not be obtained." });
}
