/**
 * The worker process killed (SIGKILL) in the middle of a cycle while mail keeps arriving: `npm
 * start`'s local host with --port and a data folder on disk (Azurite's data persists), pointed at
 * a simulator in another process (which survives the kill) as a real tenant, restarted on the
 * same port and data after each kill. The invariant is read back through the HTTP API.
 *
 * The local host's in-process bus loses the queued next runs with the process; on start it makes
 * every scheduled workload due again (without that a mailbox came round only when its queue lease
 * expired, CYCLE_MAX_SECONDS + 5 minutes). Every restart is left to recover on its own.
 * Short (npm test): one kill. FAULTS_FULL=1: FAULTS_KILLS kills (default 3).
 */
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { startBackend, type Backend } from "../bench/support/backend.js";
import { mailboxIdFor, startLocalHostChild, type LocalHostChild } from "../bench/support/local-host-child.js";
import { checkInvariant, httpReader } from "./support/invariant.js";
import { MailLedger, type FaultMailbox } from "./support/ledger.js";
import { full, recordRow } from "./support/results.js";

const kills = full ? Number(process.env.FAULTS_KILLS ?? 3) : 1;
const cycleMaxSeconds = 10;
/** A guard, not an assertion: the longest a mailbox could wait by itself (its queue lease, queueLeaseMs). */
const selfRecoveryBoundMs = (cycleMaxSeconds + 5 * 60) * 1000 + 60_000;

let backend: Backend | undefined;
let host: LocalHostChild | undefined;
let dataDir: string | undefined;
afterAll(async () => {
  await host?.kill();
  await backend?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/**
 * A free port below the kernel's ephemeral range (32768+ on Linux), kept across restarts: while the
 * killed host's port is free, a port-0 listener (Azurite, a simulator) cannot be handed it.
 */
async function stablePort(): Promise<number> {
  for (;;) {
    const candidate = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(candidate, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return candidate;
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}${host ? `\nlocal host output (tail):\n${host.output().slice(-2500)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

it(`the local host SIGKILLed mid-cycle ${kills === 1 ? "once" : `${kills} times`}, restarted on its data while mail keeps arriving`, async () => {
  backend = await startBackend({ azurite: "none" });
  const added = await backend.addMailboxes("kill", 4);
  const mailboxes: FaultMailbox[] = added.map((m) => ({ id: mailboxIdFor(m.address), address: m.address }));
  dataDir = mkdtempSync(path.join(os.tmpdir(), "faults-localhost-"));
  const port = await stablePort();
  const start = () =>
    startLocalHostChild({
      tenant: backend!,
      mailboxes: mailboxes.map((m) => m.address),
      port,
      dataDir,
      schedulerIntervalSeconds: 1,
      env: { CYCLE_MAX_SECONDS: String(cycleMaxSeconds), GRAPH_PAGE_SIZE: "5" },
    });
  const enableAll = async () => {
    for (const m of mailboxes) {
      const tested = await host!.api("POST", `mailboxes/${m.id}/test-and-enable`, {});
      expect(tested.body?.workloads?.incoming?.status).toBe("Success");
    }
  };
  host = await start();
  // Every message is tracked: the ledger expects each delivered message as an activity.
  expect((await host.api("PUT", "settings", { defaultTrackOption: "all", autoTrackSentFolderItems: true })).status).toBe(200);
  expect((await host.api("PUT", "profiles/faults", { name: "Fault scenarios", polling: { incoming: { minSeconds: 5, defaultSeconds: 5, maxSeconds: 5 } } })).status).toBeLessThan(300);
  for (const m of mailboxes) expect((await host.api("PUT", `mailboxes/${m.id}`, { emailAddress: m.address, profileId: "faults" })).status).toBe(200);
  await enableAll();

  // Mail keeps arriving through the kills; Graph answers in 100–250 ms, so cycles are long enough to be caught mid-way.
  const ledger = new MailLedger((input) => backend!.sim.deliverMessage(input));
  await backend.sim.setLatency({ minMs: 100, maxMs: 250 });
  let mailing = true;
  const mailFlow = (async () => {
    while (mailing) {
      await ledger.some(mailboxes, 1);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  })();
  const reader = () => httpReader(host!.apiUrl, host!.authorization);
  const ids = mailboxes.map((m) => m.id);
  const syncedSomething = async () => ((await Promise.all(ids.map((id) => reader().listed(id)))).flat().length > 0 ? true : undefined);
  await until("a first synced email", syncedSomething, 60_000, 1_000);
  // Azurite saves its data every 5 s: let the setup reach the disk before the first kill.
  await new Promise((resolve) => setTimeout(resolve, 6_000));

  let restartedAt = 0;
  for (let k = 0; k < kills; k++) {
    // Mid-cycle: a Graph request of the app is in flight at the simulator.
    await until(
      "a cycle in flight",
      async () => ((await backend!.sim.stats()).inFlightByApp[backend!.clientId] ?? 0) > 0 || undefined,
      k === 0 ? 60_000 : selfRecoveryBoundMs,
      25,
    );
    await host.kill();
    host = await start();
    restartedAt = Date.now();
  }
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  mailing = false;
  await mailFlow;
  // Cheap probe first (one listing per mailbox); the full check only once every row is there.
  const expectedRows = ids.map((id) => ledger.expected.filter((e) => e.mailboxIds.includes(id)).length);
  const report = await until(
    "every delivered message stored exactly once",
    async () => {
      const rows = await Promise.all(ids.map((id) => reader().listed(id)));
      if (rows.some((r, i) => r.length < expectedRows[i]!)) return undefined;
      return checkInvariant(reader(), ledger.expected, ids);
    },
    selfRecoveryBoundMs,
    1_000,
  );
  const recoverySeconds = Math.round((Date.now() - restartedAt) / 100) / 10;
  recordRow({
    scenario: "worker process SIGKILL mid-cycle",
    report,
    recoveryCycles: kills,
    recoverySeconds,
    notes: `${kills} kill${kills === 1 ? "" : "s"} mid-cycle while mail kept arriving, each restart left to recover by itself; seconds = last restart → invariant`,
  });
  expect(report.ok ? [] : report).toEqual([]);
}, kills * (selfRecoveryBoundMs + 120_000));
