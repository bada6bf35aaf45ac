/**
 * The settings `npm start` and `npm run token` read: local.settings.json's "Values" under the
 * environment (the environment wins), exactly as the Functions host reads them.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Environment } from "../../../shared/config/settings.js";

export const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../..");

/** Throws with a message for the user when local.settings.json is not valid JSON. */
export function readLocalSettings(): Environment {
  const file = path.join(repoRoot, "local.settings.json");
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { Values?: Record<string, unknown> };
    const values: Environment = {};
    for (const [key, value] of Object.entries(parsed.Values ?? {})) values[key] = value === null || value === undefined ? undefined : String(value);
    return values;
  } catch {
    throw new Error("local.settings.json is not valid JSON: fix it or remove it.");
  }
}

export function localEnvironment(): Environment {
  return { ...readLocalSettings(), ...process.env };
}
