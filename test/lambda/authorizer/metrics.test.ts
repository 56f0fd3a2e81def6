// The whole authorizer's metrics against a loopback issuer, with an injected clock: a scripted mix of traffic
// and issuer trouble is counted per reason and per outcome, each invocation flushes once, and every refusal's
// log line and metric name the same reason.
import { readConfig } from '../../../lambda/authorizer/config';
import { createAuthorizer } from '../../../lambda/authorizer/handler';
import { authorizerEnv } from '../../helpers/config';
import { authorizerEvent } from '../../helpers/events';
import { startIssuer, type TestIssuer } from '../../helpers/issuer';
import { makeKey, signToken, type TestKey } from '../../helpers/keys';
import { captureLogger } from '../../helpers/log';
import { captureMetrics, data, emfProblems, sums } from '../../helpers/metrics';

let issuer: TestIssuer;
let key: TestKey;
let attacker: TestKey;
let clock: number;

beforeAll(async () => {
  [key, attacker] = await Promise.all([makeKey('ES256', 'k1'), makeKey('ES256', 'k1')]);
});
beforeEach(async () => {
  clock = 1_800_000_000_000;
  issuer = await startIssuer([key.jwk]);
});
afterEach(() => issuer.close());

function setup(env: Record<string, string> = {}) {
  const logger = captureLogger();
  const { metrics, lines } = captureMetrics(() => clock);
  const authorizer = createAuthorizer(readConfig(authorizerEnv(issuer.url, { OIDC_FETCH_TIMEOUT_MS: '300', ...env })), { now: () => clock, logger, metrics });
  /** One invocation: its answer, and the EMF lines and decision record it wrote. */
  const call = async (authorization: string | null, resource = '/profile') => {
    const [emfBefore, logBefore] = [lines.length, logger.lines.length];
    const outcome = await authorizer.handler(authorizerEvent({ resource, authorization }), { awsRequestId: 'r' }).then(
      (r) => (r.policyDocument.Statement.some((s) => (s as { Resource: string[] }).Resource.some((x) => x.endsWith(`GET${resource}`))) ? 'allowed' : 'policy-denied'),
      (e: Error) => e.message,
    );
    const decision = logger.lines.slice(logBefore).find((l) => l.fields.event === 'decision')!;
    return { outcome, emf: lines.slice(emfBefore), decision: decision.fields };
  };
  return { call, lines, logger };
}
const token = (claims: Record<string, unknown> = {}, k = key, header: Record<string, unknown> = {}) => signToken(k, issuer.url, { now: Math.floor(clock / 1000), claims, header });

test('a scripted mix is counted per reason and outcome: valid, expired, bad signature, a kid flood, an issuer down, stale keys, recovery', async () => {
  const { call, lines } = setup();
  const seen: { outcome: string; emf: string[]; decision: Record<string, unknown> }[] = [];
  const run = async (authorization: string | null, resource?: string) => {
    const r = await call(authorization, resource);
    seen.push(r);
    return r;
  };

  const valid = await token();
  expect((await run(`Bearer ${valid}`)).outcome).toBe('allowed'); // cold: fetches the keys, verifies
  expect((await run(`Bearer ${valid}`)).outcome).toBe('allowed'); // verified-token cache hit
  expect((await run(`Bearer ${await token({ exp: Math.floor(clock / 1000) - 3600, iat: Math.floor(clock / 1000) - 7200 })}`)).outcome).toBe('Unauthorized');
  expect((await run(`Bearer ${await token({}, attacker)}`)).outcome).toBe('Unauthorized'); // kid k1, wrong key
  expect((await run(`Bearer ${await token({ scope: 'openid' })}`)).outcome).toBe('policy-denied');
  expect((await run(null)).outcome).toBe('Unauthorized');
  expect((await run(null, '/')).outcome).toBe('allowed');
  expect((await run(`Bearer ${valid}`, '/nowhere')).outcome).toBe('policy-denied');

  // A flood of unknown kids past the cooldown: one refetch, the rest refused by the cooldown.
  clock += 11_000;
  for (let i = 0; i < 20; i++) expect((await run(`Bearer ${await token({}, attacker, { kid: `random-${i}-${Math.random()}` })}`)).outcome).toBe('Unauthorized');

  // The issuer goes down; past the keys' max age (600 s after the last fetch) they are served stale.
  issuer.mode = 'error500';
  clock += 601_000;
  expect((await run(`Bearer ${await token()}`)).outcome).toBe('allowed'); // refresh fails: stale 1 s
  clock += 5_000;
  expect((await run(`Bearer ${await token()}`)).outcome).toBe('allowed'); // within the cooldown: no fetch, stale 6 s
  issuer.mode = 'hang';
  clock += 10_000;
  expect((await run(`Bearer ${await token()}`)).outcome).toBe('allowed'); // the fetch times out (300 ms): stale 16 s
  issuer.mode = 'ok';
  clock += 10_000;
  expect((await run(`Bearer ${await token()}`)).outcome).toBe('allowed'); // recovered: fresh keys

  for (const l of lines) expect(emfProblems(l)).toEqual([]);
  const { VerificationTime, ...counted } = sums(lines);
  expect(VerificationTime).toBeGreaterThan(0);
  expect(counted).toEqual({
    ColdStart: 1,
    'Allow{reason=TOKEN_VALID}': 6,
    'Allow{reason=ANONYMOUS}': 1,
    'Deny{reason=EXPIRED}': 1,
    'Deny{reason=SIGNATURE_INVALID}': 1,
    'Deny{reason=INSUFFICIENT_SCOPE}': 1,
    'Deny{reason=TOKEN_MISSING}': 1,
    'Deny{reason=ROUTE_UNKNOWN}': 1,
    'Deny{reason=KEY_NOT_FOUND}': 20,
    TokenCacheHit: 2, // the second call, and the unknown route
    TokenCacheMiss: 28,
    'KeyFetchOk{issuer=0}': 3, // cold, the first unknown kid, recovery
    'KeysInSet{issuer=0}': 3, // one key each time
    'KeyRefetchUnknownKid{issuer=0}': 1,
    'KeyRefetchRefused{issuer=0}': 20, // 19 kids, and the stale request within the cooldown
    'KeyFetchFailed{issuer=0}': 1,
    'KeyFetchTimedOut{issuer=0}': 1,
    'KeysServedStale{issuer=0}': 1 + 6 + 16,
  });
  expect(data(lines).filter((d) => d.name === 'KeysServedStale' && d.dimensions.issuer === '0').flatMap((d) => d.values)).toEqual([1, 6, 16]);
  // Every token not in the cache was verified, and timed.
  expect(data(lines).filter((d) => d.name === 'VerificationTime').flatMap((d) => d.values)).toHaveLength(28);
  // Each invocation flushed once, in one line; a refusal's metric and its log line give the same reason.
  for (const { emf, decision } of seen) {
    expect(emf).toHaveLength(1);
    const kind = { allow: 'Allow', deny: 'Deny', error: 'Error' }[decision.decision as string]!;
    expect(Object.keys(sums(emf)).filter((k) => /^(Allow|Deny|Error)\{/.test(k))).toEqual([`${kind}{reason=${String(decision.reason)}}`]);
  }
});

test('keys that cannot be had are an Error with KEYS_UNAVAILABLE, the 503 the alarm counts, and its failed fetch', async () => {
  issuer.mode = 'error500';
  const { call, lines } = setup();
  const r = await call(`Bearer ${await token()}`);
  expect(r.outcome).toBe('Authorizer unavailable');
  expect(r.decision).toMatchObject({ decision: 'error', reason: 'KEYS_UNAVAILABLE' });
  const { VerificationTime, ...counted } = sums(lines);
  expect(VerificationTime).toBeGreaterThanOrEqual(0);
  expect(counted).toEqual({ ColdStart: 1, 'Error{reason=KEYS_UNAVAILABLE}': 1, TokenCacheMiss: 1, 'KeyFetchFailed{issuer=0}': 1 });
});

test('what the prefetch at init counts goes with the first invocation’s flush', async () => {
  const { metrics, lines } = captureMetrics(() => clock);
  const authorizer = createAuthorizer(readConfig(authorizerEnv(issuer.url)), { now: () => clock, logger: captureLogger(), metrics });
  authorizer.prefetch();
  // Joins the prefetch in flight (one fetch at a time), so this waits for it without a timer.
  await authorizer.keyStore.candidates('k1', 'ES256');
  expect(issuer.hits.jwks).toBe(1);
  expect(lines).toEqual([]);
  await authorizer.handler(authorizerEvent({ resource: '/', authorization: null }));
  expect(lines).toHaveLength(1);
  expect(sums(lines)).toEqual({ ColdStart: 1, 'KeyFetchOk{issuer=0}': 1, 'KeysInSet{issuer=0}': 1, 'Allow{reason=ANONYMOUS}': 1 });
});

test('the namespace and the service come from the settings', async () => {
  const config = readConfig(authorizerEnv(issuer.url, { OIDC_METRICS_NAMESPACE: 'Payments/Auth', OIDC_METRICS_SERVICE: 'payments-api' }));
  const lines: string[] = [];
  const authorizer = createAuthorizer(config, { now: () => clock, logger: captureLogger() });
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => (lines.push(chunk), true)) as typeof process.stdout.write;
  try {
    await authorizer.handler(authorizerEvent({ resource: '/', authorization: null }));
  } finally {
    process.stdout.write = write;
  }
  expect(lines).toHaveLength(1);
  expect(data(lines)[0]).toMatchObject({ dimensions: { service: 'payments-api' } });
  expect(JSON.parse(lines[0]!)._aws.CloudWatchMetrics[0].Namespace).toBe('Payments/Auth');
});
