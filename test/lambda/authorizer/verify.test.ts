// Verification, table-driven over the attack classes of RFC 8725 and the claim rules.
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { exportJWK, importJWK, SignJWT } from 'jose';
import { TokenError } from '../../../lambda/authorizer/errors';
import type { FetchJson } from '../../../lambda/authorizer/http';
import { KeyStore } from '../../../lambda/authorizer/key-store';
import { DEFAULT_ALGORITHMS } from '../../../lambda/authorizer/algorithms';
import { canonicalSignatureBytes, JwtVerifier, type VerifierOptions } from '../../../lambda/authorizer/verify';
import { b64, decodePart, hmacSigned, rsaSigned, unsigned, withPayload } from '../../helpers/forge';
import { captureLogger } from '../../helpers/log';
import { ISSUER_AUDIENCE, makeKey, signToken, type TestKey } from '../../helpers/keys';

const ISSUER = 'https://issuer.example.com/realm';
const NOW = 1_800_000_000;

let rsa: TestKey, ec: TestKey, ed: TestKey, ps: TestKey, attacker: TestKey, small: KeyObject;
let fetched: string[];

function verifier(options: Partial<VerifierOptions> = {}) {
  fetched = [];
  const fetchJson: FetchJson = async (url) => {
    fetched.push(url);
    return { keys: [rsa.jwk, ec.jwk, ed.jwk, ps.jwk] };
  };
  const store = new KeyStore({
    issuer: ISSUER,
    jwksUri: `${ISSUER}/keys`,
    algorithms: DEFAULT_ALGORITHMS,
    maxAgeMs: 600_000,
    maxStaleMs: 0,
    cooldownMs: 30_000,
    fetchTimeoutMs: 1000,
    fetchMaxBytes: 1 << 20,
    fetchJson,
    now: () => NOW * 1000,
    logger: captureLogger(),
  });
  return new JwtVerifier(store, {
    issuer: ISSUER,
    audiences: new Set([ISSUER_AUDIENCE]),
    clientIdAsAudience: false,
    requiredScopes: ['openid'],
    usernameClaim: 'email',
    toleranceSeconds: 60,
    algorithms: DEFAULT_ALGORITHMS,
    requireAtJwt: false,
    ...options,
  });
}

const sign = (key: TestKey, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  signToken(key, ISSUER, { now: NOW, claims, header });

const payload = (over: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: ISSUER_AUDIENCE,
  sub: 'user-123',
  scope: 'openid profile',
  iat: NOW,
  exp: NOW + 600,
  ...over,
});

beforeAll(async () => {
  rsa = await makeKey('RS256', 'rsa-1');
  ec = await makeKey('ES256', 'ec-1');
  ed = await makeKey('EdDSA', 'ed-1');
  ps = await makeKey('PS384', 'ps-1');
  attacker = await makeKey('RS256', 'attacker');
  small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
});

describe('JwtVerifier accepts', () => {
  it.each(['rsa', 'ec', 'ed', 'ps'])('a valid %s token, with username, scopes and kid', async (which) => {
    const key = { rsa, ec, ed, ps }[which as 'rsa']!;
    const v = await verifier().verify(await sign(key), NOW);
    expect(v).toMatchObject({ sub: 'user-123', username: 'alice@example.com', kid: key.kid, alg: key.alg });
    expect([...v.scopes]).toEqual(['openid', 'profile', 'authenticated']);
    expect(v.scopeString).toBe('openid profile authenticated');
  });

  it.each([
    ['scp array (Okta)', { scope: undefined, scp: ['openid', 'profile'] }],
    ['scp string (Entra ID)', { scope: undefined, scp: 'openid profile' }],
    ['aud array holding ours (Auth0)', { aud: ['https://other', ISSUER_AUDIENCE] }],
    ['exp just inside the tolerance', { exp: NOW - 59 }],
    ['nbf just inside the tolerance', { nbf: NOW + 60 }],
    ['iat just inside the tolerance', { iat: NOW + 60 }],
  ])('%s', async (_name, claims) => {
    await expect(verifier().verify(await sign(rsa, claims), NOW)).resolves.toMatchObject({ sub: 'user-123' });
  });

  it('falls back to sub for the username when the username claim is absent', async () => {
    const v = await verifier().verify(await sign(rsa, { email: undefined }), NOW);
    expect(v.username).toBe('user-123');
  });

  it('accepts a token with no aud whose client_id is an audience, only when configured (Cognito)', async () => {
    const token = await sign(rsa, { aud: undefined, client_id: ISSUER_AUDIENCE });
    await expect(verifier().verify(token, NOW)).rejects.toMatchObject({ code: 'AUDIENCE_MISMATCH' });
    await expect(verifier({ clientIdAsAudience: true }).verify(token, NOW)).resolves.toMatchObject({ sub: 'user-123' });
    const other = await sign(rsa, { aud: undefined, client_id: 'someone-else' });
    await expect(verifier({ clientIdAsAudience: true }).verify(other, NOW)).rejects.toMatchObject({ code: 'AUDIENCE_MISMATCH' });
  });

  it('accepts token_use access, and refuses an ID token even when no scope is required', async () => {
    await expect(verifier().verify(await sign(rsa, { token_use: 'access' }), NOW)).resolves.toMatchObject({ sub: 'user-123' });
    await expect(verifier({ requiredScopes: [] }).verify(await sign(rsa, { token_use: 'id', scope: undefined }), NOW)).rejects.toMatchObject({ code: 'TOKEN_USE_INVALID' });
  });

  it('requires typ at+jwt only when configured (RFC 9068)', async () => {
    const plain = await sign(rsa, {}, { typ: 'JWT' });
    await expect(verifier().verify(plain, NOW)).resolves.toBeDefined();
    await expect(verifier({ requireAtJwt: true }).verify(plain, NOW)).rejects.toMatchObject({ code: 'TYP_INVALID' });
    await expect(verifier({ requireAtJwt: true }).verify(await sign(rsa, {}, { typ: 'application/at+jwt' }), NOW)).resolves.toBeDefined();
  });
});

type Attack = [name: string, make: () => Promise<string> | string, code: string];

const attacks: Attack[] = [
  // alg: none and confusion (RFC 8725 §2.1, §3.1)
  // jose refuses an off-allowlist alg before it looks at the signature: an empty one is still alg none.
  ['alg none, empty signature', () => unsigned({ alg: 'none', kid: 'rsa-1' }, payload()), 'ALG_NOT_ALLOWED'],
  ['alg none', () => unsigned({ alg: 'none', kid: 'rsa-1' }, payload(), 'c2ln'), 'ALG_NOT_ALLOWED'],
  ['alg None', () => unsigned({ alg: 'None', kid: 'rsa-1' }, payload(), 'c2ln'), 'ALG_NOT_ALLOWED'],
  ['alg NONE with a signature', () => unsigned({ alg: 'NONE', kid: 'rsa-1' }, payload(), 'c2ln'), 'ALG_NOT_ALLOWED'],
  ['no alg', () => unsigned({ kid: 'rsa-1' }, payload(), 'c2ln'), 'ALG_NOT_ALLOWED'],
  [
    'HS256 keyed with the RSA public key (PEM)',
    () => hmacSigned({ alg: 'HS256', kid: 'rsa-1' }, payload(), createPublicKey({ key: rsa.jwk as any, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string),
    'ALG_NOT_ALLOWED',
  ],
  ['HS256 keyed with the JWK n', () => hmacSigned({ alg: 'HS256', kid: 'rsa-1' }, payload(), String(rsa.jwk.n)), 'ALG_NOT_ALLOWED'],
  ['ES256 header on the RSA key kid', async () => (await sign(ec, {}, { kid: 'rsa-1' })), 'KEY_NOT_FOUND'],
  ['RS256 header on the EC key kid', async () => (await sign(rsa, {}, { kid: 'ec-1' })), 'KEY_NOT_FOUND'],
  ['PS256 on a key published for PS384 only', async () => {
    const t = await new SignJWT(payload()).setProtectedHeader({ alg: 'PS256', kid: 'ps-1' }).sign(await importJWK(await exportJWK(ps.privateKey), 'PS256'));
    return t;
  }, 'KEY_NOT_FOUND'],
  // kid tricks (§2.7)
  ['unknown kid', async () => sign(attacker), 'KEY_NOT_FOUND'],
  ['kid path traversal', async () => sign(attacker, {}, { kid: '../../../../dev/null' }), 'KEY_NOT_FOUND'],
  ['kid SQL-ish', async () => sign(attacker, {}, { kid: "x' OR '1'='1" }), 'KEY_NOT_FOUND'],
  ['kid very long', async () => sign(attacker, {}, { kid: 'k'.repeat(5000) }), 'TOKEN_MALFORMED'],
  ['kid not a string', () => unsigned({ alg: 'RS256', kid: { $ne: null } }, payload(), 'c2ln'), 'TOKEN_MALFORMED'],
  ['real kid, signed by the attacker', async () => sign(attacker, {}, { kid: 'rsa-1' }), 'SIGNATURE_INVALID'],
  // keys carried in the header are never used (§3.10)
  ['jwk header with the attacker key', async () => sign(attacker, {}, { jwk: { kty: attacker.jwk.kty, n: attacker.jwk.n, e: attacker.jwk.e } }), 'KEY_NOT_FOUND'],
  ['jku header to the attacker', async () => sign(attacker, {}, { jku: 'https://attacker.example/jwks' }), 'KEY_NOT_FOUND'],
  ['x5u header to the attacker', async () => sign(attacker, {}, { x5u: 'https://attacker.example/cert.pem' }), 'KEY_NOT_FOUND'],
  ['x5c header, real kid', async () => sign(attacker, {}, { kid: 'rsa-1', x5c: ['MIIB'] }), 'SIGNATURE_INVALID'],
  // headers we do not honour
  ['crit naming an unknown extension', () => unsigned({ alg: 'RS256', kid: 'rsa-1', crit: ['http://example.com/x'], 'http://example.com/x': 1 }, payload(), 'c2ln'), 'HEADER_UNSUPPORTED'],
  ['crit b64 with b64 false', async () => unsigned({ alg: 'RS256', kid: 'rsa-1', b64: false, crit: ['b64'] }, payload(), 'c2ln'), 'HEADER_UNSUPPORTED'],
  ['b64 false without crit', async () => unsigned({ alg: 'RS256', kid: 'rsa-1', b64: false }, payload(), 'c2ln'), 'HEADER_UNSUPPORTED'],
  // signatures
  ['ECDSA zero signature (r = s = 0)', () => unsigned({ alg: 'ES256', kid: 'ec-1' }, payload(), Buffer.alloc(64).toString('base64url')), 'SIGNATURE_INVALID'],
  ['ECDSA signature of the wrong length', () => unsigned({ alg: 'ES256', kid: 'ec-1' }, payload(), Buffer.alloc(70, 1).toString('base64url')), 'SIGNATURE_INVALID'],
  ['signature stripped', async () => (await sign(rsa)).replace(/\.[^.]+$/, '.'), 'TOKEN_MALFORMED'],
  ['payload swapped under a valid signature', async () => withPayload(await sign(rsa), payload({ sub: 'admin' })), 'SIGNATURE_INVALID'],
  ['signature with a trailing character', async () => (await sign(rsa)) + 'A', 'SIGNATURE_INVALID'],
  ['signature with a stray character inside', async () => (await sign(rsa)).replace(/\.([^.]{10})/g, '.$1*'), 'TOKEN_MALFORMED'],
  [
    'signature respelled in its unused trailing bits',
    async () => {
      const t = await sign(ec, {}); // 64 bytes: 86 chars, the last holding 4 unused bits
      const last = t.at(-1)!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      return t.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
    },
    'TOKEN_MALFORMED',
  ],
  ['signature with padding', async () => (await sign(rsa)) + '==', 'TOKEN_MALFORMED'],
  ['RSA key under 2048 bits (not in the set)', () => rsaSigned({ alg: 'RS256', kid: 'rsa-1' }, payload(), small), 'SIGNATURE_INVALID'],
  // malformed
  ['two parts', async () => (await sign(rsa)).split('.').slice(0, 2).join('.'), 'TOKEN_MALFORMED'],
  ['four parts', async () => (await sign(rsa)) + '.e30', 'TOKEN_MALFORMED'],
  ['JWE (five parts)', () => 'eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d', 'TOKEN_MALFORMED'],
  ['header not JSON', () => `${b64('not json')}.${b64(payload())}.c2ln`, 'TOKEN_MALFORMED'],
  ['header an array', () => `${b64([1])}.${b64(payload())}.c2ln`, 'TOKEN_MALFORMED'],
  ['header null', () => `${b64('null')}.${b64(payload())}.c2ln`, 'TOKEN_MALFORMED'],
  ['empty header', () => `.${b64(payload())}.c2ln`, 'TOKEN_MALFORMED'],
  ['payload not JSON', async () => {
    // A correctly signed token whose payload is not JSON.
    const input = `${b64({ alg: 'RS256', kid: 'rsa-1' })}.${b64('hello')}`;
    const { createSign } = await import('node:crypto');
    const priv = await exportJWK(rsa.privateKey);
    return `${input}.${createSign('sha256').update(input).sign({ key: priv as any, format: 'jwk' }).toString('base64url')}`;
  }, 'TOKEN_MALFORMED'],
  // claims (RFC 7519, §3.8–3.9)
  ['expired just past the tolerance', async () => sign(rsa, { exp: NOW - 60 }), 'EXPIRED'],
  ['not yet valid just past the tolerance', async () => sign(rsa, { nbf: NOW + 61 }), 'NOT_YET_VALID'],
  ['issued in the future past the tolerance', async () => sign(rsa, { iat: NOW + 61 }), 'ISSUED_IN_FUTURE'],
  ['no exp', async () => sign(rsa, { exp: undefined }), 'CLAIM_INVALID'],
  ['exp a string', async () => sign(rsa, { exp: String(NOW + 600) }), 'CLAIM_INVALID'],
  ['nbf a string', async () => sign(rsa, { nbf: 'soon' }), 'CLAIM_INVALID'],
  ['issuer with a trailing slash', async () => sign(rsa, { iss: `${ISSUER}/` }), 'ISSUER_MISMATCH'],
  ['issuer in another case', async () => sign(rsa, { iss: ISSUER.toUpperCase() }), 'ISSUER_MISMATCH'],
  ['issuer over http', async () => sign(rsa, { iss: ISSUER.replace('https', 'http') }), 'ISSUER_MISMATCH'],
  ['no issuer', async () => sign(rsa, { iss: undefined }), 'ISSUER_MISMATCH'],
  ['another audience', async () => sign(rsa, { aud: 'api://other' }), 'AUDIENCE_MISMATCH'],
  ['audience prefix', async () => sign(rsa, { aud: `${ISSUER_AUDIENCE}x` }), 'AUDIENCE_MISMATCH'],
  ['audience array without ours', async () => sign(rsa, { aud: ['a', 'b'] }), 'AUDIENCE_MISMATCH'],
  ['no audience', async () => sign(rsa, { aud: undefined }), 'AUDIENCE_MISMATCH'],
  ['audience an object', async () => sign(rsa, { aud: { 0: ISSUER_AUDIENCE } }), 'CLAIM_INVALID'],
  ['no sub', async () => sign(rsa, { sub: undefined }), 'CLAIM_INVALID'],
  ['no openid scope', async () => sign(rsa, { scope: 'profile' }), 'SCOPE_MISSING'],
  ['openid only as a substring', async () => sign(rsa, { scope: 'openidx profile' }), 'SCOPE_MISSING'],
  ['scope an object', async () => sign(rsa, { scope: { openid: true } }), 'CLAIM_INVALID'],
  ['scp element holding two scopes', async () => sign(rsa, { scope: undefined, scp: ['openid', 'read orders:write'] }), 'CLAIM_INVALID'],
  // ID tokens are not bearer credentials (Cognito marks them token_use id), even with no scope required.
  ['Cognito ID token (token_use id)', async () => sign(rsa, { token_use: 'id' }), 'TOKEN_USE_INVALID'],
  ['token_use of another kind', async () => sign(rsa, { token_use: 'refresh' }), 'TOKEN_USE_INVALID'],
];

describe('JwtVerifier refuses (RFC 8725 attack classes)', () => {
  it.each(attacks)('%s', async (_name, make, code) => {
    const error = await verifier().verify(await make(), NOW).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code });
  });

  it('never fetches anything a token names: only the configured JWKS is requested', async () => {
    const v = verifier();
    for (const [, make] of attacks) await v.verify(await make(), NOW).catch(() => undefined);
    expect(new Set(fetched)).toEqual(new Set([`${ISSUER}/keys`]));
  });

  it('refuses a token whose header names no key while several keys fit', async () => {
    const second = await makeKey('RS256', 'rsa-2');
    const v = new JwtVerifier(
      new KeyStore({
        issuer: ISSUER, jwksUri: `${ISSUER}/keys`, algorithms: DEFAULT_ALGORITHMS, maxAgeMs: 1e6, maxStaleMs: 0, cooldownMs: 1e6,
        fetchTimeoutMs: 1000, fetchMaxBytes: 1 << 20, fetchJson: async () => ({ keys: [rsa.jwk, second.jwk] }), now: () => NOW * 1000, logger: captureLogger(),
      }),
      { issuer: ISSUER, audiences: new Set([ISSUER_AUDIENCE]), clientIdAsAudience: false, requiredScopes: ['openid'], usernameClaim: 'email', toleranceSeconds: 60, algorithms: ['RS256'], requireAtJwt: false },
    );
    await expect(v.verify(await sign(rsa, {}, { kid: undefined }), NOW)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it('has a forged header decoded as we expect (sanity of the forge helper)', () => {
    expect(decodePart(unsigned({ alg: 'none' }, payload()), 0)).toEqual({ alg: 'none' });
  });
});

describe('canonicalSignatureBytes: the one spelling an encoder gives', () => {
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  /** The reference: Node's encoder, given the bytes its decoder reads from `s`. */
  const canonical = (s: string) => s.length > 0 && Buffer.from(s, 'base64url').toString('base64url') === s;
  const accepts = (s: string) => {
    try {
      return canonicalSignatureBytes(s) === Buffer.from(s, 'base64url').length;
    } catch (e) {
      expect(e).toMatchObject({ code: 'TOKEN_MALFORMED' });
      return false;
    }
  };

  it('agrees with decode-and-re-encode for every last character at every length mod 4', () => {
    let refused = 0;
    for (const prefix of ['', 'Q', 'QU', 'QUJ', 'QUJD', 'QUJDR', 'QUJDRE', 'QUJDREU']) {
      for (const c of `${ALPHABET}=+/.~ `) {
        const s = prefix + c;
        expect([s, accepts(s)]).toEqual([s, canonical(s)]);
        if (!canonical(s)) refused++;
      }
    }
    expect(refused).toBeGreaterThan(150);
  });

  it('agrees with it over random spellings, padding and foreign characters included', () => {
    let state = 7;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
    const chars = `${ALPHABET}=+/`;
    for (let i = 0; i < 3000; i++) {
      const n = 1 + (next() % 20);
      const s = Array.from({ length: n }, () => chars[next() % (next() % 9 === 0 ? chars.length : 64)]).join('');
      expect([s, accepts(s)]).toEqual([s, canonical(s)]);
    }
  });

  it('refuses an empty signature', () => {
    expect(() => canonicalSignatureBytes('')).toThrow(expect.objectContaining({ code: 'TOKEN_MALFORMED' }));
  });
});

describe('JwtVerifier: one issued token, one accepted spelling', () => {
  /** A token of `key` whose signature's first byte is 0 (about one in 256), so that it can be dropped. */
  async function withLeadingZero(key: TestKey): Promise<string> {
    for (let i = 0; ; i++) {
      const t = await sign(key, { jti: `n-${i}` });
      if (Buffer.from(t.split('.')[2]!, 'base64url')[0] === 0) return t;
    }
  }
  const dropFirstByte = (t: string) => {
    const [h, p, sig] = t.split('.');
    return `${h}.${p}.${Buffer.from(sig!, 'base64url').subarray(1).toString('base64url')}`;
  };

  it.each(['PS384', 'RS256'])('refuses a %s signature with its leading zero byte dropped, which jose alone would accept for PSS', async (alg) => {
    const key = alg === 'PS384' ? ps : rsa;
    const token = await withLeadingZero(key);
    await expect(verifier().verify(token, NOW)).resolves.toBeDefined();
    const short = dropFirstByte(token);
    await expect(verifier().verify(short, NOW)).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('shows why the modulus-length rule is ours: jose (WebCrypto, OpenSSL) verifies the shortened PSS signature', async () => {
    const { createLocalJWKSet, jwtVerify } = await import('jose');
    const short = dropFirstByte(await withLeadingZero(ps));
    await expect(jwtVerify(short, createLocalJWKSet({ keys: [ps.jwk] }), { currentDate: new Date(NOW * 1000) })).resolves.toBeDefined();
  });

  // ECDSA: (r, s) and (r, n − s) both verify, and we accept both, as jose does. Requiring low-s (as Bitcoin
  // does) would refuse about half of all honestly issued ES* tokens: WebCrypto, node:crypto, Go, Java and the
  // IdPs built on them emit either half at random. The twin carries the very claims, expiry and key of a token
  // its holder already has, so it grants nothing; it costs one more verified-token cache entry and API Gateway
  // cache key per issued token, at most (docs/security.md).
  const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
  const twin = (t: string) => {
    const [h, p, sig] = t.split('.');
    const bytes = Buffer.from(sig!, 'base64url');
    const sValue = BigInt(`0x${bytes.subarray(32).toString('hex')}`);
    const flipped = Buffer.from((P256_N - sValue).toString(16).padStart(64, '0'), 'hex');
    return { token: `${h}.${p}.${Buffer.concat([bytes.subarray(0, 32), flipped]).toString('base64url')}`, high: sValue > P256_N / 2n };
  };

  it('accepts an ECDSA signature and its n − s twin, as jose does, both for the same principal', async () => {
    const original = await sign(ec);
    const { token } = twin(original);
    const a = await verifier().verify(original, NOW);
    const b = await verifier().verify(token, NOW);
    expect({ sub: b.sub, exp: b.exp, kid: b.kid, scopes: [...b.scopes] }).toEqual({ sub: a.sub, exp: a.exp, kid: a.kid, scopes: [...a.scopes] });
  });

  it('has honest signers emit high-s about half the time, which is why low-s is not required', async () => {
    let high = 0;
    for (let i = 0; i < 64; i++) if (twin(await sign(ec, { jti: `j-${i}` })).high) high++;
    expect(high).toBeGreaterThan(8);
    expect(high).toBeLessThan(56);
  });
});
