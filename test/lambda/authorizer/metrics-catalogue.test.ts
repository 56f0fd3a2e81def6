// The metrics are listed once (lambda/authorizer/metrics.ts); the table in docs/operations.md, which cannot import
// the list, is held to it here: every metric with its unit and dimension, and each decision's reasons.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { METRICS, REASONS, reasonFor, type Decision } from '../../../lambda/authorizer/metrics';

const PAGE = readFileSync(path.resolve(__dirname, '..', '..', '..', 'docs', 'operations.md'), 'utf8');
const README = readFileSync(path.resolve(__dirname, '..', '..', '..', 'README.md'), 'utf8');
const section = PAGE.slice(PAGE.indexOf('## Metrics'), PAGE.indexOf('## Alarms and a dashboard'));
const rows = [...section.matchAll(/^\| `(\w+)` \| (\w+) \| (`\w+`|none) \| (.*) \|$/gm)].map(([, name, unit, dimension, meaning]) => ({ name: name!, unit, dimension: dimension!.replace(/`/g, ''), meaning: meaning! }));

test('docs/operations.md’s metrics table lists every metric, with its unit and dimension, and no other', () => {
  expect(rows.map((r) => r.name)).toEqual(Object.keys(METRICS));
  for (const r of rows) {
    const spec = METRICS[r.name as keyof typeof METRICS] as { unit: string; by?: string; kind: string };
    expect({ name: r.name, unit: r.unit, dimension: r.dimension }).toEqual({ name: r.name, unit: spec.unit, dimension: spec.by ?? 'none' });
    // Samples say that every value is kept (for maxima and percentiles).
    expect(r.meaning.includes('every value kept')).toBe(spec.kind === 'sample');
  }
});

test.each(['Allow', 'Deny', 'Error'] as Decision[])('docs/operations.md’s %s row names exactly its reasons', (decision) => {
  const row = rows.find((r) => r.name === decision)!;
  expect([...row.meaning.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1])).toEqual([...REASONS[decision]]);
});

test('a code outside the catalogue is counted (and logged) as INTERNAL, so no other value can become a dimension', () => {
  expect(reasonFor('Deny', 'EXPIRED')).toBe('EXPIRED');
  expect(reasonFor('Deny', 'KEYS_UNAVAILABLE')).toBe('INTERNAL');
  expect(reasonFor('Error', 'Bearer eyJhbGciOi')).toBe('INTERNAL');
  expect(reasonFor('Allow', 'ANONYMOUS')).toBe('ANONYMOUS');
});

test('README’s Refusals table names every refusal and error reason, with a status for each', () => {
  const start = README.indexOf('\n## Refusals\n');
  const refusals = README.slice(start, README.indexOf('\n## ', start + 1));
  const table = [...refusals.matchAll(/^\| (?!refusal |---)[^|]+ \| (\d{3}) \| [^|]+ \| (.*) \|$/gm)];
  const named = table.flatMap(([, , reasons]) => [...reasons!.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]));
  expect(new Set(named)).toEqual(new Set([...REASONS.Deny, ...REASONS.Error]));
  const status = (code: string) => table.find(([, , reasons]) => reasons!.includes(`\`${code}\``))![1];
  expect(status('SCOPE_MISSING')).toBe('403');
  expect(status('INSUFFICIENT_SCOPE')).toBe('403');
  expect(status('EXPIRED')).toBe('401');
  expect(status('KEYS_UNAVAILABLE')).toBe('503');
});
