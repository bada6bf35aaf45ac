/**
 * A stored ACT delta link that names a collection Exchange no longer has (a To Do list that was
 * recreated, a mailbox restored elsewhere) answers 404 on every cycle: the type's delta starts again
 * from the collection as it is now, instead of failing every cycle until the mailbox is disabled.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { actEngine } from "../../shared/sync/act/act-engine.js";
import { startSyncHarness, type HarnessMailbox, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let user: HarnessMailbox;

beforeAll(async () => {
  h = await startSyncHarness();
  user = await h.addMailbox("lister", { act: true });
});
afterAll(async () => {
  await h?.stop();
});

it("a task delta link naming a list that is gone restarts the task delta, and the cycle completes", async () => {
  expect((await h.runCycle(actEngine, user.id)).outcome).toBe("completed");
  const stored = await h.runtime.cursors.forMailbox(user.id, "act");
  const tasks = stored.get("task");
  expect(tasks?.cursor.link).toMatch(/todo\/lists\/[^/]+\/tasks\/delta/);
  const gone = tasks!.cursor.link.replace(/todo\/lists\/[^/]+\//, "todo/lists/AAMkAGone-list/");
  await h.runtime.cursors.save(user.id, "act", "task", { ...tasks!.cursor, link: gone }, tasks!.etag);

  const report = await h.runCycle(actEngine, user.id);
  expect(report.outcome).toBe("completed");
  const after = (await h.runtime.cursors.forMailbox(user.id, "act")).get("task");
  expect(after?.cursor.link).not.toContain("AAMkAGone-list");
});
