/**
 * host.json and the registered functions agree with the queues the templates create: every queue
 * trigger reads a templated queue over the identity-based ServiceBusConnection, with sessions (dead-
 * letter queues, which have no sessions, excepted); the host renews a message's lock for longer than
 * a cycle can run, and the queues' own lock is within what Service Bus allows.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { serviceBusConnectionSetting } from "../../shared/config/names.js";
import { loadSettings } from "../../shared/config/settings.js";
import { isoDurationMs, isPlainObject, loadBicep, mainBicepPath, repoRoot, timeSpanMs, type BicepFile } from "./bicep.js";

interface Registration {
  kind: string;
  name: string;
  options: Record<string, unknown>;
}

const registrations = vi.hoisted(() => [] as Registration[]);

// Capture what each function file registers with the Functions host, whatever the trigger kind.
vi.mock("@azure/functions", async (importOriginal) => {
  const actual = await importOriginal<Record<string, unknown>>();
  const app = new Proxy(
    {},
    {
      get: (_target, kind) => (name: unknown, options: unknown) => {
        registrations.push({ kind: String(kind), name: String(name), options: (options ?? {}) as Record<string, unknown> });
      },
    },
  );
  return { ...actual, app };
});

const hostJson = JSON.parse(readFileSync(join(repoRoot, "host.json"), "utf8")) as {
  functionTimeout?: string;
  extensions?: { serviceBus?: Record<string, unknown> };
};

let main: BicepFile;
let templateQueues: string[];

beforeAll(async () => {
  main = await loadBicep(mainBicepPath);
  const [queues] = main.resourcesOfType("Microsoft.ServiceBus/namespaces/queues");
  templateQueues = main.evaluate(queues!.loop!.iterable) as string[];
  for (const file of readdirSync(join(repoRoot, "functions")).filter((f) => f.endsWith(".ts")).sort()) {
    await import(join(repoRoot, "functions", file));
  }
});

const deadLetterSuffix = /\/\$deadletterqueue$/i;

describe("queue triggers", () => {
  it("registers functions through the mocked host (the capture works)", () => {
    expect(registrations.length).toBeGreaterThan(0);
    expect(registrations.some((r) => r.kind === "serviceBusQueue")).toBe(true);
  });

  it("read only queues the templates create, over the identity-based ServiceBusConnection", () => {
    const problems: string[] = [];
    for (const r of registrations.filter((r) => r.kind === "serviceBusQueue")) {
      const queue = String(r.options.queueName ?? "");
      const base = queue.replace(deadLetterSuffix, "");
      if (!templateQueues.includes(base)) problems.push(`${r.name} reads '${queue}', which infra/main.bicep queueNames does not create`);
      if (r.options.connection !== serviceBusConnectionSetting) problems.push(`${r.name} uses connection '${String(r.options.connection)}', not ${serviceBusConnectionSetting}`);
    }
    expect(problems).toEqual([]);
  });

  it("enable sessions on every workload queue trigger (and not on dead-letter queues, which have none)", () => {
    const problems: string[] = [];
    for (const r of registrations.filter((r) => r.kind === "serviceBusQueue")) {
      const queue = String(r.options.queueName ?? "");
      const deadLetter = deadLetterSuffix.test(queue);
      if (!deadLetter && r.options.isSessionsEnabled !== true) problems.push(`${r.name} (${queue}) has isSessionsEnabled ${String(r.options.isSessionsEnabled)}: the queues require sessions`);
      if (deadLetter && r.options.isSessionsEnabled === true) problems.push(`${r.name} (${queue}) enables sessions on a dead-letter queue, which cannot be read with sessions`);
    }
    expect(problems).toEqual([]);
  });
});

describe("host.json", () => {
  const serviceBus = hostJson.extensions?.serviceBus ?? {};

  /** The longest a cycle can hold its message: the template's largest CYCLE_MAX_SECONDS plus one Graph request. */
  function cycleUpperBoundMs(): number {
    const defaults = loadSettings({ GRAPH_TENANT_ID: "contoso.onmicrosoft.com", GRAPH_CLIENT_ID: "5b1e7c0d-3a94-4f7b-8d21-6c9e0f4a2b37", GRAPH_CLIENT_SECRET: "x", SyncStorage: "UseDevelopmentStorage=true" }, { serviceBus: false });
    const parameter = main.params.get("cycleMaxSeconds");
    const maxDecorator = parameter?.decorators.find((d) => d.text.startsWith("@maxValue"));
    const templateMaxSeconds = Number(maxDecorator?.text.match(/\d+/)?.[0]);
    expect(Number.isFinite(templateMaxSeconds), "param cycleMaxSeconds in infra/main.bicep needs a @maxValue").toBe(true);
    return Math.max(defaults.cycleMaxMs, templateMaxSeconds * 1000) + defaults.graph.requestTimeoutMs;
  }

  it("renews a message's lock for longer than a cycle can run (extensions.serviceBus.maxAutoLockRenewalDuration)", () => {
    expect(typeof serviceBus.maxAutoLockRenewalDuration, "host.json extensions.serviceBus.maxAutoLockRenewalDuration").toBe("string");
    expect(timeSpanMs(serviceBus.maxAutoLockRenewalDuration as string)).toBeGreaterThanOrEqual(cycleUpperBoundMs());
  });

  it("lets a function run longer than a cycle (functionTimeout)", () => {
    expect(typeof hostJson.functionTimeout, "host.json functionTimeout").toBe("string");
    expect(timeSpanMs(hostJson.functionTimeout!)).toBeGreaterThan(cycleUpperBoundMs());
  });

  it("relies on renewal, with the queues' lockDuration within the Service Bus maximum of 5 minutes", () => {
    const [queues] = main.resourcesOfType("Microsoft.ServiceBus/namespaces/queues");
    const properties = main.evaluate(main.property(queues!.body, "properties"));
    if (!isPlainObject(properties)) throw new Error("queue properties must be an object literal");
    const lock = isoDurationMs(properties.lockDuration as string);
    expect(lock).toBeLessThanOrEqual(5 * 60_000);
    expect(lock).toBeLessThanOrEqual(timeSpanMs(serviceBus.maxAutoLockRenewalDuration as string));
  });

  it("limits concurrent sessions per instance (the scale knob docs/operations.md describes)", () => {
    expect(Number(serviceBus.maxConcurrentSessions)).toBeGreaterThanOrEqual(1);
  });
});
