/**
 * Runs once before the test workers start. Makes the development CA trusted by every worker:
 * NODE_EXTRA_CA_CERTS is read by Node at process start, and the workers are forked after this.
 */
import { ensureDevCertificates } from "../tools/dev-certificates.js";

export default function setup(): void {
  const certs = ensureDevCertificates();
  process.env.NODE_EXTRA_CA_CERTS = certs.caPath;
}
