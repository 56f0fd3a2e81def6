// CloudWatch embedded metric format (EMF) lines among what a Lambda writes: recognised, so they stay out of
// the function's log output, and summed up in one line for `npm start -- --metrics`, as CloudWatch would
// read them: `metrics: Deny{reason=EXPIRED}=1 TokenCacheMiss=1 VerificationTime=0.4ms`.

interface Directive {
  readonly Dimensions?: unknown;
  readonly Metrics?: unknown;
}

const UNITS: Readonly<Record<string, string>> = { Milliseconds: 'ms', Seconds: 's', Microseconds: 'µs', Bytes: 'B', Percent: '%' };

/** The directives of `line` when it is an EMF document, else undefined. */
function directives(line: string): { doc: Record<string, unknown>; directives: readonly Directive[] } | undefined {
  if (!line.includes('"_aws"')) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return undefined;
  }
  const list = (doc as { _aws?: { CloudWatchMetrics?: unknown } } | null)?._aws?.CloudWatchMetrics;
  return Array.isArray(list) ? { doc: doc as Record<string, unknown>, directives: list as Directive[] } : undefined;
}

export const isEmfLine = (line: string): boolean => directives(line) !== undefined;

/**
 * `line`'s metrics in one line, each under its first dimension set (the others are the same values summed over
 * a dimension) and without `service`, which is the same on every metric; undefined when `line` is not EMF.
 */
export function summarizeEmf(line: string): string | undefined {
  const found = directives(line);
  if (!found) return undefined;
  const { doc } = found;
  const parts: string[] = [];
  for (const d of found.directives) {
    const set = Array.isArray(d.Dimensions) && Array.isArray(d.Dimensions[0]) ? (d.Dimensions[0] as unknown[]) : [];
    const dims = set.filter((k): k is string => typeof k === 'string' && k !== 'service').map((k) => `${k}=${String(doc[k])}`);
    for (const m of Array.isArray(d.Metrics) ? (d.Metrics as { Name?: unknown; Unit?: unknown }[]) : []) {
      if (typeof m?.Name !== 'string') continue;
      const value = doc[m.Name];
      const unit = typeof m.Unit === 'string' ? (UNITS[m.Unit] ?? '') : '';
      const shown = (Array.isArray(value) ? value : [value]).map((v) => `${String(v)}${unit}`).join(',');
      parts.push(`${m.Name}${dims.length ? `{${dims.join(',')}}` : ''}=${shown}`);
    }
  }
  return `metrics: ${parts.join(' ')}`;
}
