// One JWK of the issuer's set, imported by jose. Which algorithms the key may serve (kty, crv, its own alg,
// use, key_ops) is jose's createLocalJWKSet's decision, asked per algorithm and remembered, so that a key is
// imported once per algorithm and the hot path asks nothing twice. What stays ours is stricter than jose:
// a kid must be a string (it indexes the set), and RSA keys under 2048 bits are left out of the set rather
// than failing every token they sign.
import { createLocalJWKSet, type CryptoKey, type JWK } from 'jose';
import { MIN_RSA_BITS } from './algorithms';

/** A key imported for one algorithm: `key` is the very object jose's jwtVerify returns as the key it used. */
export interface VerificationKey {
  readonly kid: string | undefined;
  readonly alg: string;
  readonly key: CryptoKey;
}

export type KeyRejection = { readonly kid: string | undefined; readonly reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class SigningKey {
  /** Per algorithm: the imported key, or null when jose says the key does not fit it. */
  private readonly fits = new Map<string, VerificationKey | null>();
  private readonly pending = new Map<string, Promise<VerificationKey | null>>();

  private constructor(
    readonly kid: string | undefined,
    private readonly jwk: Record<string, unknown>,
    private readonly resolve: ReturnType<typeof createLocalJWKSet>,
    private readonly allowed: ReadonlySet<string>,
  ) {}

  /**
   * Imports `jwk` for the first allowed algorithm it fits (its own `alg` when it names one), which also proves
   * the key material sound; other algorithms are imported when a token first asks for them.
   */
  static async import(jwk: unknown, allowed: readonly string[]): Promise<SigningKey | KeyRejection> {
    if (!isObject(jwk)) return { kid: undefined, reason: 'not an object' };
    const kid = typeof jwk.kid === 'string' ? jwk.kid : undefined;
    if (jwk.kid !== undefined && kid === undefined) return { kid, reason: 'kid is not a string' };
    // jose refuses such a member too; said here in words an operator can act on.
    if (jwk.d !== undefined) return { kid, reason: 'publishes private key material' };
    let resolve: ReturnType<typeof createLocalJWKSet>;
    try {
      resolve = createLocalJWKSet({ keys: [jwk as JWK] });
    } catch {
      return { kid, reason: 'not a JSON Web Key' };
    }
    const key = new SigningKey(kid, jwk, resolve, new Set(allowed));
    const order = typeof jwk.alg === 'string' ? [jwk.alg] : allowed;
    let firstError: string | undefined;
    for (const alg of order) {
      if (!key.allowed.has(alg)) return { kid, reason: `alg ${JSON.stringify(jwk.alg)} is not allowed` };
      try {
        const fit = await key.tryImport(alg);
        if (fit) return key.checkStrength(fit) ?? key;
      } catch (e) {
        firstError ??= `import failed (${(e as { code?: string }).code ?? (e as Error).name})`;
      }
    }
    return { kid, reason: firstError ?? `no allowed algorithm fits it (${key.describe()})` };
  }

  /** What `fit` answers, when known without a promise; undefined when jose must be asked first. */
  fitNow(alg: string): VerificationKey | null | undefined {
    return this.fits.get(alg);
  }

  /** The key imported for `alg`, or null when it does not fit (or `alg` is not allowed). */
  fit(alg: string): Promise<VerificationKey | null> {
    const known = this.fits.get(alg);
    if (known !== undefined) return Promise.resolve(known);
    let p = this.pending.get(alg);
    if (!p) {
      // An import that fails for one algorithm (the material was sound for another) means it does not fit.
      p = this.tryImport(alg).catch(() => this.remember(alg, null));
      this.pending.set(alg, p);
    }
    return p;
  }

  private async tryImport(alg: string): Promise<VerificationKey | null> {
    if (!this.allowed.has(alg)) return this.remember(alg, null);
    try {
      const key = await this.resolve({ alg });
      return this.remember(alg, { kid: this.kid, alg, key });
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_JWKS_NO_MATCHING_KEY') return this.remember(alg, null);
      throw e;
    }
  }

  private remember(alg: string, value: VerificationKey | null): VerificationKey | null {
    this.fits.set(alg, value);
    this.pending.delete(alg);
    return value;
  }

  private checkStrength(fit: VerificationKey): KeyRejection | undefined {
    const bits = (fit.key.algorithm as { modulusLength?: number }).modulusLength;
    return bits !== undefined && bits < MIN_RSA_BITS ? { kid: this.kid, reason: `RSA modulus under ${MIN_RSA_BITS} bits` } : undefined;
  }

  private describe(): string {
    return ['kty', 'crv', 'alg', 'use', 'key_ops']
      .filter((m) => this.jwk[m] !== undefined)
      .map((m) => `${m} ${JSON.stringify(this.jwk[m])}`)
      .join(', ');
  }
}

export function isRejection(r: SigningKey | KeyRejection): r is KeyRejection {
  return 'reason' in r;
}
