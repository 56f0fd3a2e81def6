// Differential: over a generated corpus of correctly signed tokens whose parts are spelled every way a lax
// decoder would take (the + / alphabet, `~`, a length ≡ 1 mod 4, padding, whitespace, unused trailing bits,
// invalid UTF-8), plus plain valid ones, the verifier accepts no token that jose's jwtVerify refuses.
import { KeyObject, constants, sign as cryptoSign } from 'node:crypto';
import fc from 'fast-check';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { DEFAULT_ALGORITHMS } from '../../../lambda/authorizer/algorithms';
import type { FetchJson } from '../../../lambda/authorizer/http';
import { KeyStore } from '../../../lambda/authorizer/key-store';
import { JwtVerifier } from '../../../lambda/authorizer/verify';
import { captureLogger } from '../../helpers/log';
import { ISSUER_AUDIENCE, makeKey, type TestKey } from '../../helpers/keys';

const ISSUER = 'https://issuer.example.com';
const NOW = 1_800_000_000;
const RUNS = 600;

let keys: TestKey[];
let verifier: JwtVerifier;

beforeAll(async () => {
  keys = await Promise.all([makeKey('RS256', 'rs'), makeKey('ES256', 'es'), makeKey('EdDSA', 'ed'), makeKey('PS256', 'ps')]);
  const fetchJson: FetchJson = async () => ({ keys: keys.map((k) => k.jwk) });
  const store = new KeyStore({
    issuer: ISSUER, jwksUri: `${ISSUER}/keys`, algorithms: DEFAULT_ALGORITHMS, maxAgeMs: 1e9, maxStaleMs: 0, cooldownMs: 1000,
    fetchTimeoutMs: 1000, fetchMaxBytes: 1 << 20, fetchJson, now: () => NOW * 1000, logger: captureLogger(),
  });
  verifier = new JwtVerifier(store, {
    issuer: ISSUER, audiences: new Set([ISSUER_AUDIENCE]), clientIdAsAudience: false, requiredScopes: ['openid'], usernameClaim: 'email',
    toleranceSeconds: 60, algorithms: DEFAULT_ALGORITHMS, requireAtJwt: false,
  });
});

/** Signs the exact ASCII signing input, however its parts are spelled: what a forger with the key could issue. */
function signInput(key: TestKey, input: string): string {
  const k = KeyObject.from(key.privateKey);
  const data = Buffer.from(input, 'latin1');
  const sig =
    key.alg === 'EdDSA' ? cryptoSign(null, data, k)
    : key.alg === 'ES256' ? cryptoSign('sha256', data, { key: k, dsaEncoding: 'ieee-p1363' })
    : key.alg === 'PS256' ? cryptoSign('sha256', data, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
    : cryptoSign('sha256', data, k);
  return sig.toString('base64url');
}

/** Ways to spell the bytes of a part that a strict base64url decoder (jose's) refuses or reads otherwise. */
type Spelling = (bytes: Buffer) => string;
const SPELLINGS: Record<string, Spelling> = {
  canonical: (b) => b.toString('base64url'),
  'standard alphabet': (b) => b.toString('base64').replace(/=+$/, ''),
  'with padding': (b) => b.toString('base64url') + '='.repeat((4 - (b.toString('base64url').length % 4)) % 4 || 2),
  'a ~ inside': (b) => insert(b.toString('base64url'), '~'),
  'length ≡ 1 mod 4': (b) => {
    const s = b.toString('base64url');
    return s.length % 4 === 0 ? `${s}A` : s.length % 4 === 2 ? `${s}AAA` : `${s}AA`;
  },
  'a space inside': (b) => insert(b.toString('base64url'), ' '),
  'unused trailing bits set': (b) => {
    const s = b.toString('base64url');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    return s.length % 4 === 0 ? `${s}` : s.slice(0, -1) + alphabet[alphabet.indexOf(s.at(-1)!) | 1];
  },
};
const insert = (s: string, c: string) => `${s.slice(0, s.length >> 1)}${c}${s.slice(s.length >> 1)}`;

/** JSON text, or bytes that are not UTF-8 at all, for a header or payload. */
const INVALID_UTF8: readonly Buffer[] = [
  Buffer.from([0xff]),
  Buffer.from([0xc0, 0xaf]), // overlong '/'
  Buffer.from([0xed, 0xa0, 0x80]), // a UTF-16 surrogate spelled in UTF-8
  Buffer.from([0xe2, 0x82]), // truncated
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]), // five-byte form
];

function jsonBytes(value: Record<string, unknown>, badUtf8: Buffer | undefined): Buffer {
  if (!badUtf8) return Buffer.from(JSON.stringify(value));
  // The bad bytes inside a string value, so that only the UTF-8 is wrong, not the JSON around it.
  const text = JSON.stringify({ ...value, note: '@@' });
  const at = text.indexOf('@@');
  return Buffer.concat([Buffer.from(text.slice(0, at)), badUtf8, Buffer.from(text.slice(at + 2))]);
}

const payload = (extra: string) => ({
  iss: ISSUER, aud: ISSUER_AUDIENCE, sub: 'user-123', scope: 'openid profile', iat: NOW, exp: NOW + 600, email: `a${extra}@example.com`,
});

const spelling = fc.constantFrom(...Object.keys(SPELLINGS));
const corpusCase = fc.record({
  key: fc.nat({ max: 3 }),
  part: fc.constantFrom('header', 'payload', 'signature', 'none'),
  spelling,
  // Characters that push a standard-alphabet encoding to use + and /.
  filler: fc.string({ unit: fc.constantFrom('?', '>', '~', 'ÿ', 'a', '\u00fb', '\u00ef'), maxLength: 12 }),
  badUtf8: fc.option(fc.constantFrom(...INVALID_UTF8.keys()), { freq: 3 }),
  badUtf8In: fc.constantFrom('header', 'payload'),
});

const reference = (token: string) =>
  jwtVerify(token, createLocalJWKSet({ keys: keys.map((k) => k.jwk) }), {
    issuer: ISSUER, audience: ISSUER_AUDIENCE, algorithms: [...DEFAULT_ALGORITHMS], clockTolerance: 60,
    currentDate: new Date(NOW * 1000), requiredClaims: ['exp'],
  }).then(() => true, () => false);

describe('the verifier against jose, the reference implementation', () => {
  it(`accepts no token that jose's jwtVerify refuses (${RUNS} generated spellings over RS256, ES256, EdDSA, PS256)`, async () => {
    const tally = { ours: 0, jose: 0, refusedByBoth: 0 };
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(corpusCase, async (c) => {
        const key = keys[c.key]!;
        const bad = c.badUtf8 === null ? undefined : INVALID_UTF8[c.badUtf8];
        const headerBytes = jsonBytes({ alg: key.alg, kid: key.kid, typ: 'at+jwt', x: c.filler }, c.badUtf8In === 'header' ? bad : undefined);
        const payloadBytes = jsonBytes(payload(c.filler), c.badUtf8In === 'payload' ? bad : undefined);
        const spell = SPELLINGS[c.spelling]!;
        const header = c.part === 'header' ? spell(headerBytes) : headerBytes.toString('base64url');
        const body = c.part === 'payload' ? spell(payloadBytes) : payloadBytes.toString('base64url');
        const signed = signInput(key, `${header}.${body}`);
        const signature = c.part === 'signature' ? spell(Buffer.from(signed, 'base64url')) : signed;
        const token = `${header}.${body}.${signature}`;
        seen.add(c.spelling + (bad ? ' + invalid UTF-8' : ''));

        const ours = await verifier.verify(token, NOW).then(() => true, () => false);
        const theirs = await reference(token);
        if (ours) tally.ours++;
        if (theirs) tally.jose++;
        if (!ours && !theirs) tally.refusedByBoth++;
        if (ours && !theirs) throw new Error(`accepted a token jose refuses: ${c.part} ${c.spelling}${bad ? ' with invalid UTF-8' : ''}`);
      }),
      { numRuns: RUNS, seed: 20261201 },
    );
    // The corpus is not vacuous: it holds tokens both accept and many jose refuses, of every spelling.
    expect(tally.ours).toBeGreaterThan(20);
    expect(tally.refusedByBoth).toBeGreaterThan(RUNS / 4);
    expect(seen.size).toBeGreaterThanOrEqual(Object.keys(SPELLINGS).length + 3);
  });

  it('refuses the lax spellings a review found accepted, each correctly signed, as jose does', async () => {
    const key = keys[0]!;
    const headerBytes = Buffer.from(JSON.stringify({ alg: key.alg, kid: key.kid, x: '??>>' })); // base64 holds + and /
    const payloadBytes = Buffer.from(JSON.stringify(payload('??>>~~')));
    for (const name of ['standard alphabet', 'a ~ inside', 'length ≡ 1 mod 4']) {
      const spell = SPELLINGS[name]!;
      for (const part of ['header', 'payload'] as const) {
        const header = part === 'header' ? spell(headerBytes) : headerBytes.toString('base64url');
        const body = part === 'payload' ? spell(payloadBytes) : payloadBytes.toString('base64url');
        const token = `${header}.${body}.${signInput(key, `${header}.${body}`)}`;
        expect(header + body).not.toBe(headerBytes.toString('base64url') + payloadBytes.toString('base64url'));
        expect([name, part, await reference(token)]).toEqual([name, part, false]);
        await expect(verifier.verify(token, NOW)).rejects.toMatchObject({ name: 'TokenError' });
      }
    }
    for (const bad of INVALID_UTF8) {
      for (const part of ['header', 'payload'] as const) {
        const h = jsonBytes({ alg: key.alg, kid: key.kid }, part === 'header' ? bad : undefined).toString('base64url');
        const p = jsonBytes(payload(''), part === 'payload' ? bad : undefined).toString('base64url');
        const token = `${h}.${p}.${signInput(key, `${h}.${p}`)}`;
        expect(await reference(token)).toBe(false);
        await expect(verifier.verify(token, NOW)).rejects.toMatchObject({ code: 'TOKEN_MALFORMED' });
      }
    }
  });
});
