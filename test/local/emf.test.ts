// EMF lines among a Lambda's output: recognised and summed up for `npm start -- --metrics`.
import { isEmfLine, summarizeEmf } from '../../local/emf';
import { EmfMetrics } from '../../lambda/authorizer/emf';

function lineOf(fill: (m: EmfMetrics) => void): string {
  const lines: string[] = [];
  const m = new EmfMetrics({ namespace: 'OidcAuthorizer', service: 'oidc-authorizer', now: () => 1_800_000_000_000, write: (l) => lines.push(l) });
  m.flush(); // the cold start, out of the way
  fill(m);
  lines.length = 0;
  m.flush();
  return lines[0]!.trimEnd();
}

test('the authorizer’s line reads as its counts, each with its own dimension and unit, without the service', () => {
  const line = lineOf((m) => {
    m.tokenCache(false);
    m.verification(0.42);
    m.decision('Deny', 'EXPIRED');
    m.issuer(1).servedStale(12);
  });
  expect(summarizeEmf(line)).toBe('metrics: Deny{reason=EXPIRED}=1 KeysServedStale{issuer=1}=12s TokenCacheMiss=1 VerificationTime=0.42ms');
});

test('another library’s EMF (a Powertools line, _aws last) is recognised too; other lines are not', () => {
  const powertools = JSON.stringify({ service: 'orders', OrdersPlaced: 2, _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'Shop', Dimensions: [['service']], Metrics: [{ Name: 'OrdersPlaced', Unit: 'Count' }] }] } });
  expect(summarizeEmf(powertools)).toBe('metrics: OrdersPlaced=2');
  for (const line of ['{"level":"INFO","message":"allow","event":"decision"}', 'plain text "_aws"', '{"_aws": {}}', '{"_aws":']) {
    expect(isEmfLine(line)).toBe(false);
    expect(summarizeEmf(line)).toBeUndefined();
  }
});
