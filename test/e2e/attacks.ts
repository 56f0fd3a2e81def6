// The hostile-input table: named attack tokens and Authorization headers, each of which must end in 401
// and never reach a downstream Lambda, plus the control rows just inside each limit that must pass.
// Shared by the suites that drive it through the in-process gateway and through the local emulator.
import { createPublicKey, createSign, generateKeyPairSync, KeyObject, type JsonWebKey } from 'node:crypto';
import { CompactEncrypt, CompactSign, generateKeyPair, SignJWT, type JWK, type JWTHeaderParameters } from 'jose';
import { b64, hmacSigned, unsigned } from '../helpers/forge';
import { makeKey, type TestKey } from '../helpers/keys';

export interface AttackKeys {
  readonly rsa: TestKey;
  readonly ec: TestKey;
  readonly attacker: TestKey;
  /** A 1024-bit RSA key the issuer publishes (the authorizer must skip it). */
  readonly weak: { readonly kid: string; readonly privateKey: KeyObject; readonly jwk: JWK };
  /** A key the issuer publishes for encryption (`use: enc`). */
  readonly enc: { readonly kid: string; readonly privateKey: KeyObject; readonly jwk: JWK };
  /** Every public JWK the issuer publishes. */
  readonly published: readonly JWK[];
}

export async function attackKeys(): Promise<AttackKeys> {
  const [rsa, ec, attacker] = await Promise.all([makeKey('RS256', 'rsa-1'), makeKey('ES256', 'ec-1'), makeKey('RS256', 'attacker')]);
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const weak = { kid: 'weak-1024', privateKey: small.privateKey, jwk: { ...(small.publicKey.export({ format: 'jwk' }) as JWK), kid: 'weak-1024', alg: 'RS256', use: 'sig' } };
  const encPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const enc = { kid: 'enc-1', privateKey: encPair.privateKey, jwk: { ...(encPair.publicKey.export({ format: 'jwk' }) as JWK), kid: 'enc-1', use: 'enc' } };
  return { rsa, ec, attacker, weak, enc, published: [rsa.jwk, ec.jwk, weak.jwk, enc.jwk] };
}

export interface AttackContext {
  readonly keys: AttackKeys;
  readonly issuer: string;
  readonly audience: string;
  /** The authorizer's clock, in seconds. */
  readonly now: number;
  /** Seconds kept clear of each time limit when the authorizer's clock cannot be held still (real time). */
  readonly margin: number;
  /** Where an attacker would host keys (a loopback server that counts any request). */
  readonly attackerUrl: string;
}

/** One row: the Authorization header value(s) a client sends. */
export type Attack = readonly [name: string, authorization: (c: AttackContext) => Promise<string | string[]> | string | string[]];

const bearer = (t: string) => `Bearer ${t}`;

export function claims(c: AttackContext, over: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {
    iss: c.issuer,
    aud: c.audience,
    sub: 'user-123',
    email: 'alice@example.com',
    scope: 'openid profile',
    iat: c.now,
    exp: c.now + 600,
    ...over,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** A token our issuer's key really signed, with any claims or header. */
export function valid(c: AttackContext, over: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key: TestKey = c.keys.rsa): Promise<string> {
  const h: Record<string, unknown> = { alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header };
  for (const k of Object.keys(h)) if (h[k] === undefined) delete h[k];
  return new SignJWT(claims(c, over)).setProtectedHeader(h as JWTHeaderParameters).sign(key.privateKey);
}

/** Signs any header with node:crypto (jose refuses to produce some of these), RS256 or PKCS#1 keys. */
function rsaSign(header: Record<string, unknown>, payload: unknown, key: KeyObject | TestKey, signingInput?: string): string {
  const k = key instanceof KeyObject ? key : KeyObject.from(key.privateKey);
  const input = `${b64(header)}.${typeof payload === 'string' ? b64(payload) : b64(payload)}`;
  return `${input}.${createSign('sha256').update(signingInput ?? input).sign(k).toString('base64url')}`;
}

/** A 9.6 KB token of our issuer's, to plant where a log line might quote it. */
async function plantedJwt(c: AttackContext): Promise<string> {
  return valid(c, { planted: 'p'.repeat(6_950) });
}

const pem = (jwk: JWK) => createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
const pkcs1 = (jwk: JWK) => createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).export({ type: 'pkcs1', format: 'pem' }) as string;
/** P-256 group order n: (r, s) = (n, n) is the other "psychic signature". */
const P256_N = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');

export const ATTACKS: readonly Attack[] = [
  // alg none, in every casing (RFC 8725 §2.1)
  ['alg none, empty signature', (c) => bearer(unsigned({ alg: 'none', typ: 'JWT' }, claims(c)))],
  ['alg None', (c) => bearer(unsigned({ alg: 'None' }, claims(c)))],
  ['alg NONE', (c) => bearer(unsigned({ alg: 'NONE' }, claims(c)))],
  ['alg nOnE', (c) => bearer(unsigned({ alg: 'nOnE' }, claims(c)))],
  ['alg none with a kid and a dummy signature', (c) => bearer(unsigned({ alg: 'none', kid: 'rsa-1' }, claims(c), 'c2lnbmF0dXJl'))],
  ['alg none carrying a genuine RS256 signature of its input', (c) => bearer(rsaSign({ alg: 'none', kid: 'rsa-1' }, claims(c), c.keys.rsa))],
  // HS/RS confusion: the issuer's public key used as an HMAC secret (§2.1)
  ['HS256 keyed with the RSA public key (SPKI PEM)', (c) => bearer(hmacSigned({ alg: 'HS256', kid: 'rsa-1' }, claims(c), pem(c.keys.rsa.jwk)))],
  ['HS256 keyed with the RSA public key (PKCS#1 PEM)', (c) => bearer(hmacSigned({ alg: 'HS256', kid: 'rsa-1' }, claims(c), pkcs1(c.keys.rsa.jwk)))],
  ['HS384 keyed with the JWK modulus', (c) => bearer(hmacSigned({ alg: 'HS384', kid: 'rsa-1' }, claims(c), String(c.keys.rsa.jwk.n)))],
  ['HS512 keyed with the published JWK text', (c) => bearer(hmacSigned({ alg: 'HS512', kid: 'rsa-1' }, claims(c), JSON.stringify(c.keys.rsa.jwk)))],
  ['HS256 keyed with the EC public key (PEM)', (c) => bearer(hmacSigned({ alg: 'HS256', kid: 'ec-1' }, claims(c), pem(c.keys.ec.jwk)))],
  // kid injection (§2.7, §3.10)
  ['kid path traversal to /dev/null with an empty HMAC key', (c) => bearer(hmacSigned({ alg: 'HS256', kid: '../../../../../../dev/null' }, claims(c), ''))],
  ['kid absolute path, attacker-signed', async (c) => bearer(await valid(c, {}, { kid: '/proc/self/environ' }, c.keys.attacker))],
  ['kid SQL UNION naming the HMAC secret', (c) => bearer(hmacSigned({ alg: 'HS256', kid: "x' UNION SELECT 'secret' --" }, claims(c), 'secret'))],
  ["kid SQL tautology, attacker-signed", async (c) => bearer(await valid(c, {}, { kid: "rsa-1' OR '1'='1" }, c.keys.attacker))],
  ['kid 5000 characters long', async (c) => bearer(await valid(c, {}, { kid: 'k'.repeat(5000) }, c.keys.attacker))],
  ['kid with NUL and CRLF', async (c) => bearer(await valid(c, {}, { kid: 'rsa-1\u0000\r\nX-Injected: 1' }, c.keys.attacker))],
  ['kid an object (NoSQL operator)', (c) => bearer(rsaSign({ alg: 'RS256', kid: { $ne: null } }, claims(c), c.keys.attacker))],
  ['real kid, signed by the attacker', async (c) => bearer(await valid(c, {}, { kid: 'rsa-1' }, c.keys.attacker))],
  // keys carried in the token are never used (§3.10)
  ['jwk header with the attacker key, no kid', async (c) => bearer(await valid(c, {}, { kid: undefined, jwk: { kty: 'RSA', n: c.keys.attacker.jwk.n, e: c.keys.attacker.jwk.e } }, c.keys.attacker))],
  ['jwk header with the attacker key under the real kid', async (c) => bearer(await valid(c, {}, { kid: 'rsa-1', jwk: { kty: 'RSA', n: c.keys.attacker.jwk.n, e: c.keys.attacker.jwk.e } }, c.keys.attacker))],
  ['jku pointing at the attacker JWKS', async (c) => bearer(await valid(c, {}, { kid: 'attacker', jku: `${c.attackerUrl}/jwks.json` }, c.keys.attacker))],
  ['x5u pointing at the attacker certificate', async (c) => bearer(await valid(c, {}, { kid: 'attacker', x5u: `${c.attackerUrl}/cert.pem` }, c.keys.attacker))],
  [
    'x5c carrying the attacker key, real kid',
    async (c) => {
      const der = createPublicKey({ key: c.keys.attacker.jwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'der' }).toString('base64');
      return bearer(await valid(c, {}, { kid: 'rsa-1', x5c: [der] }, c.keys.attacker));
    },
  ],
  // header parameters we must not honour, on tokens our own key really signed
  ['unknown crit extension, genuinely signed', (c) => bearer(rsaSign({ alg: 'RS256', kid: 'rsa-1', crit: ['https://example.com/ext'], 'https://example.com/ext': true }, claims(c), c.keys.rsa))],
  ['crit empty, genuinely signed', (c) => bearer(rsaSign({ alg: 'RS256', kid: 'rsa-1', crit: [] }, claims(c), c.keys.rsa))],
  // jose's message for it quotes the entry: none of it may reach a log line (the suites' log audit).
  ['crit entry a whole JWT (9.6 KB), genuinely signed', async (c) => bearer(rsaSign({ alg: 'RS256', kid: 'rsa-1', crit: [await plantedJwt(c)] }, claims(c), c.keys.rsa))],
  [
    'b64 false (RFC 7797, unencoded payload signed as such)',
    (c) => {
      const header = { alg: 'RS256', kid: 'rsa-1', b64: false, crit: ['b64'] };
      const raw = JSON.stringify(claims(c));
      return bearer(`${b64(header)}.${b64(raw)}.${rsaSign(header, raw, c.keys.rsa, `${b64(header)}.${raw}`).split('.')[2]}`);
    },
  ],
  // signatures
  ['ECDSA zero signature (r = s = 0, CVE-2022-21449)', (c) => bearer(unsigned({ alg: 'ES256', kid: 'ec-1' }, claims(c), Buffer.alloc(64).toString('base64url')))],
  ['ECDSA r = s = n (curve order)', (c) => bearer(unsigned({ alg: 'ES256', kid: 'ec-1' }, claims(c), Buffer.concat([P256_N, P256_N]).toString('base64url')))],
  ['RSA all-zero signature', (c) => bearer(unsigned({ alg: 'RS256', kid: 'rsa-1' }, claims(c), Buffer.alloc(256).toString('base64url')))],
  ['signature stripped', async (c) => bearer((await valid(c)).replace(/[^.]+$/, ''))],
  ['payload swapped under a valid signature', async (c) => {
    const [h, , s] = (await valid(c)).split('.');
    return bearer(`${h}.${b64(claims(c, { sub: 'admin', scope: 'openid profile admin' }))}.${s}`);
  }],
  ['signature of another token', async (c) => {
    const a = (await valid(c)).split('.');
    const b = (await valid(c, { sub: 'someone-else' })).split('.');
    return bearer(`${b[0]}.${b[1]}.${a[2]}`);
  }],
  ['ES256 header on the RSA key (alg/key mismatch)', async (c) => bearer(await valid(c, {}, { kid: 'rsa-1' }, c.keys.ec))],
  // keys the issuer publishes but we must not use
  ['signed by a 1024-bit RSA key the issuer publishes', (c) => bearer(rsaSign({ alg: 'RS256', kid: c.keys.weak.kid }, claims(c), c.keys.weak.privateKey))],
  ['signed by a key the issuer publishes for encryption (use enc)', (c) => bearer(rsaSign({ alg: 'RS256', kid: c.keys.enc.kid }, claims(c), c.keys.enc.privateKey))],
  // JWE, nesting, size, malformed parts
  [
    'JWE (compact, RSA-OAEP-256 / A256GCM)',
    async (c) => {
      const { publicKey } = await generateKeyPair('RSA-OAEP-256');
      return bearer(await new CompactEncrypt(Buffer.from(JSON.stringify(claims(c)))).setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'rsa-1' }).encrypt(publicKey));
    },
  ],
  ['nested JWT (cty JWT, payload a signed token)', async (c) => {
    const inner = await valid(c);
    const outer = await new CompactSign(Buffer.from(inner)).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1', cty: 'JWT' }).sign(c.keys.rsa.privateKey);
    return bearer(outer);
  }],
  ['oversized: a genuinely signed 20 KB token', async (c) => bearer(await valid(c, { pad: 'x'.repeat(20_000) }))],
  ['oversized header object (17 KB), attacker-signed', async (c) => bearer(await valid(c, {}, { x: 'y'.repeat(17_000) }, c.keys.attacker))],
  ['deeply nested payload JSON', () => bearer(unsigned({ alg: 'RS256', kid: 'rsa-1' }, `${'['.repeat(5000)}${']'.repeat(5000)}`, 'c2lnbmF0dXJl'))],
  ['two parts', async (c) => bearer((await valid(c)).split('.').slice(0, 2).join('.'))],
  ['four parts', async (c) => bearer(`${await valid(c)}.${b64({})}`)],
  ['empty parts', () => bearer('..')],
  ['stray character inside the payload part', async (c) => bearer((await valid(c)).replace(/\.(.{8})/, '.$1*'))],
  ['header part not JSON', async (c) => bearer(`${b64('{"alg":"RS256",')}.${(await valid(c)).split('.').slice(1).join('.')}`)],
  // the Authorization header itself
  ['two Authorization headers, both valid', async (c) => [bearer(await valid(c)), bearer(await valid(c, { sub: 'user-456' }))]],
  ['two Authorization headers, valid then garbage', async (c) => [bearer(await valid(c)), 'Bearer garbage']],
  ['two credentials in one header', async (c) => `${bearer(await valid(c))}, ${bearer(await valid(c))}`],
  ['Bearer with no token', () => 'Bearer '],
  ['Bearer twice', async (c) => `Bearer ${bearer(await valid(c))}`],
  ['token without a scheme', async (c) => valid(c)],
  ['Basic credentials', () => `Basic ${Buffer.from('alice:secret').toString('base64')}`],
  ['whitespace inside the token', async (c) => bearer((await valid(c)).replace('.', ' .'))],
  // time limits, just past the 60 s tolerance (RFC 7519 §4.1.4–4.1.6)
  ['expired just past the tolerance', async (c) => bearer(await valid(c, { iat: c.now - 700, exp: c.now - 60 - c.margin }))],
  ['not yet valid just past the tolerance', async (c) => bearer(await valid(c, { nbf: c.now + 61 + c.margin }))],
  ['issued in the future just past the tolerance', async (c) => bearer(await valid(c, { iat: c.now + 61 + c.margin }))],
  // near-miss issuers and audiences
  ['issuer with a trailing slash', async (c) => bearer(await valid(c, { iss: `${c.issuer}/` }))],
  ['issuer in upper case', async (c) => bearer(await valid(c, { iss: c.issuer.toUpperCase() }))],
  ['issuer over https instead of http', async (c) => bearer(await valid(c, { iss: c.issuer.replace(/^http:/, 'https:') }))],
  ['issuer on localhost instead of 127.0.0.1', async (c) => bearer(await valid(c, { iss: c.issuer.replace('127.0.0.1', 'localhost') }))],
  ['issuer with a path appended', async (c) => bearer(await valid(c, { iss: `${c.issuer}/realms/x` }))],
  ['audience prefix of ours', async (c) => bearer(await valid(c, { aud: c.audience.slice(0, -1) }))],
  ['audience with a trailing slash', async (c) => bearer(await valid(c, { aud: `${c.audience}/` }))],
  ['audience in upper case', async (c) => bearer(await valid(c, { aud: c.audience.toUpperCase() }))],
  ['audience array without ours', async (c) => bearer(await valid(c, { aud: ['api://other', `${c.audience} `] }))],
  ['no audience', async (c) => bearer(await valid(c, { aud: undefined }))],
];

/**
 * Attacks whose kid the issuer never published: 401 inside the refetch cooldown (the current set lacks the
 * kid) and after it (the one refetch lacks it too). Never a 5xx, never a Lambda.
 */
export const UNPUBLISHED_KID_ATTACKS: ReadonlySet<string> = new Set([
  'kid absolute path, attacker-signed',
  'kid SQL tautology, attacker-signed',
  'kid with NUL and CRLF',
  'jku pointing at the attacker JWKS',
  'x5u pointing at the attacker certificate',
]);

/** Rows just inside each limit: these must be accepted (and reach the Lambda). */
export const CONTROLS: readonly Attack[] = [
  ['a valid token', async (c) => bearer(await valid(c))],
  ['lower-case bearer scheme', async (c) => `bearer ${await valid(c)}`],
  ['expired just inside the tolerance', async (c) => bearer(await valid(c, { iat: c.now - 700, exp: c.now - 59 + c.margin }))],
  ['not yet valid just inside the tolerance', async (c) => bearer(await valid(c, { nbf: c.now + 60 - c.margin }))],
  ['issued in the future just inside the tolerance', async (c) => bearer(await valid(c, { iat: c.now + 60 - c.margin }))],
  ['an EC-signed token', async (c) => bearer(await valid(c, {}, {}, c.keys.ec))],
];
