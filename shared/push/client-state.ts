/**
 * The per-subscription clientState: a random secret Graph echoes in every notification. Only its
 * SHA-256 is stored; a notification's value is hashed and compared in constant time, so neither
 * the stored hash nor the comparison's timing tells a forger anything.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** 32 random bytes (256 bits), base64url: 43 characters, within Graph's 128. */
export function newClientState(): string {
  return randomBytes(32).toString("base64url");
}

export function clientStateHash(clientState: string): string {
  return createHash("sha256").update(clientState, "utf8").digest("hex");
}

export function clientStateMatches(received: string | undefined, storedHash: string | undefined): boolean {
  if (received === undefined || !storedHash || storedHash.length !== 64) return false;
  const expected = Buffer.from(storedHash, "hex");
  const actual = createHash("sha256").update(received, "utf8").digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
