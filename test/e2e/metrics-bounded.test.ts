// Property-based: whatever arrives — arbitrary and forged tokens with random kids, issuers and algorithms, the
// named attack table, unknown routes and methods, an issuer that fails at random, a clock that jumps — the
// authorizer's metrics are valid EMF and their dimension values come from the fixed set metrics.ts lists: a
// reason code, an issuer's position, the configured service. Nothing a caller sends becomes a dimension.
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { readConfig } from '../../lambda/authorizer/config';
import { DEFAULTS } from '../../lambda/authorizer/defaults';
import { createAuthorizer } from '../../lambda/authorizer/handler';
import type { FetchJson } from '../../lambda/authorizer/http';
import { METRICS, REASONS } from '../../lambda/authorizer/metrics';
import { ROUTE_TABLE_JSON } from '../helpers/config';
import { authorizerEvent } from '../helpers/events';
import { ISSUER_AUDIENCE, makeKey, signToken, type TestKey } from '../helpers/keys';
import { auditLogsAtEnd, LogAudit } from '../../scripts/lib/log-audit';
import { captureMetrics, data, emfProblems } from '../helpers/metrics';
import { attackKeys, ATTACKS, CONTROLS, type AttackContext } from './attacks';

const ISSUERS = ['https://one.example.com', 'https://two.example.com'];
const START_MS = 1_800_000_000_000;
const RUNS = 600;

const audit = new LogAudit(ISSUERS);
let clock = START_MS;
let failing = false;
let failures = 0;
let keys: TestKey[];
let authorizer: ReturnType<typeof createAuthorizer>;
let lines: string[];

const ALLOWED: Readonly<Record<string, ReadonlySet<string>>> = {
  service: new Set([DEFAULTS.metricsService]),
  reason: new Set(Object.values(REASONS).flat()),
  issuer: new Set(ISSUERS.map((_, i) => String(i))),
};

beforeAll(async () => {
  keys = await Promise.all([makeKey('RS256', 'one-rs'), makeKey('ES256', 'two-es')]);
  const fetchJson: FetchJson = async (url) => {
    // Down: it times out and answers 500 by turns.
    if (failing) throw Object.assign(new Error('issuer down'), { code: ++failures % 2 === 0 ? 'FETCH_TIMEOUT' : 'FETCH_STATUS' });
    const issuer = ISSUERS.find((i) => url.startsWith(i));
    if (issuer === undefined) throw Object.assign(new Error(`not an issuer: ${url}`), { code: 'FETCH_NETWORK' });
    return url.endsWith('/.well-known/openid-configuration') ? { issuer, jwks_uri: `${issuer}/jwks` } : { keys: [keys[ISSUERS.indexOf(issuer)]!.jwk] };
  };
  const env = { OIDC_ISSUERS: JSON.stringify(ISSUERS.map((issuer) => ({ issuer, audience: ISSUER_AUDIENCE }))), OIDC_ROUTES: ROUTE_TABLE_JSON };
  const captured = captureMetrics(() => clock, audit.write);
  lines = captured.lines;
  authorizer = createAuthorizer(readConfig(env), { fetchJson, now: () => clock, logger: audit.logger, metrics: captured.metrics });
});

/** Every dimension value the lines carry, by dimension; fails on any line that is not valid EMF. */
function dimensionValues(): Map<string, Set<string>> {
  const seen = new Map<string, Set<string>>();
  for (const line of lines) expect(emfProblems(line)).toEqual([]);
  for (const d of data(lines)) {
    expect(Object.keys(METRICS)).toContain(d.name);
    for (const [k, v] of Object.entries(d.dimensions)) {
      if (!seen.has(k)) seen.set(k, new Set());
      seen.get(k)!.add(v);
    }
  }
  return seen;
}

const text = fc.string({ maxLength: 40 });
const claimsArb = fc.record(
  {
    iss: fc.oneof(fc.constantFrom(...ISSUERS, `${ISSUERS[0]}/`), text),
    aud: fc.oneof(fc.constant(ISSUER_AUDIENCE), text),
    sub: fc.oneof(fc.constant('user-1'), text),
    scope: fc.oneof(fc.constantFrom('openid', 'openid profile'), text),
    exp: fc.integer({ min: START_MS / 1000 - 1e5, max: START_MS / 1000 + 1e7 }),
  },
  { requiredKeys: [] },
);
const headerArb = fc.record({ kid: fc.oneof(fc.constantFrom('one-rs', 'two-es'), text, fc.uuid()), typ: fc.oneof(fc.constant('at+jwt'), text) }, { requiredKeys: [] });
/** Tokens: signed by an issuer's key with random claims and header, or noise, or three random parts. */
const tokenArb = fc.oneof(
  fc.tuple(fc.nat({ max: 1 }), claimsArb, headerArb).map(async ([k, claims, header]) => {
    const key = keys[k]!;
    return new SignJWT(claims).setProtectedHeader({ ...header, alg: key.alg }).sign(key.privateKey);
  }),
  fc.string({ unit: 'binary', maxLength: 200 }).map(async (s) => s),
  fc.array(fc.base64String({ maxLength: 80 }), { minLength: 3, maxLength: 3 }).map(async (p) => p.join('.').replace(/\+/g, '-').replace(/\//g, '_')),
);
const routeArb = fc.record({
  method: fc.oneof(fc.constantFrom('GET', 'POST', 'ANY'), fc.string({ maxLength: 8 })),
  resource: fc.oneof(fc.constantFrom('/', '/profile'), fc.string({ maxLength: 60 }).map((s) => `/${s}`)),
});

describe('metric dimensions', () => {
  it(`take only the listed values, whatever the input (${RUNS} runs: random tokens, kids, issuers, routes, outages, clock jumps)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(tokenArb, routeArb), { minLength: 1, maxLength: 4 }), fc.nat({ max: 2_000_000 }), fc.boolean(), async (requests, jumpMs, down) => {
        clock += jumpMs;
        failing = down && jumpMs % 3 === 0;
        for (const [pending, route] of requests) {
          const token = audit.watch(await pending);
          const event = authorizerEvent({ method: route.method, resource: route.resource, authorization: token === '' ? null : `Bearer ${token}` });
          await authorizer.handler(event).catch(() => undefined);
        }
      }),
      { numRuns: RUNS },
    );
    failing = false;
    const seen = dimensionValues();
    for (const [dimension, values] of seen) {
      expect(Object.keys(ALLOWED)).toContain(dimension);
      expect([...values].filter((v) => !ALLOWED[dimension]!.has(v))).toEqual([]);
    }
    // The run reached the key store's every path and refusals of many kinds, so the bound was tested, not assumed.
    const names = new Set(data(lines).map((d) => d.name));
    expect([...names]).toEqual(expect.arrayContaining(['Deny', 'KeyFetchOk', 'KeyFetchFailed', 'KeyFetchTimedOut', 'KeysServedStale', 'KeyRefetchUnknownKid', 'KeyRefetchRefused']));
    expect(seen.get('issuer')).toEqual(new Set(['0', '1']));
    expect(seen.get('reason')!.size).toBeGreaterThanOrEqual(6);
  });

  it('take only the listed values under the named attack table and its controls', async () => {
    failing = false;
    const attacks = await attackKeys();
    const context: AttackContext = { keys: attacks, issuer: ISSUERS[0]!, audience: ISSUER_AUDIENCE, now: clock / 1000, margin: 0, attackerUrl: 'https://attacker.invalid' };
    for (const [, authorization] of [...ATTACKS, ...CONTROLS]) {
      const values = [await authorization(context)].flat();
      values.forEach((v) => audit.watch(v.replace(/^\s*bearer\s+/i, '')));
      for (const resource of ['/', '/profile']) {
        await authorizer.handler(authorizerEvent({ resource, authorization: values })).catch(() => undefined);
      }
    }
    for (const [dimension, values] of dimensionValues()) expect([...values].filter((v) => !ALLOWED[dimension]!.has(v))).toEqual([]);
    // Each invocation is one line here: one reason per decision, issuers' fetches at most one per line.
    expect(lines.length).toBeGreaterThan(ATTACKS.length);
  });

  it('and a token of ours is still counted as allowed after all that', async () => {
    clock += 700_000;
    const before = lines.length;
    const token = audit.watch(await signToken(keys[1]!, ISSUERS[1]!, { now: Math.floor(clock / 1000) }));
    await authorizer.handler(authorizerEvent({ resource: '/profile', authorization: `Bearer ${token}` }));
    expect(data(lines.slice(before)).filter((d) => d.name === 'Allow').map((d) => d.dimensions)).toEqual([{ service: DEFAULTS.metricsService, reason: 'TOKEN_VALID' }, { service: DEFAULTS.metricsService }]);
  });
});

auditLogsAtEnd(audit);
