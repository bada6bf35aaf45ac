/**
 * Development certificates: a private CA, an HTTPS server certificate for the Exchange Online
 * simulator (localhost, 127.0.0.1, ::1), and app certificates for the certificate credential.
 *
 * MSAL insists on an https authority and the Graph client only attaches tokens to https hosts, so
 * the simulator must serve real TLS that the calling process trusts. Trust is given the standard
 * Node way: NODE_EXTRA_CA_CERTS pointing at the CA file, set before the calling process starts.
 */
import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import forge from "node-forge";

export interface DevCertificates {
  caPath: string;
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

export interface AppCertificate {
  certificatePem: string;
  privateKeyPem: string;
  /** SHA-1 thumbprint, hex upper case, as the Entra portal shows it. */
  thumbprintSha1: string;
  /** SHA-256 thumbprint, hex upper case. */
  thumbprintSha256: string;
}

export const defaultCertificateDir = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  "../.cache/certs",
);

function newRsaKeyPair(): forge.pki.rsa.KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKey: forge.pki.privateKeyFromPem(
      privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    ) as forge.pki.rsa.PrivateKey,
    publicKey: forge.pki.publicKeyFromPem(
      publicKey.export({ type: "spki", format: "pem" }).toString(),
    ) as forge.pki.rsa.PublicKey,
  };
}

function serialNumber(): string {
  // Positive, non-zero serial: clear the top bit.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString("hex");
}

function createCertificate(options: {
  subject: string;
  keys: forge.pki.rsa.KeyPair;
  issuer?: { subject: string; privateKey: forge.pki.rsa.PrivateKey };
  days: number;
  isCa: boolean;
  altNames?: Array<{ type: 2; value: string } | { type: 7; ip: string }>;
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = options.keys.publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + options.days * 24 * 60 * 60 * 1000);
  cert.setSubject([{ name: "commonName", value: options.subject }]);
  cert.setIssuer([{ name: "commonName", value: options.issuer?.subject ?? options.subject }]);
  const extensions: object[] = [
    { name: "basicConstraints", cA: options.isCa, critical: true },
    options.isCa
      ? { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      : { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ];
  if (!options.isCa) extensions.push({ name: "extKeyUsage", serverAuth: true, clientAuth: true });
  if (options.altNames) extensions.push({ name: "subjectAltName", altNames: options.altNames });
  cert.setExtensions(extensions);
  cert.sign(options.issuer?.privateKey ?? options.keys.privateKey, forge.md.sha256.create());
  return cert;
}

function stillValid(certPem: string, minimumDays: number): boolean {
  try {
    const cert = new X509Certificate(certPem);
    return new Date(cert.validTo).getTime() > Date.now() + minimumDays * 24 * 60 * 60 * 1000;
  } catch {
    return false;
  }
}

/**
 * Returns the CA and server certificate under `dir`, generating them when missing or expiring.
 * Reusing them keeps NODE_EXTRA_CA_CERTS stable across runs of the local host and the tests.
 */
export function ensureDevCertificates(dir: string = defaultCertificateDir): DevCertificates {
  const caPath = path.join(dir, "ca.pem");
  const certPath = path.join(dir, "server.pem");
  const keyPath = path.join(dir, "server-key.pem");
  if (existsSync(caPath) && existsSync(certPath) && existsSync(keyPath)) {
    const caPem = readFileSync(caPath, "utf8");
    const serverCertPem = readFileSync(certPath, "utf8");
    if (stillValid(caPem, 7) && stillValid(serverCertPem, 7)) {
      return { caPath, caPem, serverCertPem, serverKeyPem: readFileSync(keyPath, "utf8") };
    }
  }
  mkdirSync(dir, { recursive: true });
  const caKeys = newRsaKeyPair();
  const caSubject = "Exchange Online simulator development CA";
  const ca = createCertificate({ subject: caSubject, keys: caKeys, days: 825, isCa: true });
  const serverKeys = newRsaKeyPair();
  const server = createCertificate({
    subject: "localhost",
    keys: serverKeys,
    issuer: { subject: caSubject, privateKey: caKeys.privateKey },
    days: 365,
    isCa: false,
    altNames: [
      { type: 2, value: "localhost" },
      { type: 7, ip: "127.0.0.1" },
      { type: 7, ip: "::1" },
    ],
  });
  const caPem = forge.pki.certificateToPem(ca);
  const serverCertPem = forge.pki.certificateToPem(server);
  const serverKeyPem = forge.pki.privateKeyToPem(serverKeys.privateKey);
  // Write the key and certificate before the CA so a half-written set is regenerated next time.
  writeFileSync(keyPath, serverKeyPem, { mode: 0o600 });
  writeFileSync(certPath, serverCertPem);
  writeFileSync(caPath, caPem);
  return { caPath, caPem, serverCertPem, serverKeyPem };
}

/** A self-signed certificate an Entra app registration would hold for the certificate credential. */
export function generateAppCertificate(commonName = "crm-sync-app"): AppCertificate {
  const keys = newRsaKeyPair();
  const cert = createCertificate({ subject: commonName, keys, days: 365, isCa: false });
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), "binary");
  return {
    certificatePem: forge.pki.certificateToPem(cert),
    privateKeyPem: forge.pki.privateKeyToPem(keys.privateKey),
    thumbprintSha1: createHash("sha1").update(der).digest("hex").toUpperCase(),
    thumbprintSha256: createHash("sha256").update(der).digest("hex").toUpperCase(),
  };
}
