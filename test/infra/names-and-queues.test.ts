/**
 * The templates create exactly the queues, tables and blob containers the code uses
 * (shared/config/names.ts), and every queue behaves the way the code relies on
 * (shared/queues/work-queue.ts): sessions, duplicate detection over the same window, the same
 * max delivery count, a lock no longer than Service Bus allows, dead-lettering of expired messages.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { blobContainers, queueNames, tableNames } from "../../shared/config/names.js";
import { duplicateDetectionWindowMs, maxDeliveryCount } from "../../shared/queues/work-queue.js";
import { isoDurationMs, isPlainObject, loadBicep, mainBicepPath, type BicepFile, type ResourceDeclaration, type Value } from "./bicep.js";

let main: BicepFile;
beforeAll(async () => {
  main = await loadBicep(mainBicepPath);
});

/** The names a resource declaration creates: its loop's items, or its one name. */
function declaredNames(resource: ResourceDeclaration): string[] {
  const nameNode = main.property(resource.body, "name");
  if (resource.loop) {
    expect(nameNode?.text, `${main.line(resource.node)}: ${resource.symbol} should be named by its loop variable`).toBe(resource.loop.variable);
    const items = main.evaluate(resource.loop.iterable);
    if (!Array.isArray(items) || !items.every((i) => typeof i === "string")) {
      throw new Error(`${main.line(resource.node)}: the loop of ${resource.symbol} must run over a literal list of names (got ${resource.loop.iterable.text})`);
    }
    return items as string[];
  }
  const name = main.evaluate(nameNode);
  if (typeof name !== "string") throw new Error(`${main.line(resource.node)}: the name of ${resource.symbol} is not a literal`);
  return [name];
}

function namesOfType(typeName: string): string[] {
  return main.resourcesOfType(typeName).flatMap(declaredNames);
}

function missingAndExtra(declared: string[], expected: string[]) {
  return {
    missingFromTemplates: expected.filter((n) => !declared.includes(n)),
    notInCode: declared.filter((n) => !expected.includes(n)),
  };
}

describe("queue, table and container names", () => {
  it("creates one queue per workload, named as in shared/config/names.ts queueNames", () => {
    const declared = namesOfType("Microsoft.ServiceBus/namespaces/queues");
    expect(missingAndExtra(declared, Object.values(queueNames)), `queues in ${mainBicepPath}`).toEqual({ missingFromTemplates: [], notInCode: [] });
    expect(new Set(declared).size, "a queue is declared twice").toBe(declared.length);
  });

  it("creates every table of shared/config/names.ts tableNames and no other", () => {
    const declared = namesOfType("Microsoft.Storage/storageAccounts/tableServices/tables");
    expect(missingAndExtra(declared, Object.values(tableNames)), `tables in ${mainBicepPath}`).toEqual({ missingFromTemplates: [], notInCode: [] });
  });

  it("creates every blob container of shared/config/names.ts blobContainers, plus the deployment package container", () => {
    const declared = namesOfType("Microsoft.Storage/storageAccounts/blobServices/containers");
    const missing = Object.values(blobContainers).filter((name) => !declared.includes(name));
    expect(missing, `blob containers missing from ${mainBicepPath}`).toEqual([]);

    // The Flex deployment package goes to a container of the same account, read with the identity.
    const site = main.resourcesOfType("Microsoft.Web/sites")[0]!;
    const storage = main.property(site.body, "properties", "functionAppConfig", "deployment", "storage");
    const target = main.evaluate(main.property(storage, "value"));
    expect(typeof target).toBe("string");
    // The value is the account's blob endpoint (known at deployment) followed by the container name.
    const container = /([a-z0-9-]+)$/.exec(target as string)?.[1] ?? "";
    expect(declared, `functionAppConfig.deployment.storage.value ends with '${container}', which no container resource creates`).toContain(container);
    expect(Object.values(blobContainers)).not.toContain(container);
    expect(main.evaluate(main.property(storage, "authentication", "type"))).toBe("UserAssignedIdentity");
  });
});

describe("queue settings match the code", () => {
  function queueProperties(): { [key: string]: Value } {
    const [queues, ...more] = main.resourcesOfType("Microsoft.ServiceBus/namespaces/queues");
    expect(more, "all queues come from one declaration, so they cannot drift apart").toEqual([]);
    const properties = main.evaluate(main.property(queues!.body, "properties"));
    if (!isPlainObject(properties)) throw new Error("queue properties must be an object literal");
    return properties;
  }

  it("requires sessions (one mailbox's workload runs in one place at a time)", () => {
    expect(queueProperties().requiresSession).toBe(true);
  });

  it(`detects duplicates over the code's window (duplicateDetectionWindowMs = ${duplicateDetectionWindowMs} ms)`, () => {
    const properties = queueProperties();
    expect(properties.requiresDuplicateDetection).toBe(true);
    const window = properties.duplicateDetectionHistoryTimeWindow;
    expect(typeof window, "duplicateDetectionHistoryTimeWindow must be a literal ISO 8601 duration").toBe("string");
    expect(isoDurationMs(window as string)).toBe(duplicateDetectionWindowMs);
  });

  it(`dead-letters after the code's maxDeliveryCount (${maxDeliveryCount})`, () => {
    expect(queueProperties().maxDeliveryCount).toBe(maxDeliveryCount);
  });

  it("locks messages for at most 5 minutes (the Service Bus maximum) and dead-letters expired ones", () => {
    const properties = queueProperties();
    const lock = isoDurationMs(properties.lockDuration as string);
    expect(lock).toBeGreaterThan(0);
    expect(lock).toBeLessThanOrEqual(5 * 60_000);
    expect(properties.deadLetteringOnMessageExpiration).toBe(true);
  });

  it("puts the queues on a Standard or Premium namespace (Basic has no sessions) with local auth disabled", () => {
    const [namespace] = main.resourcesOfType("Microsoft.ServiceBus/namespaces");
    expect(["Standard", "Premium"]).toContain(main.evaluate(main.property(namespace!.body, "sku", "name")));
    expect(main.evaluate(main.property(namespace!.body, "properties", "disableLocalAuth"))).toBe(true);
    const [queues] = main.resourcesOfType("Microsoft.ServiceBus/namespaces/queues");
    expect(main.property(queues!.body, "parent")?.text).toBe(namespace!.symbol);
  });
});
