/**
 * Test & Enable in waves, as the migration documentation recommends: queues first, then users, at
 * most 200 mailboxes at a time, waves 5 hours apart (both configurable per migration). Pure.
 */

export interface WaveSettings {
  size: number;
  intervalMinutes: number;
}

export const defaultWaveSettings: WaveSettings = { size: 200, intervalMinutes: 5 * 60 };
/** Test & Enable takes at most 200 mailboxes per request (POST /api/mailboxes/test-and-enable). */
export const maxWaveSize = 200;

export interface WaveMailbox {
  id: string;
  kind: "user" | "queue";
  emailAddress: string;
}

export interface Wave {
  index: number;
  /** When the wave is due (ms since the epoch). */
  dueAt: number;
  mailboxIds: string[];
}

/** Queues before users, each in address order; cut into waves of `size`, `intervalMinutes` apart from `startAt`. */
export function planWaves(mailboxes: readonly WaveMailbox[], settings: WaveSettings, startAt: number): Wave[] {
  const order = (m: WaveMailbox) => (m.kind === "queue" ? 0 : 1);
  const sorted = [...mailboxes].sort((a, b) => order(a) - order(b) || a.emailAddress.localeCompare(b.emailAddress));
  const waves: Wave[] = [];
  for (let i = 0; i * settings.size < sorted.length; i++) {
    waves.push({ index: i, dueAt: startAt + i * settings.intervalMinutes * 60_000, mailboxIds: sorted.slice(i * settings.size, (i + 1) * settings.size).map((m) => m.id) });
  }
  return waves;
}
