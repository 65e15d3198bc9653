// Durations as people write them in flags: 90s, 45m, 26h, 7d (a bare number is seconds).
import { UsageError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDurationMs(raw: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(raw);
  if (!m) throw new UsageError(`${what}: not a duration: ${raw}`, 'write e.g. 90s, 45m, 26h or 7d');
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? 's']!;
  if (!(ms > 0)) throw new UsageError(`${what}: must be longer than zero: ${raw}`);
  return ms;
}
