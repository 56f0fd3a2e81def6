// Keys, tokens and events for the benchmark, made at bench time (nothing secret is committed).
// Tokens look like an IdP's access tokens: RS256 or ES256, a kid, iss/aud/exp/iat/nbf, scopes and an email.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { ROUTES } from '../../infra/routes';

export type Alg = 'RS256' | 'ES256';
export const ALGS: readonly Alg[] = ['RS256', 'ES256'];
export const AUDIENCE = 'bench-api';

export interface Signer {
  readonly kid: string;
  readonly alg: Alg;
  readonly privateKey: KeyObject;
  readonly jwk: JWK;
}

/** What the measuring children need: public keys and signed tokens only. */
export interface Fixtures {
  readonly issuer: string;
  readonly audience: string;
  readonly jwks: { keys: JWK[] };
  readonly tokens: Readonly<Record<Alg, readonly string[]>>;
  /** Well-formed tokens whose signature does not verify. */
  readonly forged: readonly string[];
}

/** An IdP-like key set: the RSA key in use, the previous RSA key still published, and an EC key. */
export function makeSigners(): Signer[] {
  const make = (kid: string, alg: Alg): Signer => {
    const { privateKey, publicKey } =
      alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return { kid, alg, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
  };
  return [make('rsa-2025', 'RS256'), make('rsa-2026', 'RS256'), make('ec-2026', 'ES256')];
}

export function signToken(signer: Signer, claims: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc({ alg: signer.alg, kid: signer.kid, typ: 'JWT' })}.${enc(claims)}`;
  const signature = sign('sha256', Buffer.from(input), signer.alg === 'ES256' ? { key: signer.privateKey, dsaEncoding: 'ieee-p1363' } : signer.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

export function claimsFor(issuer: string, n: number, nowSeconds = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return {
    iss: issuer,
    sub: `user-${n}`,
    aud: AUDIENCE,
    exp: nowSeconds + 3600,
    iat: nowSeconds - 5,
    nbf: nowSeconds - 5,
    jti: `jti-${n}-${nowSeconds}`,
    client_id: 'bench-client',
    scope: 'openid profile email',
    email: `user-${n}@example.com`,
  };
}

/** `count` distinct tokens per algorithm, signed with the newest key of that algorithm. */
export function makeFixtures(issuer: string, signers: readonly Signer[], count: number, forgedCount: number): Fixtures {
  const newest = (alg: Alg) => signers.filter((s) => s.alg === alg).at(-1)!;
  const tokens = {} as Record<Alg, string[]>;
  let n = 0;
  for (const alg of ALGS) tokens[alg] = Array.from({ length: count }, () => signToken(newest(alg), claimsFor(issuer, n++)));
  const forged = Array.from({ length: forgedCount }, (_, i) => {
    const t = tokens[ALGS[i % ALGS.length]!][i]!;
    const sig = Buffer.from(t.slice(t.lastIndexOf('.') + 1), 'base64url');
    sig[sig.length >> 1]! ^= 1;
    return `${t.slice(0, t.lastIndexOf('.') + 1)}${sig.toString('base64url')}`;
  });
  return { issuer, audience: AUDIENCE, jwks: { keys: signers.map((s) => s.jwk) }, tokens, forged };
}

/** The route table as the stack serialises it into OIDC_ROUTES. */
export const ROUTE_TABLE_JSON = JSON.stringify(ROUTES.map((r) => ({ method: r.method, resourcePath: r.path, auth: r.auth, scopes: r.scopes })));

/** The environment the stack would give our authorizer; everything else at its default. */
export function authorizerEnv(issuer: string, extra: Record<string, string> = {}): Record<string, string> {
  return { OIDC_ISSUER: issuer, OIDC_AUDIENCE: AUDIENCE, OIDC_ROUTES: ROUTE_TABLE_JSON, ...extra };
}
