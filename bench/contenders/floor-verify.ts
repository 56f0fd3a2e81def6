// The node:crypto floor: the least a correct verifier does for one token. base64url decode + JSON.parse of
// header and payload, crypto.verify with a pre-imported KeyObject, and the iss/aud/exp checks. Nothing else:
// no logging, no policy, no cache, no scope or nbf checks. Every ratio in the benchmark is taken against it.
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

export interface FloorKey {
  readonly alg: string;
  readonly key: KeyObject;
}

export type FloorKeys = ReadonlyMap<string, FloorKey>;

export function importFloorKeys(jwks: { keys: readonly unknown[] }): FloorKeys {
  const keys = new Map<string, FloorKey>();
  for (const jwk of jwks.keys as (JsonWebKey & { kid: string; alg: string })[]) {
    keys.set(jwk.kid, { alg: jwk.alg, key: createPublicKey({ key: jwk, format: 'jwk' }) });
  }
  return keys;
}

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** The verified claims, or a thrown Error. RS256 and ES256 only. */
export function floorVerify(token: string, keys: FloorKeys, issuer: string, audience: string, nowSeconds: number): Record<string, unknown> {
  const first = token.indexOf('.');
  const last = token.lastIndexOf('.');
  const header = decode(token.slice(0, first));
  const k = keys.get(header.kid);
  if (!k || k.alg !== header.alg) throw new Error('no key');
  const signature = Buffer.from(token.slice(last + 1), 'base64url');
  const options = k.alg === 'ES256' ? { key: k.key, dsaEncoding: 'ieee-p1363' as const } : k.key;
  if (!verify('sha256', Buffer.from(token.slice(0, last)), options, signature)) throw new Error('bad signature');
  const claims = decode(token.slice(first + 1, last));
  if (claims.iss !== issuer) throw new Error('iss');
  if (claims.aud !== audience && !(Array.isArray(claims.aud) && claims.aud.includes(audience))) throw new Error('aud');
  if (!(claims.exp > nowSeconds)) throw new Error('exp');
  return claims;
}
