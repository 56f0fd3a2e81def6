// Two issuers live at once, against loopback servers: one RS256 found by discovery, one ES256 by a configured
// JWKS URI. Each token is verified only under its own issuer's audiences and rules; an unconfigured iss costs
// no fetch; one issuer's outage or kid flood leaves the other alone; routes gated by claims and issuers hold
// through a policy cached on another route; claims reach the context typed.
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { readConfig } from '../../lambda/authorizer/config';
import { createAuthorizer } from '../../lambda/authorizer/handler';
import { readAuthContext } from '../../lambda/shared/auth-context';
import { authorizerEvent } from '../helpers/events';
import { startIssuer, type TestIssuer } from '../helpers/issuer';
import { makeKey, signToken, type TestKey } from '../helpers/keys';
import { auditLogsAtEnd, LogAudit } from '../../scripts/lib/log-audit';
import { captureMetrics } from '../helpers/metrics';

const NOW_MS = 1_800_000_000_000;
const ROUTES = [
  { method: 'GET', resourcePath: '/', auth: 'optional', scopes: [] },
  { method: 'GET', resourcePath: '/profile', auth: 'required', scopes: [] },
  { method: 'GET', resourcePath: '/admin', auth: 'required', scopes: [], claims: { 'cognito:groups': ['admins'] } },
  { method: 'GET', resourcePath: '/manage', auth: 'required', scopes: [], claims: { '/realm_access/roles': ['manager'] } },
  { method: 'GET', resourcePath: '/partners', auth: 'required', scopes: [], issuers: [] as string[] },
];

const audit = new LogAudit();
let a: TestIssuer;
let b: TestIssuer;
let rs: TestKey;
let es: TestKey;
let clock = NOW_MS;

function system() {
  const routes = ROUTES.map((r) => (r.resourcePath === '/partners' ? { ...r, issuers: [b.url] } : r));
  const env = {
    OIDC_ISSUERS: JSON.stringify([
      { issuer: a.url, audience: 'api-a', contextClaims: ['tenant_id'] },
      { issuer: b.url, audience: ['api-b'], jwksUri: b.jwksUri, requiredScopes: [], contextClaims: ['cognito:groups', '/realm_access/roles'] },
    ]),
    OIDC_ROUTES: JSON.stringify(routes),
    OIDC_FETCH_TIMEOUT_MS: '300',
  };
  const authorizer = createAuthorizer(readConfig(env), { now: () => clock, logger: audit.logger, metrics: captureMetrics(() => clock, audit.write).metrics });
  const decide = (resource: string, token?: string) =>
    authorizer.handler(authorizerEvent({ resource, authorization: token === undefined ? null : `Bearer ${audit.watch(token)}` }), { awsRequestId: 'r' }).then(
      (result) => ({ status: allows(result, resource) ? 200 : 403, result }),
      (e: Error) => ({ status: e.message === 'Unauthorized' ? 401 : 503, result: undefined }),
    );
  return { authorizer, decide };
}

/** Whether `result`'s policy allows GET `resource`: what API Gateway does with a policy it cached on another route. */
function allows(result: APIGatewayAuthorizerResult, resource: string): boolean {
  const arn = `arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET${resource}`;
  const [s] = result.policyDocument.Statement as { Effect: string; Resource: string | string[] }[];
  return s!.Effect === 'Allow' && [s!.Resource].flat().some((r) => new RegExp(`^${r.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`).test(arn));
}

const tokenA = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  signToken(rs, a.url, { now: Math.floor(clock / 1000), claims: { aud: 'api-a', tenant_id: 'acme', ...claims }, header });
const tokenB = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  signToken(es, b.url, { now: Math.floor(clock / 1000), claims: { aud: 'api-b', scope: undefined, ...claims }, header });
const reasons = () => audit.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'decision');

beforeAll(async () => {
  [rs, es] = await Promise.all([makeKey('RS256', 'rs-a'), makeKey('ES256', 'es-b')]);
});
beforeEach(async () => {
  clock = NOW_MS;
  [a, b] = await Promise.all([startIssuer([rs.jwk]), startIssuer([es.jwk])]);
});
afterEach(async () => {
  await Promise.all([a.close(), b.close()]);
});

describe('two issuers, each with its own audience, keys and rules', () => {
  it('accepts each token under its own issuer only', async () => {
    const { decide } = system();
    expect((await decide('/profile', await tokenA())).status).toBe(200);
    expect((await decide('/profile', await tokenB())).status).toBe(200); // B requires no scope
    expect((await decide('/profile', await tokenA({ aud: 'api-b' }))).status).toBe(401); // B's audience, A's token
    expect(reasons().at(-1)).toMatchObject({ reason: 'AUDIENCE_MISMATCH', iss: a.url });
    expect((await decide('/profile', await tokenA({ scope: 'profile' }))).status).toBe(403); // A still requires openid: insufficient_scope
    expect(reasons().at(-1)).toMatchObject({ reason: 'SCOPE_MISSING', iss: a.url });
    // A token claiming B but signed with A's key: looked up in B's keys only, never A's.
    const forged = await signToken(rs, b.url, { now: NOW_MS / 1000, claims: { aud: 'api-b' }, header: { kid: 'es-b' } });
    expect((await decide('/profile', forged)).status).toBe(401);
    expect(reasons().at(-1)).toMatchObject({ reason: 'KEY_NOT_FOUND', iss: b.url });
    const withAsKid = await signToken(rs, b.url, { now: NOW_MS / 1000, claims: { aud: 'api-b' } });
    expect((await decide('/profile', withAsKid)).status).toBe(401); // a kid B's set lacks: A's key is never tried
    expect(reasons().at(-1)).toMatchObject({ reason: 'KEY_NOT_FOUND', iss: b.url });
    expect(b.hits.discovery).toBe(0); // B's keys come from its configured JWKS URI
    expect(a.hits.discovery).toBe(1);
  });

  it("refuses A's iss with B's key and kid (401 KEY_NOT_FOUND), when A may refetch and inside A's cooldown", async () => {
    const { decide } = system();
    expect((await decide('/profile', await tokenA())).status).toBe(200);
    expect((await decide('/profile', await tokenB())).status).toBe(200);
    const before = { a: a.hits.jwks, b: b.hits.jwks };
    // Signed by B's key under B's kid, claiming A: looked up in A's keys only, which lack B's kid.
    const forge = () => signToken(es, a.url, { now: Math.floor(clock / 1000), claims: { aud: 'api-a', tenant_id: 'acme' } });
    clock += 10_000; // A's default cooldown has passed: the forged token makes A refetch, and A's set lacks es-b
    expect((await decide('/profile', await forge())).status).toBe(401);
    expect(reasons().at(-1)).toMatchObject({ reason: 'KEY_NOT_FOUND', iss: a.url });
    expect(a.hits.jwks - before.a).toBe(1);
    clock += 1_000; // inside A's cooldown: the same answer, from A's current set, with no fetch
    for (const path of ['/profile', '/']) {
      expect((await decide(path, await forge())).status).toBe(401);
      expect(reasons().at(-1)).toMatchObject({ reason: 'KEY_NOT_FOUND', iss: a.url });
    }
    expect({ a: a.hits.jwks - before.a, b: b.hits.jwks - before.b }).toEqual({ a: 1, b: 0 });
  });

  it('refuses an unconfigured iss with 401 and fetches nothing at all', async () => {
    const { decide } = system();
    const stranger = await signToken(rs, 'https://stranger.example.com', { now: NOW_MS / 1000, claims: { aud: 'api-a' } });
    expect((await decide('/profile', stranger)).status).toBe(401);
    expect(reasons().at(-1)).toMatchObject({ reason: 'ISSUER_MISMATCH' });
    expect({ ...a.hits, b: b.hits.jwks }).toEqual({ discovery: 0, jwks: 0, b: 0 });
  });

  it('keeps serving B while A is down, and names the failing issuer in its logs', async () => {
    a.mode = 'error500';
    const { decide } = system();
    expect((await decide('/profile', await tokenA())).status).toBe(503);
    expect((await decide('/profile', await tokenB())).status).toBe(200);
    const fetchLines = audit.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'jwks_fetch');
    expect(fetchLines.filter((l) => l.outcome === 'error').every((l) => l.iss === a.url)).toBe(true);
    expect(fetchLines.some((l) => l.outcome === 'ok' && l.iss === b.url)).toBe(true);
  });

  it('lets a kid flood on A cause no fetch on B', async () => {
    const { decide } = system();
    expect((await decide('/profile', await tokenA())).status).toBe(200);
    expect((await decide('/profile', await tokenB())).status).toBe(200);
    const before = { a: a.hits.jwks, b: b.hits.jwks };
    for (let round = 0; round < 3; round++) {
      clock += 31_000;
      for (let i = 0; i < 40; i++) expect((await decide('/profile', await tokenA({}, { kid: `flood-${round}-${i}` }))).status).toBe(401);
    }
    expect(a.hits.jwks - before.a).toBe(3); // one per cooldown
    expect(b.hits.jwks - before.b).toBe(0);
    expect((await decide('/profile', await tokenB({ jti: 'after-flood' }))).status).toBe(200);
  });
});

describe('routes gated by claims and issuers', () => {
  it('allows a group-gated route to a member and denies it to others, also through a policy cached on another route', async () => {
    const { decide } = system();
    const member = await tokenB({ 'cognito:groups': ['staff', 'admins'] });
    const other = await tokenB({ 'cognito:groups': ['staff'] });
    expect((await decide('/admin', member)).status).toBe(200);
    expect((await decide('/admin', other)).status).toBe(403);
    expect(reasons().at(-1)).toMatchObject({ decision: 'deny', reason: 'CLAIM_RULE_UNMET', iss: b.url });
    // API Gateway caches the answer for the Authorization header and reuses it on every route.
    const onProfile = (await decide('/profile', member)).result!;
    expect(allows(onProfile, '/admin')).toBe(true);
    const otherOnProfile = (await decide('/profile', other)).result!;
    expect(allows(otherOnProfile, '/profile')).toBe(true);
    expect(allows(otherOnProfile, '/admin')).toBe(false);
  });

  it('reads nested claims by JSON Pointer (Keycloak realm roles)', async () => {
    const { decide } = system();
    expect((await decide('/manage', await tokenB({ realm_access: { roles: ['manager'] } }))).status).toBe(200);
    expect((await decide('/manage', await tokenB({ realm_access: { roles: ['viewer'] } }))).status).toBe(403);
    expect((await decide('/manage', await tokenB({ 'realm_access.roles': ['manager'] }))).status).toBe(403); // a dotted name is not a path
  });

  it('limits a route to some issuers', async () => {
    const { decide } = system();
    expect((await decide('/partners', await tokenB())).status).toBe(200);
    expect((await decide('/partners', await tokenA())).status).toBe(403);
    expect(reasons().at(-1)).toMatchObject({ reason: 'ISSUER_NOT_ALLOWED', iss: a.url });
    expect((await decide('/partners')).status).toBe(401); // anonymous: a route with rules needs a token
  });
});

describe('claims handed downstream', () => {
  it('reach the Lambda typed, with the issuer that vouched, per issuer', async () => {
    const { decide } = system();
    const fromB = (await decide('/profile', await tokenB({ 'cognito:groups': ['admins'], realm_access: { roles: ['manager'] }, tenant_id: 'not-for-b' }))).result!;
    // What a proxy integration receives: API Gateway stringifies every context value.
    const event = { requestContext: { authorizer: { principalId: fromB.principalId, ...Object.fromEntries(Object.entries(fromB.context!).map(([k, v]) => [k, String(v)])) } } };
    const auth = readAuthContext(event as never);
    expect(auth.issuer).toBe(b.url);
    expect(auth.claim('cognito:groups')).toEqual(['admins']);
    expect(auth.claim('/realm_access/roles')).toEqual(['manager']);
    expect(auth.claim('tenant_id')).toBeUndefined(); // A's context claim, not B's
    const fromA = (await decide('/profile', await tokenA())).result!;
    expect(fromA.context).toMatchObject({ issuer: a.url, 'claim:tenant_id': 'acme' });
    for (const v of Object.values(fromA.context!)) expect(['string', 'number', 'boolean']).toContain(typeof v);
  });
});

auditLogsAtEnd(audit, 5);
