// Durations as people type them on a command line: `90`, `90s`, `15m`, `1h`, `2d`; negative (`-5m`) for
// a token that has already expired.
import { LocalError } from '../errors';

const UNIT_SECONDS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

export function parseDuration(text: string, what = 'duration'): number {
  const m = /^(-?\d+)\s*([smhd]?)$/i.exec(text.trim());
  if (!m) throw new LocalError('USAGE', `${what} ${JSON.stringify(text)} is not a duration such as 90s, 15m, 1h or 2d`);
  return Number(m[1]) * UNIT_SECONDS[m[2]!.toLowerCase()]!;
}
