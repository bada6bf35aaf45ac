/**
 * Validates the API's bearer tokens: Entra ID v2 access tokens of the API's tenant, for this API.
 *
 * jose checks the signature against the tenant's published keys (fetched, cached, and fetched again
 * when a token names a key id the cache does not hold), the issuer, the audience, `exp` and `nbf`,
 * and the algorithm (RS256 only: `alg: none` and HMAC tokens are refused before any key is looked
 * at). What is left here is what jose cannot know: the version and tenant claims, and the mapping
 * of claims to a caller.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { ApiAuthSettings } from "../config/settings.js";
import { allAppRoles } from "./app-roles.js";
import { callerFromClaims, localOperator, type Caller } from "./caller.js";

/** Why a token was refused; `message` is for the caller (RFC 6750 error_description), never the token. */
export class AuthenticationFailure extends Error {
  constructor(
    /**
     * missing: no credentials at all (RFC 6750: no error code); invalid: a token that does not
     * validate; unavailable: the tenant's keys could not be fetched (a 503, not the caller's fault).
     */
    readonly kind: "missing" | "invalid" | "unavailable",
    /** A short code for logs and the response (never the token or its claims). */
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "AuthenticationFailure";
  }
}

export interface Authentication {
  /** Whether tokens are checked at all (false only for `npm start -- --no-auth`). */
  readonly required: boolean;
  /** The `realm` and audience named in WWW-Authenticate. */
  readonly audience: string;
  authenticate(authorization: string | null): Promise<Caller>;
}

/** The v2 endpoints of a tenant at an authority host (login.microsoftonline.com, or the simulator). */
export function tenantEndpoints(authorityHost: string, tenantId: string) {
  const authority = `${authorityHost}/${tenantId}`;
  return { issuer: `${authority}/v2.0`, jwksUri: `${authority}/discovery/v2.0/keys`, metadata: `${authority}/v2.0/.well-known/openid-configuration` };
}

/** Entra's tokens are valid from a few minutes before issue; allow the usual 5 minutes of clock skew. */
const clockToleranceSeconds = 300;

export function tokenAuthentication(settings: ApiAuthSettings, options: { keys?: JWTVerifyGetKey; keyRefetchCooldownMs?: number } = {}): Authentication {
  const { issuer, jwksUri } = tenantEndpoints(settings.authorityHost, settings.tenantId);
  // One key set per process: keys cached for 10 minutes, an unknown `kid` refetches (at most every 30 s).
  const keys = options.keys ?? createRemoteJWKSet(new URL(jwksUri), { cacheMaxAge: 10 * 60_000, cooldownDuration: options.keyRefetchCooldownMs ?? 30_000, timeoutDuration: 10_000 });
  return {
    required: true,
    audience: settings.audience,
    async authenticate(authorization) {
      const match = /^Bearer +([A-Za-z0-9_.~+/-]+=*) *$/i.exec(authorization ?? "");
      if (!authorization) throw new AuthenticationFailure("missing", "NoToken", "This API needs an Entra ID access token: Authorization: Bearer <token>.");
      if (!match) throw new AuthenticationFailure("invalid", "NotBearer", "The Authorization header must be 'Bearer <token>'.");
      let claims: Record<string, unknown>;
      try {
        ({ payload: claims } = await jwtVerify(match[1]!, keys, { issuer, audience: settings.audience, algorithms: ["RS256"], clockTolerance: clockToleranceSeconds, requiredClaims: ["exp", "nbf", "tid"] }));
      } catch (error) {
        throw failureOf(error);
      }
      if (claims.ver !== "2.0") throw new AuthenticationFailure("invalid", "NotV2", "The token is not an Entra ID v2.0 access token: set the API's accessTokenAcceptedVersion to 2.");
      if (String(claims.tid).toLowerCase() !== settings.tenantId.toLowerCase()) throw new AuthenticationFailure("invalid", "WrongTenant", "The token was issued for another tenant.");
      return callerFromClaims(claims);
    },
  };
}

/** jose's error → a failure that says what to fix, without echoing the token. */
function failureOf(error: unknown): AuthenticationFailure {
  const invalid = (reason: string, message: string) => new AuthenticationFailure("invalid", reason, message);
  if (error instanceof errors.JWTExpired) return invalid("Expired", "The token has expired: get a new one.");
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return invalid("NotYetValid", "The token is not valid yet (nbf).");
    if (error.claim === "aud") return invalid("WrongAudience", "The token is for another API (aud).");
    if (error.claim === "iss") return invalid("WrongIssuer", "The token was not issued by this API's tenant (iss).");
    return invalid("ClaimInvalid", `The token's '${error.claim}' claim is missing or invalid.`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid("AlgorithmNotAllowed", "The token's signing algorithm is not allowed: RS256 only.");
  if (error instanceof errors.JWKSNoMatchingKey) return invalid("UnknownKey", "The token is signed with a key the tenant does not publish.");
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid("BadSignature", "The token's signature does not verify.");
  // A network failure (fetch's TypeError), a timeout, or a key set endpoint answering other than 200.
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error instanceof TypeError || (error instanceof errors.JOSEError && error.code === "ERR_JOSE_GENERIC" && /JSON Web Key Set/.test(error.message))) {
    return new AuthenticationFailure("unavailable", "KeysUnavailable", "The tenant's signing keys could not be fetched; try again shortly.");
  }
  return invalid("Malformed", "The token is not a well-formed signed JWT.");
}

/** `npm start -- --no-auth`: every request is the local operator, with every role. */
export function noAuthentication(): Authentication {
  return { required: false, audience: "", authenticate: async () => localOperator(allAppRoles) };
}
