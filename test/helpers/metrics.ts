// The authorizer's metrics as CloudWatch would read them: EMF lines collected from createAuthorizer, checked
// against the embedded metric format specification's structure, and summed per metric and dimension value.
import { EmfMetrics } from '../../lambda/authorizer/emf';
import { DEFAULTS } from '../../lambda/authorizer/defaults';

/** CloudWatch's units (MetricDatum.Unit). */
const UNITS = new Set(['Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None']);

export interface EmfDocument {
  readonly _aws: { readonly Timestamp: number; readonly CloudWatchMetrics: readonly { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit?: string }[] }[] };
  readonly [member: string]: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const only = (o: Record<string, unknown>, allowed: readonly string[]) => Object.keys(o).every((k) => allowed.includes(k));

/**
 * What is wrong with `line` as an EMF document (empty when nothing): one JSON object and nothing around it;
 * `_aws.Timestamp` in epoch milliseconds; `CloudWatchMetrics` directives holding only Namespace, Dimensions and
 * Metrics; at most 30 dimension keys per set and 100 metrics per directive; every dimension a string member
 * of the root, every metric a number (or at most 100 numbers) there.
 */
export function emfProblems(line: string): string[] {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return ['not one JSON value'];
  }
  if (!isObject(doc)) return ['not a JSON object'];
  const aws = doc._aws;
  if (!isObject(aws)) return ['no _aws object'];
  if (!Number.isInteger(aws.Timestamp) || (aws.Timestamp as number) < 0) problems.push('_aws.Timestamp is not epoch milliseconds');
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives) || directives.length === 0) return [...problems, '_aws.CloudWatchMetrics is not a non-empty array'];
  for (const d of directives) {
    if (!isObject(d) || !only(d, ['Namespace', 'Dimensions', 'Metrics'])) {
      problems.push('a directive holds members other than Namespace, Dimensions, Metrics');
      continue;
    }
    if (typeof d.Namespace !== 'string' || d.Namespace.length < 1 || d.Namespace.length > 255) problems.push('Namespace is not a string of 1 to 255 characters');
    if (!Array.isArray(d.Dimensions)) problems.push('Dimensions is not an array');
    else {
      for (const set of d.Dimensions) {
        if (!Array.isArray(set) || set.length > 30) problems.push('a dimension set is not an array of at most 30 keys');
        else for (const k of set) if (typeof k !== 'string' || typeof doc[k] !== 'string' || (doc[k] as string).length === 0 || (doc[k] as string).length > 1024) problems.push(`dimension ${String(k)} is not a string member of 1 to 1024 characters`);
      }
    }
    if (!Array.isArray(d.Metrics) || d.Metrics.length > 100) problems.push('Metrics is not an array of at most 100 definitions');
    else {
      for (const m of d.Metrics) {
        if (!isObject(m) || !only(m, ['Name', 'Unit', 'StorageResolution']) || typeof m.Name !== 'string' || m.Name.length === 0 || m.Name.length > 255) {
          problems.push('a metric definition is not {Name, Unit?, StorageResolution?}');
          continue;
        }
        if (m.Unit !== undefined && !UNITS.has(m.Unit as string)) problems.push(`${m.Name} has the unit ${String(m.Unit)}`);
        const v = doc[m.Name];
        const values = Array.isArray(v) ? v : [v];
        if (values.length === 0 || values.length > 100 || !values.every((x) => typeof x === 'number' && Number.isFinite(x))) problems.push(`${m.Name} has no value, or not 1 to 100 numbers`);
      }
    }
  }
  return problems;
}

/** A datum as CloudWatch extracts it: per metric, dimension set and values. */
export interface Datum {
  readonly name: string;
  /** The dimension values, `service` included, of one dimension set. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: readonly number[];
  readonly timestamp: number;
}

/** Every datum the lines publish: one per metric and dimension set. */
export function data(lines: readonly string[]): Datum[] {
  return lines.flatMap((line) => {
    const doc = JSON.parse(line) as EmfDocument;
    return doc._aws.CloudWatchMetrics.flatMap((d) =>
      d.Metrics.flatMap((m) =>
        d.Dimensions.map((set) => {
          const v = doc[m.Name] as number | number[];
          return { name: m.Name, dimensions: Object.fromEntries(set.map((k) => [k, doc[k] as string])), values: Array.isArray(v) ? v : [v], timestamp: doc._aws.Timestamp };
        }),
      ),
    );
  });
}

/**
 * Sums per metric and its own dimension (the set beyond `service`), spelled as `npm start -- --metrics` prints
 * them: `Deny{reason=EXPIRED}`, `KeyFetchOk{issuer=0}`, `TokenCacheHit`. Rollups (the `service`-only set of a
 * metric that has a dimension) are left out.
 */
export function sums(lines: readonly string[]): Record<string, number> {
  const all = data(lines);
  const broken = new Set(all.filter((d) => Object.keys(d.dimensions).length > 1).map((d) => d.name));
  const out: Record<string, number> = {};
  for (const d of all) {
    const own = Object.entries(d.dimensions).filter(([k]) => k !== 'service');
    if (own.length === 0 && broken.has(d.name)) continue;
    const key = own.length === 0 ? d.name : `${d.name}{${own.map(([k, v]) => `${k}=${v}`).join(',')}}`;
    out[key] = (out[key] ?? 0) + d.values.reduce((a, b) => a + b, 0);
  }
  return out;
}

/** An EmfMetrics in the default namespace and service whose lines are kept (and handed to `also`). */
export function captureMetrics(now: () => number, also?: (line: string) => void) {
  const lines: string[] = [];
  const metrics = new EmfMetrics({
    namespace: DEFAULTS.metricsNamespace,
    service: DEFAULTS.metricsService,
    now,
    write: (line) => {
      lines.push(line);
      also?.(line);
    },
  });
  return { metrics, lines };
}
