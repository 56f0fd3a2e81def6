// Turns one JWK from the issuer's set into a verification key bound to the algorithms it may serve: the
// kty/crv/alg checks here, the key material checked by OpenSSL as node:crypto imports it into the KeyObject
// that verification then uses synchronously on the hot path.
// Not jose's importJWK: it imports through WebCrypto, whose first use costs ~1 ms of every cold start and
// whose imports are each a promise, and it was all jose was in the bundle for (~5.5 KB of the 25 KB budget).
// node:crypto runs the same OpenSSL import and checks (well-formed members, an EC point on its curve); the
// type and curve of the result are checked below as WebCrypto checked them against the algorithm.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ALGORITHMS, MIN_RSA_BITS } from './algorithms';

export interface VerificationKey {
  readonly kid: string | undefined;
  readonly key: KeyObject;
  /** Allowlisted algorithms this key may verify: its JWK `alg` alone when it names one. */
  readonly algorithms: ReadonlySet<string>;
}

export type JwkRejection = { readonly kid: string | undefined; readonly reason: string };

const PUBLIC_MEMBERS: Record<string, readonly string[]> = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'] };
/** The KeyObject type, and EC curve, a JWK kty and crv must import as. */
const KEY_TYPES: Record<string, string> = { RSA: 'rsa', EC: 'ec', OKP: 'ed25519' };
const CURVES: Record<string, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };

/** Imports `jwk` for the allowlisted algorithms it fits, or says why it cannot be used. */
export function importVerificationKey(jwk: unknown, allowed: readonly string[]): VerificationKey | JwkRejection {
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
  const publicJwk: Record<string, unknown> = { kty };
  for (const m of PUBLIC_MEMBERS[kty]!) if (j[m] !== undefined) publicJwk[m] = j[m];
  let key: KeyObject;
  try {
    key = createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' });
  } catch (e) {
    return reject(`import failed (${(e as { code?: string }).code ?? 'invalid'})`);
  }
  if (key.asymmetricKeyType !== KEY_TYPES[kty] || (kty === 'EC' && key.asymmetricKeyDetails?.namedCurve !== CURVES[j.crv as string])) {
    return reject(`key material is not a ${kty}${j.crv ? ` ${String(j.crv)}` : ''} public key`);
  }
  if (kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    return reject(`RSA modulus under ${MIN_RSA_BITS} bits`);
  }
  return { kid, key, algorithms: new Set(algorithms) };
}

export function isRejection(r: VerificationKey | JwkRejection): r is JwkRejection {
  return 'reason' in r;
}
