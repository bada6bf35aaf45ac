/**
 * Runs the simulator on its own, e.g. for manual exploration or a product process started by hand:
 *   npx tsx test/tools/exchange-simulator/cli.ts --port 8443 --demo --mailboxes 20 --mail-every-ms 10000
 * Prints the URL, the CA file clients must trust (NODE_EXTRA_CA_CERTS) and, with --demo, the
 * demo tenant's credentials as JSON. Ctrl+C stops it.
 */
import { parseArgs } from "node:util";
import { ensureDevCertificates } from "../dev-certificates.js";
import { seedDemoTenant, startMailFlow } from "./demo.js";
import { startExchangeSimulator } from "./index.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    demo: { type: "boolean", default: false },
    mailboxes: { type: "string", default: "20" },
    "mail-every-ms": { type: "string", default: "0" },
  },
});

const certificates = ensureDevCertificates();
const sim = await startExchangeSimulator({ port: Number(values.port), host: values.host, certificates });
const report: Record<string, unknown> = { url: sim.url, caPath: certificates.caPath };
if (values.demo) {
  const demo = await seedDemoTenant(sim, { mailboxCount: Number(values.mailboxes) });
  report.demo = demo;
  const everyMs = Number(values["mail-every-ms"]);
  if (everyMs > 0) startMailFlow(sim, demo.mailboxes, { everyMs });
}
console.log(JSON.stringify(report, null, 2));

process.on("SIGINT", () => {
  void sim.close().then(() => process.exit(0));
});
