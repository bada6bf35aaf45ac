/** Timer, every minute: run the Email Router migrations' Test & Enable waves that are due. */
import type { InvocationContext, Timer } from "@azure/functions";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { runDueWaves } from "../shared/migration/wave-runner.js";
import { getRuntime } from "../shared/runtime.js";

export async function migrationWaves(_timer: Timer, context: InvocationContext): Promise<void> {
  const ran = await runDueWaves(await getRuntime());
  if (ran > 0) context.log("migration waves run", { waves: ran });
}

defineFunction({ kind: "timer", name: "migrationWaves", schedule: "0 */1 * * * *", handler: migrationWaves });
