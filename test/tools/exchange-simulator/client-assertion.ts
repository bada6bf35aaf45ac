/**
 * Verifies a certificate credential (RFC 7523 client assertion) the way Entra ID does: the JWT
 * header names the registered certificate by thumbprint (x5t = SHA-1, x5t#S256 = SHA-256, both
 * base64url), the signature is RS256 or PS256 by that certificate's key, aud is the token endpoint,
 * iss = sub = client id, and the time window holds. Uses node:crypto only.
 */
import { constants, createHash, verify, X509Certificate } from "node:crypto";
import { AadError } from "./graph-error.js";

export interface RegisteredCertificate {
  certificate: X509Certificate;
  x5t: string;
  x5tS256: string;
}

export function registerCertificate(certificatePem: string): RegisteredCertificate {
  const certificate = new X509Certificate(certificatePem);
  return {
    certificate,
    x5t: createHash("sha1").update(certificate.raw).digest("base64url"),
    x5tS256: createHash("sha256").update(certificate.raw).digest("base64url"),
  };
}

/** Clock skew Entra tolerates on exp/nbf. */
const skewSeconds = 300;

export function verifyClientAssertion(
  assertion: string,
  expected: { clientId: string; audiences: string[]; certificates: RegisteredCertificate[]; nowSeconds: number },
): void {
  const invalid = (description: string) => new AadError(401, "invalid_client", 700027, description);
  const parts = assertion.split(".");
  if (parts.length !== 3) throw invalid("Client assertion failed signature validation. The assertion is not a JWT.");
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8"));
    payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8"));
  } catch {
    throw invalid("Client assertion failed signature validation. The assertion is not a JWT.");
  }
  const x5t = typeof header.x5t === "string" ? header.x5t : undefined;
  const x5tS256 = typeof header["x5t#S256"] === "string" ? header["x5t#S256"] : undefined;
  const registered = expected.certificates.find(
    (c) => (x5t !== undefined && c.x5t === x5t) || (x5tS256 !== undefined && c.x5tS256 === x5tS256),
  );
  if (!registered) {
    throw invalid(
      "The certificate with identifier used to sign the client assertion is not registered on application. " +
        `[Reason - The key was not found., Thumbprint of key used by client: '${x5tS256 ?? x5t ?? "none"}']`,
    );
  }
  const signingInput = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2]!, "base64url");
  const publicKey = registered.certificate.publicKey;
  let valid = false;
  if (header.alg === "RS256") {
    valid = verify("sha256", signingInput, publicKey, signature);
  } else if (header.alg === "PS256") {
    valid = verify(
      "sha256",
      signingInput,
      { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
      signature,
    );
  }
  if (!valid) throw invalid("Client assertion failed signature validation.");

  const audiences = (Array.isArray(payload.aud) ? payload.aud : [payload.aud]).map((a) => String(a).toLowerCase());
  if (!audiences.some((a) => expected.audiences.includes(a))) {
    throw invalid(`Client assertion audience claim does not match Realm issuer. Expected one of ${expected.audiences.join(", ")}.`);
  }
  if (payload.iss !== expected.clientId || payload.sub !== expected.clientId) {
    throw invalid("Client assertion contains an invalid issuer or subject; both must be the client id.");
  }
  const exp = Number(payload.exp);
  const nbf = payload.nbf === undefined ? undefined : Number(payload.nbf);
  if (!Number.isFinite(exp) || exp + skewSeconds < expected.nowSeconds || (nbf !== undefined && nbf - skewSeconds > expected.nowSeconds)) {
    throw new AadError(401, "invalid_client", 700024, "Client assertion is not within its valid time range.");
  }
}
