/** The local host's own rules: its data folder per mode, LOCAL_SYNC_MAILBOXES, the progress line. */
import { describe, expect, it } from "vitest";
import type { CycleReport } from "../../shared/telemetry/cycle-report.js";
import { modeDataFolder, parseSyncMailboxes } from "../tools/local-host/data-folders.js";
import { CycleTally, progressLine, type ProgressCounts } from "../tools/local-host/progress.js";

describe("data folder per mode", () => {
  it.each([
    [undefined, "demo"],
    ["8f3a3c52-6f2e-4c8e-9a43-2b7f1d0e5a11", "tenant-8f3a3c52-6f2e-4c8e-9a43-2b7f1d0e5a11"],
    ["Contoso.onmicrosoft.com", "tenant-contoso.onmicrosoft.com"],
    [" contoso/../x ", "tenant-contoso_.._x"],
  ])("tenant %j → %s", (tenant, folder) => {
    expect(modeDataFolder(tenant)).toBe(folder);
  });
});

describe("LOCAL_SYNC_MAILBOXES", () => {
  it.each([
    [undefined, { addresses: [] }],
    ["", { addresses: [] }],
    ["alex@contoso.com", { addresses: ["alex@contoso.com"] }],
    [" alex@contoso.com , megan@contoso.com,", { addresses: ["alex@contoso.com", "megan@contoso.com"] }],
    ["alex@contoso.com,ALEX@contoso.com", { addresses: ["alex@contoso.com"] }],
  ])("%j is accepted as %j", (raw, parsed) => {
    expect(parseSyncMailboxes(raw)).toEqual(parsed);
  });

  it.each(["notanaddress", "alex@contoso.com,notanaddress", "alex@", "@contoso.com", "alex contoso.com"])("%j fails naming the setting", (raw) => {
    const parsed = parseSyncMailboxes(raw);
    expect(parsed).toEqual({ error: expect.stringMatching(/^Setting LOCAL_SYNC_MAILBOXES is malformed/) });
  });
});

const cycle = (mailboxId: string, workload: CycleReport["workload"], outcome: CycleReport["outcome"], items = 0): CycleReport => ({
  mailboxId, workload, outcome, items, graphRequests: 1, durationMs: 5,
});

describe("progress line", () => {
  it.each<[string, CycleReport[], Partial<ProgressCounts>]>([
    ["nothing ran yet", [], { mailboxesOk: 0, mailboxesFailing: 0, cycles: 0 }],
    ["completed and yielded cycles make a mailbox ok", [cycle("a", "incoming", "completed", 3), cycle("b", "act", "yielded", 2)], { mailboxesOk: 2, mailboxesFailing: 0, emailsSynced: 3, cycles: 2 }],
    ["a failing workload makes the mailbox failing, however its others do", [cycle("a", "incoming", "completed", 1), cycle("a", "act", "failed")], { mailboxesOk: 0, mailboxesFailing: 1, cycles: 2, cyclesFailed: 1 }],
    ["every cycle failing: no mailbox is ok", [cycle("a", "act", "failed"), cycle("b", "act", "failed"), cycle("a", "act", "failed")], { mailboxesOk: 0, mailboxesFailing: 2, cycles: 3, cyclesFailed: 3 }],
    ["a good cycle after a failure makes it ok again", [cycle("a", "act", "failed"), cycle("a", "act", "completed")], { mailboxesOk: 1, mailboxesFailing: 0, cyclesFailed: 1 }],
    ["postponed cycles change no mailbox's state", [cycle("a", "act", "failed"), cycle("a", "act", "throttled"), cycle("b", "incoming", "throttled")], { mailboxesOk: 0, mailboxesFailing: 1, cycles: 3, cyclesPostponed: 2 }],
    ["skipped and superseded runs are not cycles", [cycle("a", "incoming", "skipped"), cycle("a", "incoming", "superseded")], { mailboxesOk: 0, cycles: 0 }],
    ["mail sent counts as email, appointments do not", [cycle("a", "outgoing", "completed", 2), cycle("a", "act", "completed", 5)], { emailsSynced: 2 }],
  ])("%s", (_case, reports, expected) => {
    const tally = new CycleTally();
    for (const report of reports) tally.record(report);
    expect(tally.counts()).toMatchObject(expected);
  });

  it("renders the counts in the order README explains them", () => {
    expect(progressLine({ mailboxesOk: 18, mailboxesFailing: 2, emailsSynced: 6, cycles: 45, cyclesFailed: 3, cyclesPostponed: 0 })).toBe(
      "mailboxes ok 18 · failing 2 · emails synced 6 · cycles 45 (failed 3, postponed 0)",
    );
  });
});
