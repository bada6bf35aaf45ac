/**
 * Monitoring reads the cycle log the code writes: the SyncCycles() function parses exactly what
 * logCycle emits (as custom dimensions or folded into the message by the Node worker), the alert
 * rules and workbook are wired to it, and every operations query is deployed in the query pack.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { format } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { logCycle, type CycleReport } from "../../shared/telemetry/cycle-report.js";
import { filesUnder, infraDir, isPlainObject, loadBicep, mainBicepPath, repoRoot, type BicepFile } from "./bicep.js";

const monitoringDir = join(infraDir, "monitoring");
const syncCyclesKql = readFileSync(join(monitoringDir, "sync-cycles.kql"), "utf8");

/** Column -> the regular expression SyncCycles() extracts it from Message with. */
function messageExtractors(): Map<string, RegExp> {
  const extractors = new Map<string, RegExp>();
  for (const match of syncCyclesKql.matchAll(/(\w+) = (?:\w+\()*coalesce\([^,]+, extract\(@"((?:[^"]|"")*)", 1, Message\)/g)) {
    extractors.set(match[1]!, new RegExp(match[2]!.replace(/""/g, '"')));
  }
  return extractors;
}

/** What the Functions Node worker stores as the trace message for context.log(message, properties). */
function workerMessage(message: string, properties: object): string {
  return format(message, properties);
}

function logged(report: CycleReport): { message: string; properties: object } {
  let line: { message: string; properties: object } | undefined;
  const capture = (message: string, properties: object) => (line = { message, properties });
  logCycle({ info: capture, warn: capture }, report);
  return line!;
}

const failedReport: CycleReport = {
  mailboxId: "mbx-7f3c2a10-contoso-alex-wilber-a-long-identifier-to-force-a-multiline-inspect",
  workload: "incoming",
  outcome: "failed",
  items: 12,
  graphRequests: 7,
  durationMs: 1834,
  errorCode: "ErrorAccessDenied",
  nextRunAt: "2026-01-05T10:15:00.000Z",
};

describe("SyncCycles() parses the cycle log", () => {
  const extractors = messageExtractors();

  it("finds an extractor for every column the workbook and alerts use", () => {
    expect([...extractors.keys()].sort()).toEqual(["DurationMs", "ErrorCode", "GraphRequests", "Items", "MailboxId", "NextRunAt", "Outcome", "Reason", "Workload"].sort());
  });

  it("keeps only cycle lines: every cycle message starts with 'cycle '", () => {
    expect(syncCyclesKql).toMatch(/\| where Message startswith "cycle "/);
    expect(logged(failedReport).message).toBe("cycle incoming failed");
  });

  const cases: [string, (l: { message: string; properties: object }) => string][] = [
    ["util.format (what context.log produces)", (l) => workerMessage(l.message, l.properties)],
    ["JSON", (l) => `${l.message} ${JSON.stringify(l.properties)}`],
  ];
  it.each(cases)("reads every field from the message text as %s", (_kind, render) => {
    const message = render(logged(failedReport));
    const read = (column: string) => extractors.get(column)!.exec(message)?.[1];
    expect({
      Workload: read("Workload"),
      Outcome: read("Outcome"),
      MailboxId: read("MailboxId"),
      ErrorCode: read("ErrorCode"),
      NextRunAt: read("NextRunAt"),
      Items: read("Items"),
      GraphRequests: read("GraphRequests"),
      DurationMs: read("DurationMs"),
      Reason: read("Reason"),
    }).toEqual({
      Workload: "incoming",
      Outcome: "failed",
      MailboxId: failedReport.mailboxId,
      ErrorCode: "ErrorAccessDenied",
      NextRunAt: "2026-01-05T10:15:00.000Z",
      Items: "12",
      GraphRequests: "7",
      DurationMs: "1834",
      Reason: undefined,
    });
  });

  it("reads a skipped cycle's reason and does not invent an error code", () => {
    const message = workerMessage(...(Object.values(logged({ mailboxId: "m1", workload: "act", outcome: "skipped", reason: "notApproved", items: 0, graphRequests: 0, durationMs: 3 })) as [string, object]));
    expect(extractors.get("Reason")!.exec(message)?.[1]).toBe("notApproved");
    expect(extractors.get("ErrorCode")!.exec(message)).toBeNull();
    expect(extractors.get("Workload")!.exec(message)?.[1]).toBe("act");
  });

  it("also reads the fields as custom dimensions (Properties) first", () => {
    for (const column of ["workload", "outcome", "mailboxId", "reason", "errorCode", "nextRunAt", "items", "graphRequests", "durationMs"]) {
      expect(syncCyclesKql).toContain(`tostring(P["${column}"])`);
    }
  });

  it("counts successes the way the alerts and lag query expect (completed and yielded)", () => {
    expect(syncCyclesKql).toMatch(/Succeeded = Outcome in \("completed", "yielded"\)/);
  });
});

describe("alerts, query pack and workbook", () => {
  let monitoring: BicepFile;
  let main: BicepFile;
  beforeAll(async () => {
    monitoring = await loadBicep(join(monitoringDir, "monitoring.bicep"));
    main = await loadBicep(mainBicepPath);
  });

  it("deploys SyncCycles() as a workspace function from sync-cycles.kql", () => {
    const [search] = monitoring.resourcesOfType("Microsoft.OperationalInsights/workspaces/savedSearches");
    expect(monitoring.evaluate(monitoring.property(search!.body, "properties", "functionAlias"))).toBe("SyncCycles");
    expect(monitoring.property(search!.body, "properties", "query")?.text).toBe("loadTextContent('sync-cycles.kql')");
  });

  it("alerts on dead-lettered messages (Service Bus DeadletteredMessages > 0)", () => {
    const alerts = monitoring.resourcesOfType("Microsoft.Insights/metricAlerts").map((a) => monitoring.evaluate(monitoring.property(a.body, "properties")));
    const deadLetter = alerts.find((p) => JSON.stringify(p).includes('"metricName":"DeadletteredMessages"'));
    expect(deadLetter, "a metric alert on DeadletteredMessages").toBeDefined();
    const criterion = ((deadLetter as { criteria: { allOf: Record<string, unknown>[] } }).criteria.allOf)[0]!;
    expect([criterion.metricNamespace, criterion.operator, criterion.threshold]).toEqual(["Microsoft.ServiceBus/namespaces", "GreaterThan", 0]);
  });

  it("alerts on failing mailboxes, function failures and no successful cycle, from the logs", () => {
    const queries = monitoring.resourcesOfType("Microsoft.Insights/scheduledQueryRules").map((rule) => {
      const criteria = monitoring.property(rule.body, "properties", "criteria", "allOf");
      const query = criteria?.namedChildren.find((n) => n?.type === "object");
      return { symbol: rule.symbol, query: monitoring.property(query, "query")?.text ?? "", operator: monitoring.evaluate(monitoring.property(query, "operator")) };
    });
    const file = (name: string) => readFileSync(join(monitoringDir, "alerts", name), "utf8");
    const uses = (name: string) => queries.find((q) => q.query.includes(`'alerts/${name}'`));
    expect(uses("mailboxes-failing.kql"), "rule for failing mailboxes").toBeDefined();
    expect(file("mailboxes-failing.kql")).toMatch(/SyncCycles[\s\S]*Outcome == "failed"/);
    expect(uses("function-failures.kql"), "rule for function failures").toBeDefined();
    expect(file("function-failures.kql")).toMatch(/AppRequests[\s\S]*Success == false/);
    expect(uses("successful-cycles.kql")?.operator, "no successful cycle fires when the count is below 1").toBe("LessThan");
    expect(file("successful-cycles.kql")).toMatch(/SyncCycles[\s\S]*Succeeded/);
  });

  it("matches the dead-letter rule to what the dead-letter functions log", () => {
    expect(readFileSync(join(monitoringDir, "alerts", "dead-letter-handled.kql"), "utf8")).toMatch(/Message startswith "dead-lettered "/);
    const logged = filesUnder(join(repoRoot, "functions"), ".ts").flatMap((f) => [...readFileSync(f, "utf8").matchAll(/"(dead-lettered [^"]*)"/g)].map((m) => m[1]!));
    for (const message of logged) expect(message).toMatch(/^dead-lettered (incoming|outgoing|act) /);
  });

  it("sends every alert to the action group that emails alertEmail", () => {
    const group = monitoring.resourcesOfType("Microsoft.Insights/actionGroups")[0]!;
    const receivers = monitoring.evaluate(monitoring.property(group.body, "properties", "emailReceivers")) as Record<string, unknown>[];
    expect(receivers.map((r) => String(r.emailAddress))).toEqual(["${alertEmail}"]);
    for (const alert of [...monitoring.resourcesOfType("Microsoft.Insights/metricAlerts"), ...monitoring.resourcesOfType("Microsoft.Insights/scheduledQueryRules")]) {
      expect(monitoring.property(alert.body, "properties", "actions")?.text, `${monitoring.line(alert.node)} ${alert.symbol}`).toContain(`${group.symbol}.id`);
    }
    const module = main.modules.find((m) => m.path === "monitoring/monitoring.bicep");
    expect(main.property(module?.body, "params", "alertEmail")?.text).toBe("alertEmail");
  });

  it("deploys every operations query in the query pack", () => {
    const files = filesUnder(join(monitoringDir, "queries"), ".kql").map((f) => f.slice(monitoringDir.length + 1).replace(/\\/g, "/"));
    const missing = files.filter((f) => !monitoring.source.includes(`loadTextContent('${f}')`));
    expect(missing, "queries not in packQueries of infra/monitoring/monitoring.bicep").toEqual([]);
    for (const f of files) expect(readFileSync(join(monitoringDir, f), "utf8"), f).toMatch(/^(SyncCycles|AppTraces|AppRequests)\b/m);
  });

  it("documents every operations query verbatim in docs/operations.md", () => {
    const operations = readFileSync(join(repoRoot, "docs", "operations.md"), "utf8");
    for (const file of filesUnder(join(monitoringDir, "queries"), ".kql")) {
      expect(operations.includes(readFileSync(file, "utf8").trimEnd()), `docs/operations.md lacks the current text of ${file.slice(repoRoot.length + 1)}`).toBe(true);
    }
    expect(operations).toMatch(/^## Alerts: cause and fix$/m);
  });

  it("shows the dashboard panels in the workbook, all over the workspace's SyncCycles()", () => {
    const workbook = JSON.parse(readFileSync(join(monitoringDir, "workbook.json"), "utf8")) as { version: string; items: { type: number; name: string; content: Record<string, unknown> }[]; fallbackResourceIds: string[] };
    expect(workbook.version).toBe("Notebook/1.0");
    const queries = workbook.items.filter((i) => i.type === 3);
    for (const panel of ["cycles-by-outcome-table", "cycles-over-time", "failures-by-error-code", "items-per-cycle", "cycle-duration-percentiles", "throttled-cycles", "failing-mailboxes", "sync-lag"]) {
      const item = queries.find((q) => q.name === panel);
      expect(item, `workbook panel ${panel}`).toBeDefined();
      expect(String(item!.content.query)).toMatch(/^SyncCycles\b/);
    }
    for (const q of queries) {
      expect(q.content.crossComponentResources, q.name).toEqual(["__WORKSPACE_ID__"]);
      if (String(q.content.query).includes("{TimeRange")) expect(q.content.timeContextFromParameter, q.name).toBe("TimeRange");
    }
    const [resource] = monitoring.resourcesOfType("Microsoft.Insights/workbooks");
    expect(monitoring.property(resource!.body, "properties", "serializedData")?.text).toBe("replace(loadTextContent('workbook.json'), '__WORKSPACE_ID__', workspace.id)");
  });

  it("keeps workspace-based Application Insights (the tables the queries read)", () => {
    const [component] = main.resourcesOfType("Microsoft.Insights/components");
    const properties = main.evaluate(main.property(component!.body, "properties"));
    expect(isPlainObject(properties) && properties.DisableLocalAuth).toBe(true);
    expect(main.property(component!.body, "properties", "WorkspaceResourceId")?.text).toBe("workspace.id");
  });
});
