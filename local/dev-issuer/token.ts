// Access tokens from the embedded issuer: RFC 9068 JWT access tokens (typ at+jwt) with the claims the
// authorizer reads (iss, aud, sub, exp, scope, email), and with `dpopJwk` bound to that public key (RFC 9449
// §6: cnf.jkt, its RFC 7638 thumbprint). Requests are checked here, once, whether they come from the token CLI
// over HTTP or from a test in-process.
import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, importJWK, SignJWT, type JWK } from 'jose';
import type { SigningKey } from './keys';
import { LocalError } from '../errors';

export interface TokenRequest {
  /** Space-delimited. @default 'openid profile' */
  readonly scope?: string;
  /** @default 'alice@example.com' */
  readonly email?: string;
  /** @default derived from the email, stable across runs */
  readonly sub?: string;
  /** Negative for an already-expired token. @default 3600 (seconds) */
  readonly expiresInSeconds?: number;
  /** @default the issuer's audience */
  readonly audience?: string;
  /** More claims, such as `tenant_id` or `cognito:groups`; not the ones the fields above set. @default {} */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** A public JWK (EC, RSA or OKP) the token is bound to: it carries `cnf.jkt`, usable only with DPoP proofs signed by that key. @default - a bearer token */
  readonly dpopJwk?: JWK;
}

export const DEFAULT_SCOPE = 'openid profile';
export const DEFAULT_EMAIL = 'alice@example.com';
const MAX_LIFETIME_SECONDS = 30 * 86400;
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/; // RFC 6749 §3.3

const bad = (message: string) => new LocalError('TOKEN_REQUEST_INVALID', message);

export interface CheckedTokenRequest {
  readonly scope: string;
  readonly email: string;
  readonly sub: string;
  readonly expiresInSeconds: number;
  readonly audience?: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly dpopJwk?: JWK;
}

/** Claims the token request sets through its own fields, or the issuer always sets. */
const RESERVED_CLAIMS = new Set(['iss', 'aud', 'sub', 'exp', 'iat', 'nbf', 'jti', 'scope', 'email', 'client_id', 'cnf']);
/** Members only a private or secret JWK has (RFC 7518 §6). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const MAX_EXTRA_CLAIMS_BYTES = 4096;

/** Checks a request body (from JSON) and fills in defaults. */
export function checkTokenRequest(value: unknown): CheckedTokenRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('the token request must be a JSON object');
  const r = value as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!['scope', 'email', 'sub', 'expiresInSeconds', 'audience', 'claims', 'dpopJwk'].includes(key)) throw bad(`unknown token request field ${JSON.stringify(key)}`);
  }
  const text = (key: string, fallback: string | undefined): string | undefined => {
    const v = r[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || v.length > 1024) throw bad(`${key} must be a string of at most 1024 characters`);
    return v;
  };
  const scope = text('scope', DEFAULT_SCOPE)!;
  if (scope !== '' && !scope.split(' ').every((s) => SCOPE_TOKEN.test(s))) throw bad(`scope ${JSON.stringify(scope)} is not a space-delimited list of scope tokens`);
  const email = text('email', DEFAULT_EMAIL)!;
  const sub = text('sub', undefined) ?? `dev-${createHash('sha256').update(email).digest('hex').slice(0, 16)}`;
  if (sub === '') throw bad('sub must not be empty');
  const expires = r.expiresInSeconds ?? 3600;
  if (typeof expires !== 'number' || !Number.isInteger(expires) || Math.abs(expires) > MAX_LIFETIME_SECONDS) {
    throw bad(`expiresInSeconds must be a whole number of seconds within ±${MAX_LIFETIME_SECONDS}`);
  }
  const audience = text('audience', undefined);
  const claims = r.claims ?? {};
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw bad('claims must be an object of claim names and values');
  for (const name of Object.keys(claims)) if (RESERVED_CLAIMS.has(name)) throw bad(`claims may not set ${name}: use its own field`);
  if (JSON.stringify(claims).length > MAX_EXTRA_CLAIMS_BYTES) throw bad(`claims must be at most ${MAX_EXTRA_CLAIMS_BYTES} bytes of JSON`);
  const dpopJwk = r.dpopJwk === undefined ? undefined : publicJwk(r.dpopJwk);
  return { scope, email, sub, expiresInSeconds: expires, ...(audience !== undefined ? { audience } : {}), claims: claims as Record<string, unknown>, ...(dpopJwk ? { dpopJwk } : {}) };
}

/** `value` as an asymmetric public JWK; a private or symmetric key is refused (a proof's key must be public). */
function publicJwk(value: unknown): JWK {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('dpopJwk must be a public JWK object');
  const jwk = value as JWK;
  if (!['EC', 'RSA', 'OKP'].includes(String(jwk.kty))) throw bad('dpopJwk must be an EC, RSA or OKP public key');
  const secret = PRIVATE_MEMBERS.filter((m) => m in jwk);
  if (secret.length > 0) throw bad(`dpopJwk holds private key members (${secret.join(', ')}): send the public key only`);
  if (JSON.stringify(jwk).length > MAX_EXTRA_CLAIMS_BYTES) throw bad(`dpopJwk must be at most ${MAX_EXTRA_CLAIMS_BYTES} bytes of JSON`);
  return jwk;
}

/** The RFC 7638 thumbprint of a public JWK, once jose has imported it (so the key is well-formed). */
async function thumbprintOf(jwk: JWK): Promise<string> {
  try {
    await importJWK(jwk, jwk.kty === 'OKP' ? 'EdDSA' : jwk.kty === 'RSA' ? 'PS256' : ({ 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' } as Record<string, string>)[String(jwk.crv)] ?? 'ES256');
    return await calculateJwkThumbprint(jwk);
  } catch {
    throw bad('dpopJwk is not a usable public key');
  }
}

export interface MintInput {
  readonly key: SigningKey;
  readonly issuer: string;
  readonly audience: string;
  readonly request: TokenRequest;
  /** Seconds since the epoch. */
  readonly nowSeconds: number;
}

export async function mintToken(input: MintInput): Promise<string> {
  const r = checkTokenRequest(input.request);
  const iat = input.nowSeconds;
  const cnf = r.dpopJwk ? { cnf: { jkt: await thumbprintOf(r.dpopJwk) } } : {};
  return new SignJWT({ ...r.claims, scope: r.scope, email: r.email, client_id: 'local-dev', ...cnf })
    .setProtectedHeader({ alg: input.key.alg, kid: input.key.kid, typ: 'at+jwt' })
    .setIssuer(input.issuer)
    .setAudience(r.audience ?? input.audience)
    .setSubject(r.sub)
    .setIssuedAt(r.expiresInSeconds < 0 ? iat + r.expiresInSeconds - 60 : iat)
    .setExpirationTime(iat + r.expiresInSeconds)
    .setJti(randomUUID())
    .sign(input.key.privateKey);
}
