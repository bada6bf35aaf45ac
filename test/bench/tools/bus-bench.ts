/**
 * Micro benchmark of the in-process bus at fleet scale: a queue holding many scheduled messages
 * (a fleet's next runs) and some available ones, all delivered to a no-op handler at the worker's
 * concurrency. Prints messages/s and the process's CPU time, so the bus's own cost per message can
 * be compared before and after a change (CPU time, not wall time: the machine is shared).
 *   npx tsx test/bench/tools/bus-bench.ts [--scheduled 100000] [--available 10000] [--concurrency 64] [--spreadMs 3000] [--cycle]
 * Scheduled messages fall due over --spreadMs in random order (next runs of three queues and
 * nudges arrive interleaved), one session per message (a mailbox each). With --cycle the handler
 * does what a cycle does, sending its mailbox's next run an hour ahead, so the bus keeps its size.
 */
import { parseArgs } from "node:util";
import { InProcessServiceBus } from "../../../shared/queues/in-process-bus.js";
import type { OutgoingQueueMessage } from "../../../shared/queues/work-queue.js";

const { values } = parseArgs({
  options: {
    scheduled: { type: "string", default: "100000" },
    available: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "64" },
    spreadMs: { type: "string", default: "3000" },
    cycle: { type: "boolean", default: false },
  },
});
const scheduled = Number(values.scheduled);
const available = Number(values.available);
const concurrency = Number(values.concurrency);
const spreadMs = Number(values.spreadMs);
const total = scheduled + available;
const cycle = values.cycle;

const bus = new InProcessServiceBus();
const queue = "incoming-email";
const message = (i: number, at?: Date): OutgoingQueueMessage => ({
  messageId: `m-${i}`,
  sessionId: `mailbox-${i}`,
  body: { mailboxId: `mailbox-${i}`, workload: "incoming", slot: i, reason: "scheduled" },
  scheduledEnqueueTime: at,
});

const cpuStart = process.cpuUsage();
const wallStart = performance.now();
const start = Date.now() + 200;
// Sent in chunks as the scheduler and the cycles would, not as one call.
// A fixed pseudo-random order (the same in every run) so before/after compare the same work.
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
for (let i = 0; i < scheduled; i += 100) {
  const chunk: OutgoingQueueMessage[] = [];
  for (let j = i; j < Math.min(i + 100, scheduled); j++) chunk.push(message(j, new Date(start + Math.floor(random() * spreadMs))));
  await bus.send(queue, chunk);
}
const cpuSent = process.cpuUsage(cpuStart);

// The bus's wake timer is unref'd (it must not hold a host open); this keeps the script alive.
const keepAlive = setInterval(() => undefined, 1000);
let delivered = 0;
let done!: () => void;
const allDelivered = new Promise<void>((resolve) => (done = resolve));
bus.subscribe(
  queue,
  async (body) => {
    await Promise.resolve();
    if (cycle) {
      const slot = (body as { slot: number }).slot;
      await bus.send(queue, [{ ...message(slot, new Date(Date.now() + 3_600_000)), messageId: `m-${slot}-next` }]);
    }
    if (++delivered === total) done();
  },
  { maxConcurrentCalls: concurrency },
);
for (let i = scheduled; i < total; i += 100) {
  const chunk: OutgoingQueueMessage[] = [];
  for (let j = i; j < Math.min(i + 100, total); j++) chunk.push(message(j));
  await bus.send(queue, chunk);
}
await allDelivered;
await bus.whenIdle();
const wallMs = performance.now() - wallStart;
const cpu = process.cpuUsage(cpuStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
await bus.close();
clearInterval(keepAlive);

const round = (n: number) => Math.round(n);
console.log(`in-process bus: ${scheduled} scheduled (due over ${spreadMs} ms) + ${available} available, ${concurrency} concurrent, no-op handler`);
console.log(`  delivered ${delivered} in ${round(wallMs)} ms wall (floor: the ${spreadMs} ms spread) → ${round(delivered / (wallMs / 1000))} messages/s`);
console.log(`  CPU ${round(cpuMs)} ms (sending the scheduled ones ${round((cpuSent.user + cpuSent.system) / 1000)} ms) → ${(cpuMs * 1000 / delivered).toFixed(1)} µs CPU per message`);
if ("operations" in bus && typeof bus.operations === "function") console.log(`  operations ${JSON.stringify(bus.operations(queue))}`);
