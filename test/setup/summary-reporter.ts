/** Prints the plain closing line CI reads: "tests: N passed, N failed, N skipped". */
import type { Reporter, TestModule } from "vitest/node";
import { browserSkipReason, systemChromium } from "../support/browser.js";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
      // A file that failed to load has no tests but is a failure.
      if (module.state() === "failed" && [...module.children.allTests()].length === 0) failed++;
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    if (!systemChromium() && testModules.some((m) => m.moduleId.endsWith("console.test.ts"))) process.stdout.write(`browser tests SKIPPED: ${browserSkipReason}\n`);
  }
}
