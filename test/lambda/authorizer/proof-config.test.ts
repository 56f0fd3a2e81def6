// The proof-of-possession settings (issue 22): the global, per-issuer and per-route senderConstraint, the DPoP
// proof's window and algorithms, the replay table, and which routes take proofs.
import { readConfig } from '../../../lambda/authorizer/config';
import { ConfigError } from '../../../lambda/authorizer/errors';
import { effectiveConstraint, parseRouteTable, routeTakesProof, type RouteRule } from '../../../lambda/shared/routes';

const ISSUER_A = 'https://a.example.com';
const ISSUER_B = 'https://b.example.com';
const route = (path: string, extra: Record<string, unknown> = {}) => ({ method: 'GET', resourcePath: path, auth: 'required', ...extra });
const env = (routes: object[], extra: Record<string, string> = {}) => ({
  OIDC_ISSUERS: JSON.stringify([{ issuer: ISSUER_A, audience: 'api' }, { issuer: ISSUER_B, audience: 'api', senderConstraint: 'required' }]),
  OIDC_ROUTES: JSON.stringify(routes),
  OIDC_DPOP_REPLAY_TABLE: 'replay',
  ...extra,
});

describe('proof-of-possession settings', () => {
  it('are off by default, with the documented window and algorithms, and need no table', () => {
    const c = readConfig({ OIDC_ISSUER: ISSUER_A, OIDC_AUDIENCE: 'api', OIDC_ROUTES: JSON.stringify([route('/')]) });
    expect(c).toMatchObject({ senderConstraint: 'off', dpopProofMaxAgeSeconds: 60, takesProofs: false, dpopReplayTable: undefined });
    expect(c.dpopAlgorithms).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);
    expect(c.issuers[0]!.senderConstraint).toBe('off');
    expect(c.routes[0]!.senderConstraint).toBeUndefined();
  });

  it('reads the global setting, an issuer override and a route override', () => {
    const c = readConfig(env([route('/a'), route('/b', { senderConstraint: 'off' }), route('/c', { senderConstraint: 'allowed', issuers: [ISSUER_A] })], {
      OIDC_SENDER_CONSTRAINT: 'allowed',
      OIDC_DPOP_PROOF_MAX_AGE_SECONDS: '30',
      OIDC_DPOP_ALGORITHMS: 'ES256, EdDSA',
    }));
    expect(c).toMatchObject({ senderConstraint: 'allowed', dpopProofMaxAgeSeconds: 30, dpopAlgorithms: ['ES256', 'EdDSA'], dpopReplayTable: 'replay', takesProofs: true });
    expect(c.issuers.map((i) => i.senderConstraint)).toEqual(['allowed', 'required']);
    expect(c.routes.map((r) => r.senderConstraint)).toEqual([undefined, 'off', 'allowed']);
  });

  it("takes the route's constraint when set, else the token issuer's (itself the global one when unset)", () => {
    const c = readConfig(env([route('/a'), route('/b', { senderConstraint: 'off' }), route('/c', { senderConstraint: 'allowed' })]));
    const [a, b] = c.issuers;
    expect(c.routes.map((r) => [effectiveConstraint(r, a!), effectiveConstraint(r, b!)])).toEqual([
      ['off', 'required'],
      ['off', 'off'],
      ['allowed', 'allowed'],
    ]);
  });

  it('says which routes take proofs, for the construct to put them behind an uncached authorizer', () => {
    const issuers = [
      { issuer: ISSUER_A, senderConstraint: 'off' as const },
      { issuer: ISSUER_B, senderConstraint: 'required' as const },
    ];
    const rule = (extra: Partial<RouteRule>): Pick<RouteRule, 'senderConstraint' | 'issuers'> => ({ issuers: [], ...extra });
    expect(routeTakesProof(rule({}), issuers)).toBe(true); // B's tokens may come
    expect(routeTakesProof(rule({ issuers: [ISSUER_A] }), issuers)).toBe(false); // only A's, which take none
    expect(routeTakesProof(rule({ issuers: [ISSUER_B] }), issuers)).toBe(true);
    expect(routeTakesProof(rule({ senderConstraint: 'off' }), issuers)).toBe(false);
    expect(routeTakesProof(rule({ senderConstraint: 'allowed', issuers: [ISSUER_A] }), issuers)).toBe(true);
    expect(routeTakesProof(rule({}), [issuers[0]!])).toBe(false);
  });

  it.each([
    [{ OIDC_SENDER_CONSTRAINT: 'on' }, /^OIDC_SENDER_CONSTRAINT: the value must be one of off, allowed, required, got "on"$/],
    [{ OIDC_DPOP_PROOF_MAX_AGE_SECONDS: '0' }, /^OIDC_DPOP_PROOF_MAX_AGE_SECONDS: must be between 1 and 3600/],
    [{ OIDC_DPOP_PROOF_MAX_AGE_SECONDS: '1m' }, /^OIDC_DPOP_PROOF_MAX_AGE_SECONDS: must be a whole number/],
    [{ OIDC_DPOP_ALGORITHMS: 'ES256 HS256' }, /^OIDC_DPOP_ALGORITHMS: "HS256" is not allowed/],
    [{ OIDC_DPOP_ALGORITHMS: 'none' }, /^OIDC_DPOP_ALGORITHMS: "none" is not allowed/],
    [{ OIDC_DPOP_ALGORITHMS: ' , ' }, /^OIDC_DPOP_ALGORITHMS: must name at least one algorithm/],
    [{ OIDC_DPOP_REPLAY_TABLE: '' }, /^OIDC_DPOP_REPLAY_TABLE: is required when a route takes proofs/],
    [{ OIDC_ISSUERS: JSON.stringify([{ issuer: ISSUER_A, audience: 'api', senderConstraint: true }]) }, /^OIDC_ISSUERS: issuers\[0\]\.senderConstraint must be one of off, allowed, required, got true$/],
  ])('refuses %o, naming the setting', (patch, message) => {
    const e = { ...env([route('/')]), ...patch };
    expect(() => readConfig(e)).toThrow(ConfigError);
    expect(() => readConfig(e)).toThrow(message);
  });

  it('refuses a route with an unknown sender constraint, naming the route', () => {
    expect(() => parseRouteTable(JSON.stringify([route('/a', { senderConstraint: 'strict' })]))).toThrow('OIDC_ROUTES: route GET /a senderConstraint must be one of off, allowed, required, got "strict"');
  });

  it('needs the replay table only when some route can take a proof', () => {
    const routes = [route('/a', { issuers: [ISSUER_A] })];
    expect(readConfig(env(routes, { OIDC_DPOP_REPLAY_TABLE: '' })).takesProofs).toBe(false);
    expect(() => readConfig(env([route('/a', { senderConstraint: 'allowed', issuers: [ISSUER_A] })], { OIDC_DPOP_REPLAY_TABLE: '' }))).toThrow(/OIDC_DPOP_REPLAY_TABLE/);
  });

  it('refuses a wildcard route whose policy would reach a route asking a stronger proof', () => {
    const table = (a: Record<string, unknown>, b: Record<string, unknown>) => JSON.stringify([route('/files/{proxy+}', a), route('/files/secret', b)]);
    expect(() => parseRouteTable(table({}, { senderConstraint: 'required' }))).toThrow(/also matches requests of GET \/files\/secret \(required, senderConstraint required\)/);
    expect(() => parseRouteTable(table({ senderConstraint: 'allowed' }, { senderConstraint: 'required' }))).toThrow(/also matches requests of/);
    expect(parseRouteTable(table({ senderConstraint: 'required' }, { senderConstraint: 'allowed' }))).toHaveLength(2);
    expect(parseRouteTable(table({}, {}))).toHaveLength(2);
  });
});
