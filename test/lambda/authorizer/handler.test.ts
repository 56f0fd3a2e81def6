// The whole authorizer against a loopback issuer it discovers over real HTTP, with an injected clock.
import { KeyObject, sign } from 'node:crypto';
import { readConfig } from '../../../lambda/authorizer/config';
import { createAuthorizer, toGatewayError } from '../../../lambda/authorizer/handler';
import { TokenError, KeysUnavailableError } from '../../../lambda/authorizer/errors';
import { NO_METRICS } from '../../../lambda/authorizer/metrics';
import { authorizerEnv } from '../../helpers/config';
import { authorizerEvent } from '../../helpers/events';
import { startIssuer, type TestIssuer } from '../../helpers/issuer';
import { b64 } from '../../helpers/forge';
import { ISSUER_AUDIENCE, makeKey, signToken, type TestKey } from '../../helpers/keys';
import { captureLogger } from '../../helpers/log';

const PREFIX = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/';

let issuer: TestIssuer;
let key: TestKey;
let clock: number;

function setup(env: Record<string, string> = {}) {
  const logger = captureLogger();
  const authorizer = createAuthorizer(readConfig(authorizerEnv(issuer.url, { OIDC_FETCH_TIMEOUT_MS: '300', ...env })), { now: () => clock, logger, metrics: NO_METRICS });
  const call = (authorization: string | string[] | null, resource = '/profile') =>
    authorizer.handler(authorizerEvent({ resource, authorization }), { awsRequestId: 'req-1' });
  return { authorizer, logger, call };
}
const token = (claims: Record<string, unknown> = {}, k: TestKey = key) => signToken(k, issuer.url, { now: Math.floor(clock / 1000), claims });
const resources = (r: Awaited<ReturnType<ReturnType<typeof setup>['call']>>) =>
  (r.policyDocument.Statement[0] as { Effect: string; Resource: string[] }).Resource;

beforeAll(async () => {
  key = await makeKey('ES256', 'k1');
});
beforeEach(async () => {
  clock = 1_800_000_000_000;
  issuer = await startIssuer([key.jwk]);
});
afterEach(() => issuer.close());

describe('authorizer decisions', () => {
  it('allows a valid token every route its scopes reach, with the context downstream Lambdas read', async () => {
    const { call } = setup();
    const r = await call(`Bearer ${await token()}`);
    expect(r.principalId).toBe('user-123');
    expect(r.policyDocument.Statement[0]!.Effect).toBe('Allow');
    // `GET/profile/` too: API Gateway routes a trailing slash to the resource and keeps it in the methodArn.
    expect(resources(r)).toEqual([`${PREFIX}GET/`, `${PREFIX}GET/profile`, `${PREFIX}GET/profile/`]);
    expect(r.context).toEqual({ username: 'alice@example.com', scopes: 'openid profile authenticated', sub: 'user-123', anonymous: false, issuer: issuer.url });
    for (const v of Object.values(r.context!)) expect(['string', 'number', 'boolean']).toContain(typeof v);
  });

  it('answers the same policy whichever route the token was first seen on (cache-safe)', async () => {
    const { call } = setup({ OIDC_TOKEN_CACHE_SIZE: '0' });
    const t = await token();
    expect((await call(`Bearer ${t}`, '/')).policyDocument).toEqual((await call(`Bearer ${t}`, '/profile')).policyDocument);
  });

  it('leaves out the route whose scope the token lacks (API Gateway answers 403) and logs why', async () => {
    const { call, logger } = setup();
    const r = await call(`Bearer ${await token({ scope: 'openid' })}`);
    expect(resources(r)).toEqual([`${PREFIX}GET/`]);
    expect(logger.lines.at(-1)!.fields).toMatchObject({ decision: 'deny', reason: 'INSUFFICIENT_SCOPE', sub: 'user-123', kid: 'k1' });
  });

  it('lets anonymous callers reach the optional routes only', async () => {
    const { call } = setup();
    const r = await call(null, '/');
    expect(r.principalId).toBe('anonymous');
    expect(resources(r)).toEqual([`${PREFIX}GET/`]);
    expect(r.context).toEqual({ anonymous: true, scopes: '' });
  });

  it('agrees with the Lambda on an optional route that declares scopes: no token, no entry (401)', async () => {
    const routes = JSON.stringify([
      { method: 'GET', resourcePath: '/', auth: 'optional', scopes: [] },
      { method: 'GET', resourcePath: '/feed', auth: 'optional', scopes: ['feed'] },
    ]);
    const { call, logger } = setup({ OIDC_ROUTES: routes });
    await expect(call(null, '/feed')).rejects.toThrow(/^Unauthorized$/);
    expect(logger.lines.at(-1)!.fields).toMatchObject({ decision: 'deny', reason: 'TOKEN_MISSING' });
    // The anonymous policy (cached for no one, but reused by API Gateway per identity) leaves it out too.
    expect(resources(await call(null, '/'))).toEqual([`${PREFIX}GET/`]);
    expect(resources(await call(`Bearer ${await token({ scope: 'openid' })}`, '/feed'))).toEqual([`${PREFIX}GET/`]);
    expect(resources(await call(`Bearer ${await token({ scope: 'openid feed' })}`, '/feed'))).toEqual([`${PREFIX}GET/`, `${PREFIX}GET/feed`, `${PREFIX}GET/feed/`]);
  });

  it('answers Unauthorized when a required route gets no token', async () => {
    await expect(setup().call(null, '/profile')).rejects.toThrow(/^Unauthorized$/);
  });

  it('answers Unauthorized for an invalid token even on the anonymous-friendly homepage', async () => {
    const { call, logger } = setup();
    await expect(call(`Bearer ${await token({ aud: 'api://other' })}`, '/')).rejects.toThrow(/^Unauthorized$/);
    expect(logger.lines.at(-1)!.fields).toMatchObject({ decision: 'deny', reason: 'AUDIENCE_MISMATCH' });
    await expect(call('Basic dXNlcjpwYXNz', '/')).rejects.toThrow(/^Unauthorized$/);
  });

  it('refuses a token beside a second, blank Authorization copy (the one API Gateway would cache its answer under)', async () => {
    const { call, logger } = setup();
    await expect(call([`Bearer ${await token()}`, '\u00a0'])).rejects.toThrow(/^Unauthorized$/);
    expect(logger.lines.at(-1)!.fields).toMatchObject({ decision: 'deny', reason: 'TOKEN_AMBIGUOUS' });
    await expect(call(`\ufeffBearer ${await token()}`)).rejects.toThrow(/^Unauthorized$/);
    expect(logger.lines.at(-1)!.fields).toMatchObject({ decision: 'deny', reason: 'TOKEN_MALFORMED' });
  });

  it('answers a verified token that lacks a required scope with an explicit Deny of the whole stage (403 insufficient_scope), homepage too', async () => {
    const { call, logger } = setup({ OIDC_TOKEN_CACHE_SIZE: '0' });
    const t = await token({ scope: 'profile' });
    for (const route of ['/profile', '/']) {
      const r = await call(`Bearer ${t}`, route);
      expect(r).toEqual({ principalId: 'user-123', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: `${PREFIX}*` }] }, context: {} });
      expect(logger.lines.at(-1)!.fields).toMatchObject({ decision: 'deny', reason: 'SCOPE_MISSING', missingScope: 'openid', sub: 'user-123', iss: issuer.url, route: `GET ${route}` });
    }
    // A token that is not valid as well stays a 401, whatever its scopes.
    await expect(call(`Bearer ${await token({ scope: 'profile', aud: 'api://other' })}`)).rejects.toThrow(/^Unauthorized$/);
  });

  it('logs the iss of a token from another issuer beside the configured one, bounded and escaped', async () => {
    const { call, logger } = setup();
    const cases: [unknown, string][] = [
      ['https://evil.example.com/', 'https://evil.example.com/'],
      ['https://me:secret@evil.example.com/\n', 'https://***@evil.example.com/\\u000a'],
      ['https://evil.example.com/\n{"level":"ERROR"}\u001b[2J\u202e', 'https://evil.example.com/\\u000a{"level":"ERROR"}\\u001b[2J\\u202e'],
      [42, '(number)'],
      [undefined, '(undefined)'],
    ];
    for (const [iss, logged] of cases) {
      await expect(call(`Bearer ${await token({ iss })}`)).rejects.toThrow(/^Unauthorized$/);
      expect(logger.lines.at(-1)!.fields).toMatchObject({ reason: 'ISSUER_MISMATCH', iss: issuer.url, tokenIss: logged });
    }
    await expect(call(`Bearer ${await token({ iss: `https://${'a'.repeat(5000)}.example.com/` })}`)).rejects.toThrow(/^Unauthorized$/);
    const long = logger.lines.at(-1)!.fields.tokenIss as string;
    expect(long).toBe(`https://${'a'.repeat(120)}...`);
    expect(logger.text()).not.toContain('secret');
  });

  it('fails closed on a route missing from the table', async () => {
    const { call } = setup();
    await expect(call(null, '/admin')).rejects.toThrow(/^Unauthorized$/);
    const r = await call(`Bearer ${await token()}`, '/admin');
    expect(resources(r).some((x) => x.includes('admin'))).toBe(false);
  });
});

describe('authorizer when keys cannot be had', () => {
  it.each(['error500', 'hang', 'garbage', 'huge', 'html'] as const)('answers a non-Unauthorized error (503) when the issuer is %s at cold start', async (mode) => {
    issuer.mode = mode;
    const { call, logger } = setup();
    await expect(call(`Bearer ${await token()}`)).rejects.toThrow(/^Authorizer unavailable$/);
    expect(logger.lines.at(-1)!.fields).toMatchObject({ decision: 'error', reason: 'KEYS_UNAVAILABLE' });
  });

  it('answers 503 when nothing listens at the issuer (connection refused)', async () => {
    await issuer.close();
    const { call, logger } = setup();
    await expect(call(`Bearer ${await token()}`)).rejects.toThrow(/^Authorizer unavailable$/);
    expect(logger.lines.some((l) => l.fields.event === 'jwks_fetch' && l.fields.code === 'FETCH_NETWORK')).toBe(true);
    issuer = await startIssuer([key.jwk]); // for afterEach
  });

  it('recovers on a warm authorizer once the issuer answers again (after the cooldown)', async () => {
    issuer.mode = 'error500';
    const { call } = setup();
    const t = await token();
    await expect(call(`Bearer ${t}`)).rejects.toThrow(/^Authorizer unavailable$/);
    issuer.mode = 'ok';
    await expect(call(`Bearer ${t}`)).rejects.toThrow(/^Authorizer unavailable$/); // still within the cooldown
    clock += 30_000;
    await expect(call(`Bearer ${await token()}`)).resolves.toMatchObject({ principalId: 'user-123' });
  });

  it('maps errors in exactly one place', () => {
    expect(toGatewayError(new TokenError('EXPIRED', 'x')).message).toBe('Unauthorized');
    expect(toGatewayError(new KeysUnavailableError('x')).message).toBe('Authorizer unavailable');
    expect(toGatewayError(new TypeError('bug')).message).toBe('Authorizer unavailable');
  });
});

describe('authorizer key rotation and the verified-token cache', () => {
  it('accepts a token signed by a newly published key without a restart', async () => {
    const { call } = setup();
    await call(`Bearer ${await token()}`);
    const k2 = await makeKey('RS256', 'k2');
    issuer.keys = [key.jwk, k2.jwk];
    clock += 31_000;
    await expect(call(`Bearer ${await token({}, k2)}`)).resolves.toMatchObject({ principalId: 'user-123' });
  });

  it('answers a token naming a kid the issuer never published Unauthorized (KEY_NOT_FOUND), with one refetch per cooldown', async () => {
    const { call, logger } = setup();
    await call(`Bearer ${await token()}`);
    const attacker = await makeKey('ES256', 'never-published');
    const fetches = issuer.hits.jwks;
    clock += 10_000; // the default cooldown has passed: the first forged token makes a refetch, which lacks its kid
    await expect(call(`Bearer ${await token({}, attacker)}`)).rejects.toThrow(/^Unauthorized$/);
    expect(logger.lines.at(-1)!.fields).toMatchObject({ decision: 'deny', reason: 'KEY_NOT_FOUND' });
    expect(issuer.hits.jwks).toBe(fetches + 1);
    // Inside the cooldown: the same answer from the current set, and no fetch however many arrive.
    clock += 1_000;
    for (let i = 0; i < 20; i++) {
      const forged = await signToken(attacker, issuer.url, { now: Math.floor(clock / 1000), header: { kid: `random-${i}` } });
      await expect(call(`Bearer ${forged}`)).rejects.toThrow(/^Unauthorized$/);
      expect(logger.lines.at(-1)!.fields).toMatchObject({ decision: 'deny', reason: 'KEY_NOT_FOUND' });
    }
    expect(issuer.hits.jwks).toBe(fetches + 1);
  });

  it('accepts a key rotated in without pre-publication within one default cooldown (10 s)', async () => {
    const { call, logger } = setup();
    await call(`Bearer ${await token()}`); // keys fetched: the cooldown starts
    const k2 = await makeKey('ES256', 'k2');
    issuer.keys = [key.jwk, k2.jwk]; // a second later the issuer publishes k2 and signs with it at once
    clock += 1_000;
    const t = await token({}, k2);
    await expect(call(`Bearer ${t}`)).rejects.toThrow(/^Unauthorized$/); // inside the cooldown: our set lacks k2
    expect(logger.lines.at(-1)!.fields).toMatchObject({ decision: 'deny', reason: 'KEY_NOT_FOUND' });
    expect(issuer.hits.jwks).toBe(1);
    clock += 9_000; // one default cooldown after the fetch: the same token makes a refetch and verifies
    await expect(call(`Bearer ${t}`)).resolves.toMatchObject({ principalId: 'user-123', policyDocument: { Statement: [{ Effect: 'Allow' }] } });
    expect(issuer.hits.jwks).toBe(2);
  });

  it('serves a token seen before from the cache, still checking exp against the clock', async () => {
    const { call, logger } = setup();
    const t = await signToken(key, issuer.url, { now: Math.floor(clock / 1000), lifetime: 120 });
    await call(`Bearer ${t}`);
    await call(`Bearer ${t}`);
    expect(logger.lines.filter((l) => l.fields.event === 'decision').map((l) => l.fields.cached)).toEqual([false, true]);
    clock += 180_000 + 1000; // past exp + tolerance
    await expect(call(`Bearer ${t}`)).rejects.toThrow(/^Unauthorized$/);
  });

  it('drops a cached token once its key leaves the key set', async () => {
    const { call, logger } = setup();
    const t = await signToken(key, issuer.url, { now: Math.floor(clock / 1000), lifetime: 3600 });
    await call(`Bearer ${t}`);
    await call(`Bearer ${t}`);
    expect(logger.lines.filter((l) => l.fields.event === 'decision').map((l) => l.fields.cached)).toEqual([false, true]);
    const k2 = await makeKey('ES256', 'k2');
    issuer.keys = [k2.jwk];
    clock += 600_000; // keys stale: the cache steps aside, the keys are refreshed, and k1 is gone
    await expect(call(`Bearer ${t}`)).rejects.toThrow(/^Unauthorized$/);
    expect(logger.lines.at(-1)!.fields).toMatchObject({ decision: 'deny', reason: 'KEY_NOT_FOUND' });
  });

  it.each([
    ['its kid is republished with new material', { kid: 'k1' }],
    ['it names no kid', { kid: undefined }],
  ])('drops a cached token once its key is retired, even when %s', async (_name, header) => {
    const { call } = setup();
    const t = await signToken(key, issuer.url, { now: Math.floor(clock / 1000), lifetime: 3600, header });
    await expect(call(`Bearer ${t}`)).resolves.toMatchObject({ principalId: 'user-123' });
    const replacement = await makeKey('ES256', 'k1'); // new key material under the old kid
    const other = await makeKey('ES256', 'k2');
    issuer.keys = [header.kid ? replacement.jwk : other.jwk, other.jwk].filter((k, i, all) => all.indexOf(k) === i);
    clock += 31_000;
    await call(`Bearer ${await token({}, other)}`); // an unknown kid: the set is refetched while still fresh
    await expect(call(`Bearer ${t}`)).rejects.toThrow(/^Unauthorized$/);
  });

  it('does not let cache hits keep stale keys alive: a hit on stale keys verifies in full and refreshes', async () => {
    const { call, logger } = setup();
    const t = await signToken(key, issuer.url, { now: Math.floor(clock / 1000), lifetime: 3600 });
    await call(`Bearer ${t}`);
    const fetchesBefore = issuer.hits.jwks;
    clock += 600_000;
    await call(`Bearer ${t}`); // the key is still published: allowed, after a refresh
    expect(issuer.hits.jwks).toBe(fetchesBefore + 1);
    expect(logger.lines.filter((l) => l.fields.event === 'decision').map((l) => l.fields.cached)).toEqual([false, false]);
    await call(`Bearer ${t}`);
    expect(logger.lines.filter((l) => l.fields.event === 'decision').at(-1)!.fields.cached).toBe(true);
  });

  it('accepts a token inside the exp tolerance without remembering it', async () => {
    const { call, logger } = setup();
    const t = await token({ exp: Math.floor(clock / 1000) - 30 });
    await call(`Bearer ${t}`);
    await call(`Bearer ${t}`);
    expect(logger.lines.filter((l) => l.fields.event === 'decision').map((l) => [l.fields.decision, l.fields.cached])).toEqual([
      ['allow', false],
      ['allow', false],
    ]);
  });

  it('logs nothing of the header: an unknown crit entry holding a whole JWT (9.6 KB) leaves a short fixed line', async () => {
    const { call, logger } = setup();
    const planted = await signToken(key, issuer.url, { now: Math.floor(clock / 1000), claims: { pad: 'p'.repeat(7_000) } });
    expect(planted.length).toBeGreaterThan(9_600);
    expect(planted.length).toBeLessThan(10_000);
    // jose will not sign an unknown crit entry: signed here by node:crypto with the issuer's own key.
    const now = Math.floor(clock / 1000);
    const input = `${b64({ alg: 'ES256', kid: 'k1', crit: [planted] })}.${b64({ iss: issuer.url, aud: ISSUER_AUDIENCE, sub: 'user-123', scope: 'openid profile', iat: now, exp: now + 600 })}`;
    const t = `${input}.${sign('sha256', Buffer.from(input), { key: KeyObject.from(key.privateKey), dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    await expect(call(`Bearer ${t}`)).rejects.toThrow(/^Unauthorized$/);
    const line = logger.lines.at(-1)!;
    expect(line.fields).toMatchObject({ decision: 'deny', reason: 'HEADER_UNSUPPORTED' });
    expect(logger.text()).not.toContain(planted.slice(0, 40));
    expect(logger.text()).not.toContain(planted.split('.')[2]);
    expect(JSON.stringify(line).length).toBeLessThan(600);
  });

  it('never logs a token or its signature', async () => {
    const { call, logger } = setup();
    const tokens = [await token(), await token({ aud: 'x' }), await token({ scope: 'openid' })];
    for (const t of tokens) await call(`Bearer ${t}`).catch(() => undefined);
    await call(['Bearer a', `Bearer ${tokens[0]}`]).catch(() => undefined);
    const text = logger.text();
    expect(logger.lines.length).toBeGreaterThan(4);
    for (const t of tokens) {
      expect(text).not.toContain(t);
      expect(text).not.toContain(t.split('.')[2]);
      expect(text).not.toContain(t.split('.')[1]);
    }
  });
});

describe("the answer's size", () => {
  const LIMIT = 8192;
  const bytes = (answer: unknown) => Buffer.byteLength(JSON.stringify(answer));
  /** 200 literal routes a `wide` token reaches, and three a `few` token does. */
  const bigTable = JSON.stringify([
    { method: 'GET', resourcePath: '/', auth: 'optional', scopes: [] },
    ...Array.from({ length: 200 }, (_, i) => ({ method: 'GET', resourcePath: `/route-${i}`, auth: 'required', scopes: ['wide'] })),
    ...Array.from({ length: 3 }, (_, i) => ({ method: 'GET', resourcePath: `/few-${i}`, auth: 'required', scopes: ['few'] })),
  ]);
  const scopes300 = ['openid', 'profile', ...Array.from({ length: 298 }, (_, i) => `api:scope-${i}`)].join(' ');

  it.each([
    ['a 6 KB sub', { sub: 's'.repeat(6 * 1024) }],
    ['a sub one byte over 255', { sub: 'é'.repeat(127) + 'ab' }],
    ['300 scopes', { scope: scopes300 }],
    ['a 300-byte username claim', { email: `${'a'.repeat(288)}@example.com` }],
  ])('refuses (401 CLAIM_TOO_LARGE) a token with %s', async (_name, claims) => {
    const { call, logger } = setup();
    await expect(call(`Bearer ${await token(claims)}`)).rejects.toThrow(/^Unauthorized$/);
    expect(logger.lines.at(-1)!.fields).toMatchObject({ decision: 'deny', reason: 'CLAIM_TOO_LARGE' });
  });

  it('answers a token just inside every cap, within the limit', async () => {
    const { call } = setup();
    const claims = { sub: 's'.repeat(255), email: `${'a'.repeat(243)}@example.com`, scope: ['openid', 'profile', ...Array.from({ length: 60 }, (_, i) => `api:s-${String(i).padStart(6, '0')}`)].join(' ') };
    expect(Buffer.byteLength(`${claims.scope} authenticated`)).toBeLessThanOrEqual(1024);
    const r = await call(`Bearer ${await token(claims)}`);
    expect(r.principalId).toBe(claims.sub);
    expect(bytes(r)).toBeLessThanOrEqual(LIMIT);
  });

  it('counts the policy too: with a 200-route table a token allowed every route is refused (401 ANSWER_TOO_LARGE), one allowed a few is answered', async () => {
    const { call, logger } = setup({ OIDC_ROUTES: bigTable });
    await expect(call(`Bearer ${await token({ scope: 'openid wide' })}`, '/route-7')).rejects.toThrow(/^Unauthorized$/);
    expect(logger.lines.at(-1)!.fields).toMatchObject({ decision: 'deny', reason: 'ANSWER_TOO_LARGE' });
    const few = await call(`Bearer ${await token({ scope: 'openid few' })}`, '/few-1');
    expect(resources(few)).toHaveLength(7);
    expect(bytes(few)).toBeLessThanOrEqual(LIMIT);
  });

  it('never answers over 8 KB: a token with a 6 KB sub and 300 scopes against a 200-route table', async () => {
    const { call } = setup({ OIDC_ROUTES: bigTable, OIDC_TOKEN_CACHE_SIZE: '0' });
    const tokens = [
      await token({ sub: 's'.repeat(6 * 1024), scope: `${scopes300} wide few` }),
      await token({ sub: 's'.repeat(6 * 1024) }),
      await token({ scope: `${scopes300} wide` }),
      await token({ scope: 'openid wide' }),
      await token({ scope: 'openid few' }),
    ];
    for (const t of tokens) {
      for (const resource of ['/', '/route-0', '/few-0']) {
        const answer = await call(`Bearer ${t}`, resource).catch((e: Error) => e);
        if (answer instanceof Error) expect(answer.message).toBe('Unauthorized');
        else expect(bytes(answer)).toBeLessThanOrEqual(LIMIT);
      }
    }
  });
});
