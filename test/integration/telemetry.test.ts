/**
 * Telemetry on a real cycle: the cycle log record carries ids, counts and codes as attributes,
 * metrics and spans are produced — and nothing exported holds a subject, body, address or secret.
 */
import { metrics, trace } from "@opentelemetry/api";
import { logs } from "@opentelemetry/api-logs";
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import azureFunctions from "@azure/functions";
import { setRuntime } from "../../shared/runtime.js";
import { incomingEmail } from "../../functions/incomingEmail.js";
import { startSyncHarness, type SyncHarness } from "../support/sync-harness.js";

const spans = new InMemorySpanExporter();
const logRecords = new InMemoryLogRecordExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const metricReader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
let h: SyncHarness;

beforeAll(async () => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
  logs.setGlobalLoggerProvider(new LoggerProvider({ processors: [new SimpleLogRecordProcessor(logRecords)] }));
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [metricReader] }));
  h = await startSyncHarness();
  setRuntime(h.runtime);
});
afterAll(async () => {
  await h?.stop();
});

describe("telemetry", () => {
  it("a real cycle is logged, counted and traced with ids and counts only — no subject, body, address or secret", async () => {
    const mb = await h.addMailbox("telemetry");
    const secrets = ["Confidential merger plan", "The body says 42 million", "chris.secret@fabrikam.example", mb.address, h.clientSecret];
    h.sim.deliverMessage({ mailbox: mb.address, subject: secrets[0]!, body: { contentType: "text", content: secrets[1]! }, from: { address: secrets[2]! }, to: [{ address: mb.address }] });
    const slot = (await h.mailbox(mb.id)).workloads.incoming.nextSlot;
    const context = new azureFunctions.InvocationContext({ functionName: "incomingEmail", logHandler: () => undefined });
    await incomingEmail({ mailboxId: mb.id, workload: "incoming", slot, reason: "scheduled" }, context);
    await metricReader.forceFlush();

    const [record] = logRecords.getFinishedLogRecords().filter((r) => String(r.body).startsWith("cycle incoming"));
    // Two deltas (Inbox, Sent Items), and — a mailbox's first cycle — reading and setting the ownership stamp.
    expect(record!.attributes).toMatchObject({ mailboxId: mb.id, workload: "incoming", outcome: "completed", items: 1, graphRequests: 4 });
    const names = metricExporter.getMetrics().flatMap((m) => m.scopeMetrics.flatMap((s) => s.metrics.map((x) => x.descriptor.name)));
    expect(names).toEqual(expect.arrayContaining(["sync.cycles", "sync.items", "sync.cycle.duration", "sync.latency"]));
    expect(spans.getFinishedSpans().map((s) => s.name)).toContain("cycle incoming");

    const exported = JSON.stringify({
      logs: logRecords.getFinishedLogRecords().map((r) => ({ body: r.body, attributes: r.attributes })),
      spans: spans.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })),
      metrics: metricExporter.getMetrics(),
    });
    for (const secret of secrets) expect(exported).not.toContain(secret);
  });
});
