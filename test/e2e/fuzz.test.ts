// Property-based: random mutations of valid tokens (character flips, insertions, deletions, part swaps and
// drops, truncation, base64url re-encodings of a modified header or payload) are never accepted, and no
// Authorization header whatever makes the authorizer fail with anything but 401. The authorizer runs
// warm, keys in memory and the verified-token cache on, so a mutation cannot ride on the cached original.
import fc from 'fast-check';
import { readConfig } from '../../lambda/authorizer/config';
import { createAuthorizer } from '../../lambda/authorizer/handler';
import type { FetchJson } from '../../lambda/authorizer/http';
import { authorizerEnv } from '../helpers/config';
import { GatewayHarness } from '../helpers/gateway-harness';
import { makeKey, signToken } from '../helpers/keys';
import { auditLogsAtEnd, LogAudit } from '../../scripts/lib/log-audit';
import { captureMetrics } from '../helpers/metrics';

const ISSUER = 'https://issuer.example.com';
const NOW_MS = 1_800_000_000_000;
const MUTATION_RUNS = 2000;
const HEADER_RUNS = 1000;

const audit = new LogAudit([ISSUER]); // the forger's plausible values include the issuer, which lines name
let gateway: GatewayHarness;
let originals: string[];

beforeAll(async () => {
  const keys = await Promise.all([makeKey('RS256', 'rs'), makeKey('ES256', 'es'), makeKey('EdDSA', 'ed'), makeKey('PS256', 'ps')]);
  const fetchJson: FetchJson = async (url) =>
    url.endsWith('/.well-known/openid-configuration') ? { issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` } : { keys: keys.map((k) => k.jwk) };
  const authorizer = createAuthorizer(readConfig(authorizerEnv(ISSUER, { OIDC_TOKEN_CACHE_SIZE: '1000' })), { fetchJson, now: () => NOW_MS, logger: audit.logger, metrics: captureMetrics(() => NOW_MS, audit.write).metrics });
  gateway = new GatewayHarness(authorizer.handler);
  originals = await Promise.all(keys.map((k) => signToken(k, ISSUER, { now: NOW_MS / 1000 }).then((t) => audit.watch(t))));
  // Warm: every original is accepted, and now sits in the verified-token cache.
  for (const t of originals) expect((await gateway.request({ path: '/profile', authorization: `Bearer ${t}` })).status).toBe(200);
  expect(authorizer.tokenCache.size).toBe(originals.length);
});

// base64url, the separators and padding, characters a header might smuggle in, and whitespace.
const CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', '.', '=', '+', '/', '~', '*', '%', ' ', '\t', '"', '\\', 'é', '\u0000'];
const char = fc.constantFrom(...CHARS);
const position = fc.nat({ max: 100_000 });

type Mutation = (token: string) => string;
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const HEADER_KEYS = ['alg', 'kid', 'typ', 'crit', 'b64', 'jku', 'jwk', 'x5u', 'x5c', 'cty', 'zip', 'enc'];
const CLAIM_KEYS = ['iss', 'aud', 'sub', 'exp', 'nbf', 'iat', 'scope', 'scp', 'email', 'client_id'];
/** Values a forger would try: other algorithms and kids, near-miss issuers, wider scopes, far-off times. */
const PLAUSIBLE = fc.constantFrom<unknown>(
  'RS256', 'ES256', 'EdDSA', 'PS256', 'HS256', 'none', 'rs', 'es', 'ed', 'ps', 'another-kid', 'at+jwt', 'JWT', ['b64'], false,
  ISSUER, `${ISSUER}/`, 'api://test', ['api://test', 'x'], 'admin', 'openid profile admin', ['openid', 'profile'],
  0, NOW_MS / 1000, NOW_MS / 1000 + 1e6, -1,
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(position, char).map(([at, c]): Mutation => (t) => {
    const i = at % t.length;
    return t.slice(0, i) + c + t.slice(i + 1);
  }),
  fc.tuple(position, char).map(([at, c]): Mutation => (t) => {
    const i = at % (t.length + 1);
    return t.slice(0, i) + c + t.slice(i);
  }),
  position.map((at): Mutation => (t) => {
    const i = at % t.length;
    return t.slice(0, i) + t.slice(i + 1);
  }),
  fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 2 })).map(([a, b]): Mutation => (t) => {
    const parts = t.split('.');
    [parts[a], parts[b]] = [parts[b]!, parts[a]!];
    return parts.join('.');
  }),
  fc.nat({ max: 2 }).map((a): Mutation => (t) => t.split('.').filter((_, i) => i !== a).join('.')),
  fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 3 })).map(([a, at]): Mutation => (t) => {
    const parts = t.split('.');
    parts.splice(at, 0, parts[a] ?? '');
    return parts.join('.');
  }),
  position.map((at): Mutation => (t) => t.slice(0, at % t.length)),
  // Re-encode the header or the payload with one member changed or removed, keeping the signature
  // (weighted: these are the forgeries that matter most).
  { weight: 4, arbitrary: fc
    .tuple(fc.boolean(), fc.constantFrom(...HEADER_KEYS, ...CLAIM_KEYS), fc.option(fc.oneof(fc.jsonValue({ maxDepth: 2 }), PLAUSIBLE), { nil: undefined }))
    .map(([inHeader, key, value]): Mutation => (t) => {
      const parts = t.split('.');
      const index = inHeader ? 0 : 1;
      let decoded: Record<string, unknown>;
      try {
        decoded = decode(parts[index] ?? '');
      } catch {
        return t;
      }
      if (value === undefined) delete decoded[key];
      else decoded[key] = value;
      parts[index] = encode(decoded);
      return parts.join('.');
    }) },
  // The same JSON, spelled differently: whitespace, or padding the base64url.
  fc.tuple(fc.boolean(), fc.constantFrom('pretty', 'padded')).map(([inHeader, how]): Mutation => (t) => {
    const parts = t.split('.');
    const index = inHeader ? 0 : 1;
    try {
      const part = parts[index] ?? '';
      parts[index] = how === 'padded' ? Buffer.from(part, 'base64url').toString('base64') : Buffer.from(JSON.stringify(decode(part), null, 1)).toString('base64url');
    } catch {
      return t;
    }
    return parts.join('.');
  }),
);

describe('mutations of a valid token', () => {
  it(`are never accepted (${MUTATION_RUNS} runs, 1-4 mutations each, over RS256, ES256, EdDSA and PS256 tokens)`, async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 3 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (which, mutations) => {
        const original = originals[which]!;
        const mutated = mutations.reduce((t, m) => m(t), original);
        // A no-op (or a change only in the whitespace the header grammar allows around a token) is not a mutation.
        fc.pre(mutated.trim() !== original);
        checked++;
        audit.watch(mutated);
        const before = gateway.downstreamCalls;
        // 401 even for a kid the issuer never published (the clock stands still here, inside the refetch
        // cooldown): a token we cannot verify never chooses a 5xx.
        for (const path of ['/profile', '/']) expect((await gateway.request({ path, authorization: `Bearer ${mutated}` })).status).toBe(401);
        expect(gateway.downstreamCalls).toBe(before);
      }),
      { numRuns: MUTATION_RUNS },
    );
    expect(checked).toBe(MUTATION_RUNS);
    // The mutations reach every layer, the signature check included, not only the parser.
    const decisions = audit.lines.map((l) => JSON.parse(l) as { decision?: string; reason?: string });
    const reasons = new Set(decisions.filter((l) => l.decision === 'deny').map((l) => l.reason));
    expect([...reasons]).toEqual(expect.arrayContaining(['TOKEN_MALFORMED', 'SIGNATURE_INVALID', 'ALG_NOT_ALLOWED', 'HEADER_UNSUPPORTED']));
    // The key lookup too: a known kid that does not fit, or an unpublished one.
    expect(reasons.has('KEY_NOT_FOUND')).toBe(true);
    expect(decisions.filter((l) => l.decision === 'error')).toEqual([]);
  });
});

describe('any Authorization header at all', () => {
  const value = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.string({ maxLength: 300 }).map((s) => `Bearer ${s}`),
    fc.array(fc.base64String({ maxLength: 200 }), { minLength: 1, maxLength: 5 }).map((parts) => `Bearer ${parts.join('.').replace(/\+/g, '-').replace(/\//g, '_')}`),
  );

  it(`is answered 401 (or anonymous when one blank copy, on the homepage only); never 5xx, never a Lambda on /profile (${HEADER_RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: 1, maxLength: 2 }), async (values) => {
        values.forEach((v) => audit.watch(v));
        // Anonymous only for one copy of spaces and tabs: a second copy of any kind is ambiguous, and a
        // Unicode space is no blank (token.ts).
        const blank = values.length === 1 && /^[ \t]*$/.test(values[0]!);
        const before = gateway.downstream.get('GET /profile') ?? 0;
        expect((await gateway.request({ path: '/profile', authorization: values })).status).toBe(401);
        expect((await gateway.request({ path: '/', authorization: values })).status).toBe(blank ? 200 : 401);
        expect(gateway.downstream.get('GET /profile') ?? 0).toBe(before);
      }),
      { numRuns: HEADER_RUNS },
    );
  });
});

auditLogsAtEnd(audit, MUTATION_RUNS);
