// The EMF writer on its own: every line is a document the embedded metric format specification accepts, one
// line per flush unless a dimension would need two values, counts summed and samples kept.
import { EmfMetrics, MAX_VALUES } from '../../../lambda/authorizer/emf';
import { METRICS } from '../../../lambda/authorizer/metrics';
import { data, emfProblems, sums, type EmfDocument } from '../../helpers/metrics';

const T = 1_800_000_000_000;

function writer() {
  const lines: string[] = [];
  const metrics = new EmfMetrics({ namespace: 'Auth Team/OIDC', service: 'orders-api', now: () => T, write: (l) => lines.push(l) });
  return { metrics, lines };
}

test('an invocation’s counts are one line: its directives name the namespace, the dimension sets and each metric’s unit', () => {
  const { metrics, lines } = writer();
  metrics.tokenCache(false);
  metrics.verification(0.4567);
  metrics.decision('Deny', 'EXPIRED');
  metrics.flush();
  expect(lines).toHaveLength(1);
  expect(lines[0]!.endsWith('}\n')).toBe(true);
  expect(emfProblems(lines[0]!)).toEqual([]);
  const doc = JSON.parse(lines[0]!) as EmfDocument;
  expect(doc._aws).toEqual({
    Timestamp: T,
    CloudWatchMetrics: [
      { Namespace: 'Auth Team/OIDC', Dimensions: [['service', 'reason'], ['service']], Metrics: [{ Name: 'Deny', Unit: 'Count' }] },
      {
        Namespace: 'Auth Team/OIDC',
        Dimensions: [['service']],
        Metrics: [
          { Name: 'TokenCacheMiss', Unit: 'Count' },
          { Name: 'VerificationTime', Unit: 'Milliseconds' },
          { Name: 'ColdStart', Unit: 'Count' },
        ],
      },
    ],
  });
  expect(doc).toMatchObject({ service: 'orders-api', reason: 'EXPIRED', Deny: 1, TokenCacheMiss: 1, VerificationTime: 0.457, ColdStart: 1 });
});

test('the cold start is counted once, and a flush with nothing counted writes nothing', () => {
  const { metrics, lines } = writer();
  metrics.flush();
  metrics.flush();
  metrics.decision('Allow', 'ANONYMOUS');
  metrics.flush();
  expect(lines.map((l) => sums([l]))).toEqual([{ ColdStart: 1 }, { 'Allow{reason=ANONYMOUS}': 1 }]);
});

test('counts are summed within a flush; samples keep every value', () => {
  const { metrics, lines } = writer();
  const issuer = metrics.issuer(0);
  issuer.refetchRefused();
  issuer.refetchRefused();
  issuer.servedStale(12.9);
  issuer.servedStale(40);
  metrics.flush();
  expect(lines).toHaveLength(1);
  const doc = JSON.parse(lines[0]!) as EmfDocument;
  expect(doc).toMatchObject({ issuer: '0', KeyRefetchRefused: 2, KeysServedStale: [12, 40] });
  // The issuer member is written once although two of its metrics are in the line.
  expect(lines[0]!.match(/"issuer":/g)).toHaveLength(1);
});

test('two reasons or two issuers in one flush take one line each, so that every member holds one value', () => {
  const { metrics, lines } = writer();
  metrics.decision('Deny', 'EXPIRED');
  metrics.decision('Deny', 'SIGNATURE_INVALID');
  metrics.decision('Allow', 'TOKEN_VALID');
  metrics.issuer(0).fetched('ok', 3);
  metrics.issuer(1).fetched('timedOut');
  metrics.flush();
  expect(lines.length).toBe(3);
  for (const l of lines) expect(emfProblems(l)).toEqual([]);
  expect(sums(lines)).toEqual({
    'Deny{reason=EXPIRED}': 1,
    'Deny{reason=SIGNATURE_INVALID}': 1,
    'Allow{reason=TOKEN_VALID}': 1,
    'KeyFetchOk{issuer=0}': 1,
    'KeysInSet{issuer=0}': 3,
    'KeyFetchTimedOut{issuer=1}': 1,
    ColdStart: 1,
  });
  // Each metric with a dimension is also published summed over it.
  const rollups = data(lines).filter((d) => Object.keys(d.dimensions).length === 1 && d.name === 'Deny');
  expect(rollups.map((d) => d.values[0])).toEqual([1, 1]);
});

test('past 100 values of one metric, the rest go to further lines (the specification’s limit)', () => {
  const { metrics, lines } = writer();
  for (let i = 0; i < 250; i++) metrics.verification(i);
  metrics.flush();
  expect(lines).toHaveLength(3);
  for (const l of lines) expect(emfProblems(l)).toEqual([]);
  expect(data(lines).filter((d) => d.name === 'VerificationTime').map((d) => d.values.length)).toEqual([MAX_VALUES, MAX_VALUES, 50]);
});

test('every metric the catalogue lists can be written, within the specification’s limits, in one flush', () => {
  const { metrics, lines } = writer();
  metrics.decision('Error', 'KEYS_UNAVAILABLE');
  metrics.tokenCache(true);
  metrics.tokenCache(false);
  metrics.verification(1);
  const issuer = metrics.issuer(19);
  issuer.fetched('ok', 2);
  issuer.fetched('failed');
  issuer.fetched('timedOut');
  issuer.servedStale(1);
  issuer.refetchUnknownKid();
  issuer.refetchRefused();
  metrics.flush();
  expect(lines).toHaveLength(1);
  expect(emfProblems(lines[0]!)).toEqual([]);
  const names = new Set(data(lines).map((d) => d.name));
  expect([...names].sort()).toEqual(Object.keys(METRICS).filter((n) => n !== 'Allow' && n !== 'Deny').sort());
});

test('the validator is live: it finds what the specification forbids', () => {
  const ok = { _aws: { Timestamp: T, CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [['service']], Metrics: [{ Name: 'A', Unit: 'Count' }] }] }, service: 's', A: 1 };
  expect(emfProblems(JSON.stringify(ok))).toEqual([]);
  const broken = (f: (d: any) => void) => {
    const d = structuredClone(ok) as any;
    f(d);
    return emfProblems(JSON.stringify(d));
  };
  expect(broken((d) => delete d._aws.Timestamp)).toEqual(['_aws.Timestamp is not epoch milliseconds']);
  expect(broken((d) => delete d.A)).toEqual(['A has no value, or not 1 to 100 numbers']);
  expect(broken((d) => delete d.service)).toEqual(['dimension service is not a string member of 1 to 1024 characters']);
  expect(broken((d) => (d._aws.CloudWatchMetrics[0].Dimensions = [Array.from({ length: 31 }, (_, i) => `d${i}`)]))).toEqual(['a dimension set is not an array of at most 30 keys']);
  expect(broken((d) => (d._aws.CloudWatchMetrics[0].Metrics = Array.from({ length: 101 }, () => ({ Name: 'A' }))))).toEqual(['Metrics is not an array of at most 100 definitions']);
  expect(broken((d) => (d.A = Array.from({ length: 101 }, () => 1)))).toEqual(['A has no value, or not 1 to 100 numbers']);
  expect(broken((d) => (d._aws.CloudWatchMetrics[0].Metrics[0].Unit = 'Requests'))).toEqual(['A has the unit Requests']);
  expect(emfProblems('{"_aws":{}} trailing')).toEqual(['not one JSON value']);
});
