// JWS compact verification on the hot path (RFC 7515, RFC 8725): strict parsing, an allowlisted alg bound
// to the key, the signature checked synchronously with node:crypto, then the claims.
// jose's WebCrypto path hands each verify to a worker thread and back; node:crypto.verify with an imported
// KeyObject does the same check in-line at a fraction of the cost (see bench/).
import { verify as cryptoVerify } from 'node:crypto';
import { ALGORITHMS, type AlgorithmSpec } from './algorithms';
import { validateClaims, type ClaimRules, type Principal } from './claims';
import { TokenError } from './errors';
import type { VerificationKey } from './jwk';
import type { KeyStore } from './key-store';

export interface VerifierOptions extends ClaimRules {
  readonly algorithms: ReadonlySet<string>;
  readonly requireAtJwt: boolean;
}

export interface Verified extends Principal {
  readonly kid: string | undefined;
  readonly alg: string;
  /** The published key whose signature check passed: a cached verification lives only as long as it does. */
  readonly key: VerificationKey;
}

const MAX_KID_LENGTH = 1024;
const AT_JWT_TYPES = new Set(['at+jwt', 'application/at+jwt']);

function parseJson(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('TOKEN_MALFORMED', `${what} is not base64url JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TokenError('TOKEN_MALFORMED', `${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** A compact JWS whose header passed every check that needs no key. */
interface ParsedJws {
  readonly token: string;
  /** Indexes of the two dots. */
  readonly first: number;
  readonly last: number;
  readonly alg: string;
  readonly kid: string | undefined;
  readonly spec: AlgorithmSpec;
  readonly signature: Buffer;
}

export class JwtVerifier {
  constructor(
    private readonly keys: KeyStore,
    private readonly options: VerifierOptions,
  ) {}

  /** Verifies a compact JWS and its claims at `nowSeconds`; throws TokenError or KeysUnavailableError. */
  async verify(token: string, nowSeconds: number): Promise<Verified> {
    const jws = this.parse(token);
    return this.finish(jws, this.keys.candidatesNow(jws.kid, jws.alg) ?? (await this.keys.candidates(jws.kid, jws.alg)), nowSeconds);
  }

  /**
   * `verify` without a promise, for the hot path: the same checks, answered synchronously when the keys are
   * at hand. Undefined when keys must be fetched first; then call `verify`.
   */
  verifyNow(token: string, nowSeconds: number): Verified | undefined {
    const jws = this.parse(token);
    const candidates = this.keys.candidatesNow(jws.kid, jws.alg);
    return candidates && this.finish(jws, candidates, nowSeconds);
  }

  private parse(token: string): ParsedJws {
    const first = token.indexOf('.');
    const last = token.lastIndexOf('.');
    if (first <= 0 || last === first || last === token.length - 1 || token.indexOf('.', first + 1) !== last) {
      throw new TokenError('TOKEN_MALFORMED', 'not a compact JWS of three parts');
    }
    const header = parseJson(token.slice(0, first), 'header');
    const { alg, kid, crit, typ } = header;

    if (typeof alg !== 'string' || !this.options.algorithms.has(alg)) throw new TokenError('ALG_NOT_ALLOWED', 'alg is not allowed');
    // No crit extension is understood here, and b64:false (RFC 7797) would change what is signed.
    if (crit !== undefined || header.b64 !== undefined || header.zip !== undefined || header.enc !== undefined) {
      throw new TokenError('HEADER_UNSUPPORTED', 'token uses a header parameter this verifier does not support');
    }
    if (kid !== undefined && (typeof kid !== 'string' || kid.length > MAX_KID_LENGTH)) throw new TokenError('TOKEN_MALFORMED', 'kid is not a short string');
    if (this.options.requireAtJwt && !(typeof typ === 'string' && AT_JWT_TYPES.has(typ.toLowerCase()))) {
      throw new TokenError('TYP_INVALID', 'typ is not at+jwt');
    }

    // Base64url decoding ignores stray characters and unused trailing bits; re-encoding must give the
    // same text, or two spellings of one signature would both be accepted.
    const signaturePart = token.slice(last + 1);
    const signature = Buffer.from(signaturePart, 'base64url');
    if (signature.toString('base64url') !== signaturePart) throw new TokenError('TOKEN_MALFORMED', 'signature is not canonical base64url');
    const spec = ALGORITHMS[alg]!;
    if (spec.signatureBytes !== undefined && signature.length !== spec.signatureBytes) throw new TokenError('SIGNATURE_INVALID', 'signature has the wrong length');
    return { token, first, last, alg, kid: kid as string | undefined, spec, signature };
  }

  private finish(jws: ParsedJws, candidates: readonly VerificationKey[], nowSeconds: number): Verified {
    const { token, first, last, alg, kid, spec, signature } = jws;
    if (candidates.length === 0) throw new TokenError('KEY_NOT_FOUND', 'no key fits the token kid and alg');
    if (candidates.length > 1 && kid === undefined) throw new TokenError('KEY_NOT_FOUND', 'token has no kid and several keys fit');
    const signingInput = Buffer.from(token.slice(0, last), 'latin1');
    let verifiedBy: VerificationKey | undefined;
    for (const c of candidates) {
      const key = { key: c.key, padding: spec.padding, saltLength: spec.saltLength, dsaEncoding: spec.dsaEncoding };
      if (cryptoVerify(spec.hash, signingInput, key, signature)) {
        verifiedBy = c;
        break;
      }
    }
    if (!verifiedBy) throw new TokenError('SIGNATURE_INVALID', 'signature does not verify');

    const claims = parseJson(token.slice(first + 1, last), 'payload');
    const p = validateClaims(claims, this.options, nowSeconds);
    return { sub: p.sub, username: p.username, scopes: p.scopes, scopeString: p.scopeString, exp: p.exp, nbf: p.nbf, kid, alg, key: verifiedBy };
  }
}
