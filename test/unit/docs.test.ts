/** The operations guide lists every alert of the catalog, so the two cannot drift apart. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { alertCatalog } from "../../shared/domain/alert-catalog.js";

const operations = readFileSync(new URL("../../docs/operations.md", import.meta.url), "utf8");

describe("docs/operations.md", () => {
  it.each(Object.keys(alertCatalog))("explains the %s alert", (code) => {
    expect(operations).toMatch(new RegExp(`^### ${code} \\(`, "m"));
  });
});
