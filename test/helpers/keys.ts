// Signing keys generated at test time (never committed), and tokens signed with them by jose.
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload, type JWTHeaderParameters } from 'jose';

export interface TestKey {
  readonly alg: string;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  /** The public JWK as an issuer would publish it. */
  readonly jwk: JWK;
}

let counter = 0;

export async function makeKey(alg = 'RS256', kid = `test-key-${++counter}`, extra: Partial<JWK> = {}): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig', ...extra };
  return { alg, kid, privateKey, jwk };
}

export const ISSUER_AUDIENCE = 'api://test';

export interface SignOptions {
  readonly claims?: JWTPayload & Record<string, unknown>;
  readonly header?: Partial<JWTHeaderParameters> & Record<string, unknown>;
  /** Seconds since the epoch for iat; exp is iat + lifetime. */
  readonly now?: number;
  readonly lifetime?: number;
}

/** A token the default test configuration accepts, with any claim or header overridden. */
export async function signToken(key: TestKey, issuer: string, options: SignOptions = {}): Promise<string> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const payload = {
    iss: issuer,
    aud: ISSUER_AUDIENCE,
    sub: 'user-123',
    email: 'alice@example.com',
    scope: 'openid profile',
    iat: now,
    exp: now + (options.lifetime ?? 600),
    ...options.claims,
  };
  for (const k of Object.keys(payload)) if ((payload as Record<string, unknown>)[k] === undefined) delete (payload as Record<string, unknown>)[k];
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...options.header } as JWTHeaderParameters).sign(key.privateKey);
}
