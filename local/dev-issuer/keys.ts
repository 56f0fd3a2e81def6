// The embedded issuer's signing keys, generated at start and never written anywhere. A rotation is the
// kind real issuers do: the next key is published in the JWKS before it signs anything, so verifiers
// holding a cached JWKS accept it at once, and the previous key stays published for tokens in flight.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function generateSigningKey(alg: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, alg, privateKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } };
}

export class DevKeyRing {
  private constructor(
    private activeKey: SigningKey,
    private nextKey: SigningKey,
    private previousKey: SigningKey | undefined,
    private readonly alg: string,
  ) {}

  /** @param alg JWS algorithm of every key. @default 'ES256' */
  static async create(alg = 'ES256'): Promise<DevKeyRing> {
    const [active, next] = await Promise.all([generateSigningKey(alg), generateSigningKey(alg)]);
    return new DevKeyRing(active, next, undefined, alg);
  }

  /** The key tokens are signed with now. */
  get active(): SigningKey {
    return this.activeKey;
  }

  /** Public keys: active, pre-published next and (after a rotation) the previous one. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.activeKey, this.nextKey, this.previousKey].filter((k) => k !== undefined).map((k) => k.publicJwk) };
  }

  /** Promotes the pre-published key, keeps the old one published, and pre-publishes a new next key. */
  async rotate(): Promise<SigningKey> {
    const upcoming = await generateSigningKey(this.alg);
    this.previousKey = this.activeKey;
    this.activeKey = this.nextKey;
    this.nextKey = upcoming;
    return this.activeKey;
  }
}
