/**
 * Runs once before the test workers start. Makes the development CA trusted by every worker:
 * NODE_EXTRA_CA_CERTS is read by Node at process start, and the workers are forked after this.
 */
import { buildConsole, consoleBuildStale } from "../../console/build.js";
import { browserSkipReason, systemChromium } from "../support/browser.js";
import { ensureDevCertificates } from "../tools/dev-certificates.js";

export default async function setup(): Promise<void> {
  const certs = ensureDevCertificates();
  process.env.NODE_EXTRA_CA_CERTS = certs.caPath;
  // Built once here, so the local hosts the tests start in parallel never build it at the same time.
  if (consoleBuildStale()) await buildConsole(() => undefined);
  // Said at the start and in the closing line (summary-reporter.ts), never silently.
  if (!systemChromium()) process.stdout.write(`\nbrowser tests (test/e2e/console.test.ts) will be SKIPPED: ${browserSkipReason}\n\n`);
}
