// Access tokens from the embedded issuer: RFC 9068 JWT access tokens (typ at+jwt) with the claims the
// authorizer reads (iss, aud, sub, exp, scope, email). Requests are checked here, once, whether they
// come from the token CLI over HTTP or from a test in-process.
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
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
}

/** Checks a request body (from JSON) and fills in defaults. */
export function checkTokenRequest(value: unknown): CheckedTokenRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('the token request must be a JSON object');
  const r = value as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!['scope', 'email', 'sub', 'expiresInSeconds', 'audience'].includes(key)) throw bad(`unknown token request field ${JSON.stringify(key)}`);
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
  return { scope, email, sub, expiresInSeconds: expires, ...(audience !== undefined ? { audience } : {}) };
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
  return new SignJWT({ scope: r.scope, email: r.email, client_id: 'local-dev' })
    .setProtectedHeader({ alg: input.key.alg, kid: input.key.kid, typ: 'at+jwt' })
    .setIssuer(input.issuer)
    .setAudience(r.audience ?? input.audience)
    .setSubject(r.sub)
    .setIssuedAt(r.expiresInSeconds < 0 ? iat + r.expiresInSeconds - 60 : iat)
    .setExpirationTime(iat + r.expiresInSeconds)
    .setJti(randomUUID())
    .sign(input.key.privateKey);
}
