/**
 * Access tokens for the product's own API, as Entra ID issues them: RS256 JWTs (v2.0) signed with
 * this issuer's keys, published at `/{tenant}/discovery/v2.0/keys` (the same keys for every
 * tenant, as Entra's). Unlike the Graph tokens of identity.ts, these are meant to be validated by
 * their receiver, so they are real signed JWTs.
 *
 * A user token is what a sign-in of that user would give (delegated: `scp`, `name`, `wids` when the
 * user holds directory roles); an app token what the client-credentials flow would give (`idtyp:
 * app`, no `scp`). Roles are the app roles assigned to the user or app, as the caller says.
 *
 * Tokens are stamped with the real clock, not the simulated one: the product checks `exp`/`nbf`
 * against its own clock.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from "node:crypto";

export interface ApiTokenInput {
  tenantId: string;
  /** The API's application (client) id: the token's `aud`. */
  audience: string;
  roles?: string[];
  /** A signed-in user (delegated token); directoryRoles are role template ids (`wids`). */
  user?: { objectId?: string; name: string; directoryRoles?: string[] };
  /** An application (app-only token): the client id of the calling app. */
  app?: { clientId: string; objectId?: string };
  lifetimeSeconds?: number;
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

export function newSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomBytes(16).toString("base64url");
  return { kid, privateKey, publicJwk: { ...createPublicKey(privateKey).export({ format: "jwk" }), kid, use: "sig", alg: "RS256" } };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A compact JWS of the payload, RS256 with the key (or any header the caller dictates). */
export function signJwt(payload: Record<string, unknown>, key: SigningKey, header: Record<string, unknown> = { typ: "JWT", alg: "RS256", kid: key.kid }): string {
  const input = `${base64url(header)}.${base64url(payload)}`;
  return `${input}.${sign("RSA-SHA256", Buffer.from(input), key.privateKey).toString("base64url")}`;
}

/** The claims Entra puts in a v2 access token for the API. */
export function apiAccessTokenClaims(input: ApiTokenInput, issuerBase: string, nowMs = Date.now()): Record<string, unknown> {
  if (Boolean(input.user) === Boolean(input.app)) throw new Error("issueApiToken needs either user or app");
  const now = Math.floor(nowMs / 1000);
  const tenantId = input.tenantId.toLowerCase();
  const common = {
    aud: input.audience,
    iss: `${issuerBase}/${tenantId}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + (input.lifetimeSeconds ?? 3600),
    ver: "2.0",
    tid: tenantId,
    uti: randomBytes(16).toString("base64url"),
    ...(input.roles?.length ? { roles: input.roles } : {}),
  };
  if (input.app) {
    const objectId = input.app.objectId ?? randomUUID();
    return { ...common, azp: input.app.clientId, azpacr: "1", idtyp: "app", oid: objectId, sub: objectId };
  }
  const user = input.user!;
  const objectId = user.objectId ?? randomUUID();
  return {
    ...common,
    azp: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", // the Azure CLI, the usual client of a developer's token
    azpacr: "0",
    idtyp: "user",
    name: user.name,
    oid: objectId,
    sub: randomBytes(16).toString("base64url"),
    scp: "access_as_user",
    ...(user.directoryRoles?.length ? { wids: user.directoryRoles } : {}),
  };
}

/** The issuer's keys: the current one signs; after a rotation the previous stays published a while. */
export class ApiTokenIssuer {
  private keys: SigningKey[] = [newSigningKey()];

  /** `issuerBase` is the authority host (the simulator's URL): the issuer is `{base}/{tenant}/v2.0`. */
  constructor(private readonly issuerBase: () => string) {}

  jwks(): { keys: Array<Record<string, unknown>> } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  issue(input: ApiTokenInput): string {
    return signJwt(apiAccessTokenClaims(input, this.issuerBase()), this.keys.at(-1)!);
  }

  /** A new signing key, published beside the previous one (Entra rolls keys over the same way). */
  rotate(): void {
    this.keys = [...this.keys.slice(-1), newSigningKey()];
  }

  currentKey(): SigningKey {
    return this.keys.at(-1)!;
  }
}
