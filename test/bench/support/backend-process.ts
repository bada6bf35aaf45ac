/**
 * The backend of a benchmark or fault run, in its own process: Azurite (in memory or persisted)
 * and the Exchange Online simulator with one tenant and one app. Keeping them out of the worker
 * process means the worker's process.cpuUsage() is the engine's own CPU, not the emulators'.
 *
 * Started by backend.ts (fork with IPC). Answers { id, result } / { id, error } to:
 *   { op: "control", method, args }   any simulator control method, in process (no HTTPS hop)
 *   { op: "addMailboxes", prefix, count, domain }   many mailboxes at once → [{ id, address }]
 *   { op: "deliverBatch", messages }  many deliverMessage calls → [{ id, internetMessageId }]
 *   { op: "usage" }                   this process's cpuUsage() and memoryUsage()
 *   { op: "stopAzurite" } / { op: "startAzurite" }   stop / restart Azurite on the same ports
 */
import { startAzurite, type Azurite } from "../../tools/azurite.js";
import { ensureDevCertificates } from "../../tools/dev-certificates.js";
import { startExchangeSimulator, type DeliverMessageInput } from "../../tools/exchange-simulator/index.js";

export interface BackendOptions {
  /** "memory", a folder for persisted data, or "none" (simulator only). */
  azurite: "memory" | "none" | { location: string };
  simulatorPort?: number;
  tablePort?: number;
  blobPort?: number;
  roles?: string[];
}

export interface BackendReady {
  connectionString?: string;
  tablePort?: number;
  blobPort?: number;
  simulatorUrl: string;
  caPath: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

type Request = { id: number; op: string; [key: string]: unknown };

const options = JSON.parse(process.env.BENCH_BACKEND_OPTIONS ?? "{}") as BackendOptions;
const certificates = ensureDevCertificates();
const sim = await startExchangeSimulator({ port: options.simulatorPort ?? 0, certificates });
const tenantId = sim.addTenant();
const clientSecret = "bench-secret-value-0123456789";
const roles = options.roles ?? ["Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite", "Contacts.ReadWrite", "Tasks.ReadWrite.All", "User.Read.All"];
const { clientId } = sim.addApp(tenantId, { clientSecret, roles });

let azurite: Azurite | undefined;
let ports: { tablePort?: number; blobPort?: number } = { tablePort: options.tablePort, blobPort: options.blobPort };
async function startStorage(): Promise<void> {
  if (options.azurite === "none") return;
  const persisted = typeof options.azurite === "object" ? options.azurite.location : undefined;
  azurite = await startAzurite({ location: persisted, inMemory: !persisted, tablePort: ports.tablePort, blobPort: ports.blobPort });
  ports = { tablePort: Number(new URL(azurite.tableEndpoint).port), blobPort: Number(new URL(azurite.blobEndpoint).port) };
}
await startStorage();

const ready: BackendReady = {
  connectionString: azurite?.connectionString,
  ...ports,
  simulatorUrl: sim.url,
  caPath: certificates.caPath,
  tenantId,
  clientId,
  clientSecret,
};

async function handle(request: Request): Promise<unknown> {
  switch (request.op) {
    case "control": {
      const method = (sim as unknown as Record<string, (...args: unknown[]) => unknown>)[String(request.method)];
      if (typeof method !== "function") throw new Error(`no control method ${String(request.method)}`);
      return method(...((request.args as unknown[]) ?? []));
    }
    case "addMailboxes": {
      const count = Number(request.count);
      const domain = String(request.domain ?? "contoso.example");
      const added = [];
      for (let i = 0; i < count; i++) added.push(sim.addMailbox({ tenantId, address: `${String(request.prefix)}${i}@${domain}`, displayName: `${String(request.prefix)} ${i}` }));
      return added;
    }
    case "deliverBatch":
      return (request.messages as DeliverMessageInput[]).map((m) => sim.deliverMessage(m));
    case "usage":
      return { cpu: process.cpuUsage(), memory: process.memoryUsage() };
    case "stopAzurite":
      await azurite?.stop();
      azurite = undefined;
      return null;
    case "startAzurite":
      await startStorage();
      return azurite?.connectionString ?? null;
    default:
      throw new Error(`unknown op ${request.op}`);
  }
}

process.on("message", (message: Request) => {
  void handle(message).then(
    (result) => process.send!({ id: message.id, result: result ?? null }),
    (error: unknown) => process.send!({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on("disconnect", () => {
  void Promise.allSettled([sim.close(), azurite?.stop()]).then(() => process.exit(0));
});
process.send!({ ready });
