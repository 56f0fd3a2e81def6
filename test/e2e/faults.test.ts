// A failing issuer, at cold start and on a warm container with fresh, stale and too-stale keys: down,
// 500, slower than the timeout, garbage JSON, over the size cap, HTML, a discovery document naming
// another issuer, a jwks_uri that moved. The authorizer's clock is injected (no sleeping); only the
// fetch timeout is real, kept at 200 ms. Fetches are counted both as attempted and as arrived.
import { readConfig } from '../../lambda/authorizer/config';
import { createAuthorizer } from '../../lambda/authorizer/handler';
import { fetchJson, type FetchJson } from '../../lambda/authorizer/http';
import { authorizerEnv } from '../helpers/config';
import { startFaultIssuer, type FaultIssuer, type IssuerFault } from '../helpers/fault-issuer';
import { GatewayHarness } from '../helpers/gateway-harness';
import { makeKey, signToken, type TestKey } from '../helpers/keys';
import { auditLogsAtEnd, LogAudit } from '../../scripts/lib/log-audit';
import { captureMetrics } from '../helpers/metrics';

const T0 = 1_800_000_000_000;
const MAX_AGE_S = 600;
const MAX_STALE_S = 86_400;
/** The authorizer's default refetch cooldown. */
const COOLDOWN_S = 10;

const audit = new LogAudit();
let key: TestKey;
let next: TestKey;
let issuer: FaultIssuer;
let clock: number;

function system() {
  const attempts: string[] = [];
  const counting: FetchJson = (url, options) => {
    attempts.push(url);
    return fetchJson(url, options);
  };
  const env = { OIDC_FETCH_TIMEOUT_MS: '200', OIDC_FETCH_MAX_BYTES: '65536' };
  const authorizer = createAuthorizer(readConfig(authorizerEnv(issuer.url, env)), { fetchJson: counting, now: () => clock, logger: audit.logger, metrics: captureMetrics(() => clock, audit.write).metrics });
  const gateway = new GatewayHarness(authorizer.handler);
  const get = async (k: TestKey = key, path = '/profile') => {
    const token = audit.watch(await signToken(k, issuer.url, { now: Math.floor(clock / 1000) }));
    return (await gateway.request({ path, authorization: `Bearer ${token}` })).status;
  };
  /** Key-set fetches started: discovery requests (every fetch starts with discovery). */
  const fetches = () => attempts.filter((u) => u.endsWith('/.well-known/openid-configuration')).length;
  return { get, fetches, attempts, gateway };
}

beforeAll(async () => {
  [key, next] = await Promise.all([makeKey('ES256', 'current'), makeKey('ES256', 'next')]);
});
beforeEach(async () => {
  clock = T0;
  issuer = await startFaultIssuer([key.jwk]);
});
afterEach(() => issuer.close());

const FAULTS: readonly IssuerFault[] = ['down', 'error500', 'hang', 'garbage', 'huge', 'html', 'wrong-issuer', 'jwks-gone'];

type State = 'cold start' | 'warm, fresh keys' | 'warm, stale keys within the max stale age' | 'warm, keys past the max stale age';
/** How long after the warm-up fetch the failure is met, and what a request with a known kid gets. */
const STATES: readonly (readonly [State, number, number])[] = [
  ['cold start', 0, 503],
  ['warm, fresh keys', 60_000, 200],
  ['warm, stale keys within the max stale age', (MAX_AGE_S + 100) * 1000, 200],
  ['warm, keys past the max stale age', (MAX_AGE_S + MAX_STALE_S) * 1000, 503],
];

const SCENARIOS = STATES.flatMap(([state, after, status]) => FAULTS.map((fault) => [state, fault, after, status] as const));

describe.each(SCENARIOS)('%s, issuer %s', (state, fault, after, status) => {
  const cold = state === 'cold start';
  it(`answers ${status}, fetches at most once per cooldown${cold ? ' (after a backoff from 1 s while it holds no keys)' : ''}, and recovers once the issuer is back`, async () => {
    const s = system();
    if (state !== 'cold start') {
      expect(await s.get()).toBe(200);
      expect(s.fetches()).toBe(1);
    }
    clock += after;
    await issuer.setFault(fault);
    const before = s.fetches();

    expect(await s.get()).toBe(status);
    // Fresh keys need no fetch; any other state tries exactly once.
    expect(s.fetches() - before).toBe(state === 'warm, fresh keys' ? 0 : 1);
    // A kid the authorizer does not know: invalid (401) while it holds usable keys, the issuer failing or not;
    // 503 only while it has no keys to judge by.
    const unknownKid = status === 200 ? 401 : 503;
    if (state === 'warm, fresh keys') {
      // The unknown kid makes it try once; the issuer failing, the last good set lacks the kid: 401.
      expect(await s.get(next)).toBe(unknownKid);
      expect(s.fetches() - before).toBe(1);
    }
    // Twenty more requests inside the cooldown, known and unknown kids alternating: the same answers and no
    // further fetch.
    // Holding no keys at all, the authorizer retries after 1 s (then 2 s, 4 s, … up to the cooldown): the
    // first of these requests makes the second attempt, the rest wait out its 2 s backoff.
    clock += (COOLDOWN_S - 1) * 1000;
    for (let i = 0; i < 20; i++) {
      const k = i % 2 ? key : next;
      expect(await s.get(k)).toBe(k === key ? status : unknownKid);
    }
    expect(s.fetches() - before).toBe(cold ? 2 : 1);

    // The issuer is back, now also publishing the next key: the first request after the cooldown (the
    // backoff, at cold start) recovers.
    await issuer.setFault('none');
    issuer.keys = [key.jwk, next.jwk];
    clock += cold ? 2000 : 1000;
    expect(await s.get(next)).toBe(200);
    expect(await s.get(key)).toBe(200);
    expect(s.fetches() - before).toBe(cold ? 3 : 2);
  });
});

describe('a jwks_uri that moves', () => {
  it('is followed at cold start: discovery names the new place and the keys come from there', async () => {
    await issuer.setFault('jwks-moved');
    const s = system();
    expect(await s.get()).toBe(200);
    expect(issuer.requests).toEqual(['/.well-known/openid-configuration', '/moved/jwks']);
  });

  it('is followed by a warm authorizer when its keys are refreshed, new keys included', async () => {
    const s = system();
    expect(await s.get()).toBe(200);
    await issuer.setFault('jwks-moved');
    issuer.keys = [next.jwk];
    clock += (MAX_AGE_S + 1) * 1000;
    expect(await s.get(next)).toBe(200);
    expect(await s.get(key)).toBe(401); // the old key left with the move
    expect(issuer.requests).toEqual(['/.well-known/openid-configuration', '/jwks', '/.well-known/openid-configuration', '/moved/jwks']);
  });
});

describe('a burst of concurrent requests', () => {
  const burst = (s: ReturnType<typeof system>, make: (i: number) => Promise<string>) =>
    Promise.all(
      Array.from({ length: 200 }, async (_, i) => (await s.gateway.request({ path: '/profile', authorization: `Bearer ${audit.watch(await make(i))}` })).status),
    );
  const randomKid = (i: number) => signToken(key, issuer.url, { now: Math.floor(clock / 1000), header: { kid: `random-${i}-${Math.random().toString(36).slice(2)}` } });
  const known = () => signToken(key, issuer.url, { now: Math.floor(clock / 1000) });

  it('with 200 random kids on a warm authorizer causes one JWKS fetch per cooldown, and every answer is 401', async () => {
    const s = system();
    expect(await s.get()).toBe(200);
    clock += COOLDOWN_S * 1000;
    const before = s.fetches();
    // The burst's first request starts one fetch; the others join it, and it lacks every kid: 401.
    expect(new Set(await burst(s, randomKid))).toEqual(new Set([401]));
    expect(s.fetches() - before).toBe(1);
    // New kids inside the cooldown: no fetch, answered from the current set (401).
    expect(new Set(await burst(s, randomKid))).toEqual(new Set([401]));
    expect(s.fetches() - before).toBe(1);
    clock += COOLDOWN_S * 1000;
    expect(new Set(await burst(s, randomKid))).toEqual(new Set([401]));
    expect(s.fetches() - before).toBe(2);
    expect(issuer.requests.filter((p) => p === '/jwks')).toHaveLength(3);
  });

  it('at cold start against a hanging issuer shares one fetch: one discovery request, every answer 503', async () => {
    await issuer.setFault('hang');
    const s = system();
    expect(new Set(await burst(s, known))).toEqual(new Set([503]));
    expect(issuer.requests).toEqual(['/.well-known/openid-configuration']);
  });

  it('with stale keys and an issuer answering 500 tries once and serves every request from the stale keys', async () => {
    const s = system();
    expect(await s.get()).toBe(200);
    clock += (MAX_AGE_S + 1) * 1000;
    await issuer.setFault('error500');
    const before = issuer.requests.length;
    expect(new Set(await burst(s, known))).toEqual(new Set([200]));
    expect(issuer.requests.length - before).toBe(1);
    expect(s.gateway.downstreamCalls).toBe(201);
  });
});

auditLogsAtEnd(audit);
