// Turns one JWK from the issuer's set into a verification key bound to the algorithms it may serve.
// jose's importJWK does the JWK parsing and kty/crv/alg checks; the result becomes a node:crypto
// KeyObject so that verification can run synchronously on the hot path.
import { KeyObject, type webcrypto } from 'node:crypto';
import { importJWK, type JWK } from 'jose';
import { ALGORITHMS, MIN_RSA_BITS } from './algorithms';

export interface VerificationKey {
  readonly kid: string | undefined;
  readonly key: KeyObject;
  /** Allowlisted algorithms this key may verify: its JWK `alg` alone when it names one. */
  readonly algorithms: ReadonlySet<string>;
}

export type JwkRejection = { readonly kid: string | undefined; readonly reason: string };

const PUBLIC_MEMBERS: Record<string, readonly string[]> = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'] };

/** Imports `jwk` for the allowlisted algorithms it fits, or says why it cannot be used. */
export async function importVerificationKey(jwk: unknown, allowed: readonly string[]): Promise<VerificationKey | JwkRejection> {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return { kid: undefined, reason: 'not an object' };
  const j = jwk as Record<string, unknown>;
  const kid = typeof j.kid === 'string' ? j.kid : undefined;
  const reject = (reason: string): JwkRejection => ({ kid, reason });
  if (j.kid !== undefined && kid === undefined) return reject('kid is not a string');
  if (j.use !== undefined && j.use !== 'sig') return reject(`use is ${JSON.stringify(j.use)}, not "sig"`);
  if (j.key_ops !== undefined && !(Array.isArray(j.key_ops) && j.key_ops.includes('verify'))) return reject('key_ops does not allow verify');
  const kty = j.kty;
  if (typeof kty !== 'string' || !PUBLIC_MEMBERS[kty]) return reject(`kty ${JSON.stringify(kty)} is not RSA, EC or OKP`);

  const fits = allowed.filter((alg) => {
    const spec = ALGORITHMS[alg]!;
    return spec.kty === kty && (spec.crv === undefined || spec.crv === j.crv);
  });
  const algorithms = j.alg === undefined ? fits : fits.filter((a) => a === j.alg);
  if (algorithms.length === 0) {
    return reject(j.alg === undefined ? `no allowed algorithm fits kty ${kty}${j.crv ? ` crv ${String(j.crv)}` : ''}` : `alg ${JSON.stringify(j.alg)} is not allowed for this key`);
  }

  // Only the public members: a set that leaks private material must not make us hold a private key.
  const publicJwk: JWK = { kty };
  for (const m of PUBLIC_MEMBERS[kty]!) if (j[m] !== undefined) (publicJwk as Record<string, unknown>)[m] = j[m];
  let key: KeyObject;
  try {
    key = KeyObject.from(await importJWK(publicJwk, algorithms[0], { extractable: true }) as webcrypto.CryptoKey);
  } catch (e) {
    return reject(`import failed (${(e as { code?: string }).code ?? 'invalid'})`);
  }
  if (kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    return reject(`RSA modulus under ${MIN_RSA_BITS} bits`);
  }
  return { kid, key, algorithms: new Set(algorithms) };
}

export function isRejection(r: VerificationKey | JwkRejection): r is JwkRejection {
  return 'reason' in r;
}
