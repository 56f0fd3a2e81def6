// Token verification: jose's jwtVerify does the JOSE work (compact JWS parsing and decoding, the algorithm
// allowlist, the signature, iss, aud, exp required, nbf, typ, the clock tolerance), over keys the key store
// found through the configured issuer only. Around it stay the few rules of ours that are stricter than
// jose, each a small named check in the key function (so a refused token costs no key fetch), and the
// claims jose does not know (claims.ts).
import { decodeJwt, jwtVerify, type CryptoKey, type FlattenedJWSInput, type JWSHeaderParameters, type JWTVerifyOptions } from 'jose';
import { validateClaims, type ClaimRules, type Principal } from './claims';
import { TokenError } from './errors';
import { fromJose } from './jose-errors';
import type { KeyStore } from './key-store';
import type { VerificationKey } from './signing-key';

export interface VerifierOptions extends ClaimRules {
  readonly algorithms: readonly string[];
  readonly requireAtJwt: boolean;
}

export interface Verified extends Principal {
  readonly kid: string | undefined;
  readonly alg: string;
  /** The key jose verified the signature with: a cached verification lives only as long as it is published. */
  readonly key: CryptoKey;
  /** The verified claims set, for route claim rules and the claims handed on in the context. */
  readonly claims: Readonly<Record<string, unknown>>;
}

const MAX_KID_LENGTH = 1024;

/** The token's claims, unverified, for the slow path only (keys to fetch); undefined when it has none to read. */
function unverifiedClaims(token: string): { iss?: unknown } | undefined {
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

/** Several keys share the token's kid: each is tried in turn, as jose's JWKSMultipleMatchingKeys suggests. */
class SeveralKeys {
  constructor(readonly keys: readonly VerificationKey[]) {}
}

/**
 * Header parameters we refuse although jose could honour them: `b64: false` (RFC 7797) changes what is
 * signed, and no `crit` extension, compression or encryption belongs in an access token.
 */
function checkHeader(header: JWSHeaderParameters): void {
  if (header.crit !== undefined || header.b64 !== undefined || header.zip !== undefined || header.enc !== undefined) {
    throw new TokenError('HEADER_UNSUPPORTED', 'token uses a header parameter this verifier does not support');
  }
  const { kid } = header;
  if (kid !== undefined && (typeof kid !== 'string' || kid.length > MAX_KID_LENGTH)) throw new TokenError('TOKEN_MALFORMED', 'kid is not a short string');
}

/**
 * One issued signature, one accepted spelling, so one verified-token cache entry and one API Gateway cache
 * key per token: base64url decoding ignores unused trailing bits, padding and stray characters, so the
 * signature must be exactly what an encoder gives for the bytes it stands for (RFC 4648 §3.5). Returns the
 * signature's length in bytes.
 */
export function canonicalSignatureBytes(signature: string): number {
  const bytes = Buffer.from(signature, 'base64url');
  if (bytes.length === 0 || bytes.toString('base64url') !== signature) throw new TokenError('TOKEN_MALFORMED', 'signature is not canonical base64url');
  return bytes.length;
}

/**
 * An RSA signature is exactly as long as the modulus (RFC 8017 §8.1.2, §8.2.2); OpenSSL lets a PSS signature
 * whose leading zero byte was dropped verify, which would be a second spelling of one signature. Returns the
 * key for jose.
 */
function checkedKey(key: VerificationKey, signatureBytes: number): CryptoKey {
  const bits = (key.key.algorithm as { modulusLength?: number }).modulusLength;
  if (bits !== undefined && signatureBytes !== Math.ceil(bits / 8)) throw new TokenError('SIGNATURE_INVALID', 'signature is not as long as the RSA modulus');
  return key.key;
}

export class JwtVerifier {
  private readonly joseOptions: JWTVerifyOptions;

  constructor(
    private readonly keys: KeyStore,
    private readonly options: VerifierOptions,
  ) {
    this.joseOptions = Object.freeze({
      issuer: options.issuer,
      // With client_id standing in for a missing aud (Cognito), the audience rule is ours (claims.ts).
      ...(options.clientIdAsAudience ? {} : { audience: [...options.audiences] }),
      algorithms: [...options.algorithms],
      clockTolerance: options.toleranceSeconds,
      requiredClaims: ['exp'],
      ...(options.requireAtJwt ? { typ: 'at+jwt' } : {}),
    });
  }

  /** Verifies a compact JWS and its claims at `nowSeconds`; throws TokenError, or KeysUnavailableError. */
  async verify(token: string, nowSeconds: number): Promise<Verified> {
    try {
      return await this.attempt(token, nowSeconds);
    } catch (e) {
      if (!(e instanceof SeveralKeys)) throw e;
      for (const key of e.keys) {
        try {
          return await this.attempt(token, nowSeconds, key);
        } catch (x) {
          if (!(x instanceof TokenError && x.code === 'SIGNATURE_INVALID')) throw x;
        }
      }
      throw new TokenError('SIGNATURE_INVALID', 'signature does not verify with any key of its kid');
    }
  }

  private async attempt(token: string, nowSeconds: number, only?: VerificationKey): Promise<Verified> {
    let verified;
    try {
      verified = await jwtVerify(token, (header, jws) => this.keyFor(token, header, jws, only), { ...this.joseOptions, currentDate: new Date(nowSeconds * 1000) });
    } catch (e) {
      throw e instanceof SeveralKeys ? e : fromJose(e, token);
    }
    const { payload, protectedHeader, key } = verified;
    const { sub, username, scopes, scopeString, exp, nbf } = validateClaims(payload, this.options, nowSeconds);
    return { sub, username, scopes, scopeString, exp, nbf, kid: protectedHeader.kid, alg: protectedHeader.alg, key: key as CryptoKey, claims: payload };
  }

  /**
   * The keys when they are not at hand (a kid the set lacks, a stale set): a token of another issuer is refused
   * here, before anything is fetched for it.
   */
  private lookUp(token: string, kid: string | undefined, alg: string): Promise<readonly VerificationKey[]> {
    const claims = unverifiedClaims(token);
    if (claims && claims.iss !== this.options.issuer) throw new TokenError('ISSUER_MISMATCH', 'iss is not the configured issuer', { tokenIss: claims.iss });
    return this.keys.candidates(kid, alg);
  }

  /**
   * jose's key function: our header and signature rules, then the one key the token's kid and alg select.
   * Synchronous when the keys are at hand (the usual case), so a verification waits on no promise of ours.
   */
  private keyFor(token: string, header: JWSHeaderParameters, jws: FlattenedJWSInput, only: VerificationKey | undefined): CryptoKey | Promise<CryptoKey> {
    checkHeader(header);
    const signatureBytes = canonicalSignatureBytes(jws.signature);
    if (only) return checkedKey(only, signatureBytes);
    const { kid, alg } = header as { kid: string | undefined; alg: string };
    const ready = this.keys.candidatesNow(kid, alg);
    if (ready) return pick(ready, kid, signatureBytes);
    return this.lookUp(token, kid, alg).then((candidates) => pick(candidates, kid, signatureBytes));
  }
}

/** The one key among `candidates` for a token with `kid`, or why there is none (SeveralKeys: try each). */
function pick(candidates: readonly VerificationKey[], kid: string | undefined, signatureBytes: number): CryptoKey {
  if (candidates.length === 0) throw new TokenError('KEY_NOT_FOUND', 'no key fits the token kid and alg');
  if (candidates.length > 1) {
    if (kid === undefined) throw new TokenError('KEY_NOT_FOUND', 'token has no kid and several keys fit');
    throw new SeveralKeys(candidates);
  }
  return checkedKey(candidates[0]!, signatureBytes);
}
