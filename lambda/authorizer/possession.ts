// Proof of possession: whether the caller holds the key a sender-constrained token is bound to. DPoP (RFC 9449
// §4.3, §7): a proof JWT in the `DPoP` header, verified by jose with the public key it embeds, made for this
// request (htm, htu), fresh (iat), for this token (ath), by the token's key (cnf.jkt) and never seen before
// (jti, replay-store.ts). Certificate-bound tokens (RFC 8705 §3): cnf["x5t#S256"] is the SHA-256 thumbprint of
// the client certificate API Gateway's mutual TLS handed on. Run on every request that presents a proof,
// verified-token cache hit or not: only the access token's own signature check is ever skipped.
import { createHash, X509Certificate } from 'node:crypto';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, type JWK, type JWSHeaderParameters, type FlattenedJWSInput } from 'jose';
import type { SenderConstraint } from '../shared/routes';
import { AuthorizerError, TokenError } from './errors';
import type { ReplayStore } from './replay-store';
import { singleHeader, type Credential } from './token';

/** What a token's `cnf` claim (RFC 7800) binds it to; `{}` for a cnf with no confirmation method we can check. */
export interface Binding {
  /** RFC 9449 §6.1: the JWK SHA-256 thumbprint of the DPoP key. */
  readonly jkt?: string;
  /** RFC 8705 §3.1: the SHA-256 thumbprint of the client certificate's DER. */
  readonly x5t?: string;
}

/** The token's binding, or undefined when it carries no `cnf`. */
export function bindingOf(claims: Readonly<Record<string, unknown>>): Binding | undefined {
  const cnf = claims.cnf;
  if (cnf === undefined) return undefined;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) return Object.freeze({});
  const { jkt, 'x5t#S256': x5t } = cnf as Record<string, unknown>;
  return Object.freeze({ ...(typeof jkt === 'string' && jkt !== '' ? { jkt } : {}), ...(typeof x5t === 'string' && x5t !== '' ? { x5t } : {}) });
}

export interface PossessionOptions {
  /** JWS algorithms a proof may use (asymmetric only: config.ts). */
  readonly algorithms: readonly string[];
  /** A proof's iat may be this far in the past, beyond the tolerance; in the future, only the tolerance. */
  readonly maxAgeSeconds: number;
  readonly toleranceSeconds: number;
  /** Longest DPoP header accepted, checked before parsing. */
  readonly maxProofBytes: number;
  /**
   * Whether some route takes proofs: then a bound token is refused on `off` routes, where nothing checks its
   * binding (RFC 9449 §7.2: a server taking both schemes must not accept a bound token as Bearer).
   */
  readonly takesProofs: boolean;
  /** Where proofs are remembered; built on first use (so a bearer-only authorizer never makes one). */
  readonly replay: () => ReplayStore;
}

type Event = Pick<APIGatewayRequestAuthorizerEvent, 'httpMethod' | 'headers' | 'multiValueHeaders' | 'requestContext'>;

/** Members of a private or symmetric JWK (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2): a proof's key holds none. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
/** Longest jti kept: the replay table's key is the thumbprint and the jti (DynamoDB allows 2048 bytes). */
const MAX_JTI_LENGTH = 256;
const LOOPBACK = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

const invalid = (why: string) => new TokenError('DPOP_PROOF_INVALID', why);
const mismatch = (why: string) => new TokenError('DPOP_BINDING_MISMATCH', why);
const isDpop = (name: string) => name.length === 4 && name.toLowerCase() === 'dpop';

/**
 * The URL the client called, as htu must name it (RFC 9449 §4.3): `https://` + the request's domainName + its
 * path as called (the execute-api form `/prod/profile` carries the stage; a custom domain's carries the base
 * path mapping, `/v1/profile`). `http://` only for a loopback domainName: the emulator, `npm start`.
 */
export function requestUri(context: Pick<Event['requestContext'], 'domainName' | 'path'>): string | undefined {
  const { domainName, path } = context;
  if (!domainName || typeof path !== 'string' || !path.startsWith('/')) return undefined;
  return `${LOOPBACK.test(domainName) ? 'http' : 'https'}://${domainName}${path}`;
}

/** `uri` as WHATWG URL normalizes it (case of scheme and host, default port, dot segments), without query. */
function normalized(uri: string): string | undefined {
  try {
    const u = new URL(uri);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return undefined;
  }
}

export class Possession {
  constructor(private readonly options: PossessionOptions) {}

  /**
   * Throws TokenError unless `credential`, a token bound as `binding` says, may be used on a route asking
   * `constraint`; a replay store failure is ReplayStoreUnavailableError. Returns whether the caller proved
   * possession (a decision that API Gateway must then never cache).
   */
  async check(constraint: SenderConstraint, credential: Credential, binding: Binding | undefined, event: Event, nowSeconds: number): Promise<boolean> {
    if (constraint === 'off') {
      if (credential.scheme === 'DPoP') throw new TokenError('TOKEN_MALFORMED', 'the DPoP scheme is not taken on this route');
      // An `off` route sits behind the cached authorizer, which cannot check a proof or a certificate per request
      // (its Allow is reused for the token's Authorization value); so a bound token cannot be used there at all.
      if (this.options.takesProofs && binding !== undefined) throw new TokenError('BEARER_NOT_ALLOWED', 'a bound token on a route that takes no proofs');
      return false;
    }
    if (credential.scheme === 'Bearer') {
      if (binding === undefined) {
        if (constraint === 'required') throw new TokenError('BEARER_NOT_ALLOWED', 'this route requires a sender-constrained token');
        return false;
      }
      // RFC 8705 tokens travel as Bearer over mutual TLS; a DPoP-bound one must come with its proof (RFC 9449 §7.1).
      if (binding.x5t === undefined || binding.jkt !== undefined) throw new TokenError('BEARER_NOT_ALLOWED', 'a bound token sent as a Bearer token');
      checkCertificate(binding.x5t, event);
      return true;
    }
    if (binding?.jkt === undefined) throw mismatch('the DPoP scheme with a token not bound to a DPoP key');
    await this.checkProof(credential.token, binding.jkt, event, nowSeconds);
    if (binding.x5t !== undefined) checkCertificate(binding.x5t, event);
    return true;
  }

  private async checkProof(token: string, jkt: string, event: Event, nowSeconds: number): Promise<void> {
    const proof = singleHeader(event.headers, event.multiValueHeaders, isDpop, invalid, 'DPoP')?.trim();
    if (!proof) throw new TokenError('DPOP_PROOF_MISSING', 'a DPoP-bound token came without a DPoP proof');
    if (proof.length > this.options.maxProofBytes) throw invalid('the DPoP header is over the size limit');

    let payload: Record<string, unknown>;
    let jwk: JWK;
    try {
      const verified = await jwtVerify(proof, proofKey, {
        typ: 'dpop+jwt',
        algorithms: [...this.options.algorithms],
        requiredClaims: ['iat', 'jti', 'htm', 'htu'],
        // jose's iat window: at most maxAge (+ tolerance) old, and no further in the future than the tolerance.
        maxTokenAge: this.options.maxAgeSeconds,
        clockTolerance: this.options.toleranceSeconds,
        currentDate: new Date(nowSeconds * 1000),
      });
      payload = verified.payload;
      jwk = verified.protectedHeader.jwk!;
    } catch (e) {
      // Everything in a proof is the caller's, its key included: whatever jose refuses is an invalid proof.
      if (e instanceof AuthorizerError) throw e;
      throw invalid('jose: the DPoP proof is not a valid dpop+jwt signed by its embedded key');
    }

    const { htm, htu, iat, jti, ath } = payload;
    if (htm !== event.httpMethod) throw invalid('htm is not the request method');
    const called = requestUri(event.requestContext);
    if (typeof htu !== 'string' || /[?#]/.test(htu)) throw invalid('htu is not a URL without query and fragment');
    const claimed = normalized(htu);
    if (called === undefined || claimed === undefined || claimed !== normalized(called)) throw invalid('htu is not the URL of the request');
    const window = this.options.maxAgeSeconds + this.options.toleranceSeconds;
    if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) throw invalid(`jti is not a string of 1 to ${MAX_JTI_LENGTH} characters`);

    if (ath !== createHash('sha256').update(token).digest('base64url')) throw mismatch('ath is not the hash of the access token');
    if ((await calculateJwkThumbprint(jwk, 'sha256')) !== jkt) throw mismatch("the proof's key is not the one the token is bound to (cnf.jkt)");

    // Last, so that only proofs good in every other way are written. The jti is hashed into the key: a fixed
    // length and alphabet, whatever the caller put in it (a lone surrogate, say, that a store might refuse).
    await this.options.replay().remember(`${jkt}#${createHash('sha256').update(jti).digest('base64url')}`, Math.floor(iat as number) + window, nowSeconds);
  }
}

/**
 * jose's key function for a proof: the embedded jwk, once it is known to be a public key of an asymmetric type
 * and the header asks for nothing we do not support. EmbeddedJWK then binds it to the alg and imports it.
 */
function proofKey(header: JWSHeaderParameters, token: FlattenedJWSInput) {
  const jwk = header.jwk as unknown;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw invalid('the proof header has no jwk');
  if (PRIVATE_MEMBERS.some((m) => m in jwk) || (jwk as { kty?: unknown }).kty === 'oct') throw invalid('the proof jwk is not a public key');
  if (header.crit !== undefined || header.b64 !== undefined) throw invalid('the proof uses a header parameter this verifier does not support');
  return EmbeddedJWK(header, token);
}

/** RFC 8705 §3.1: cnf["x5t#S256"] must be the base64url SHA-256 of the client certificate's DER. */
function checkCertificate(x5t: string, event: Event): void {
  const pem = event.requestContext.identity?.clientCert?.clientCertPem;
  if (!pem) throw new TokenError('CERT_BINDING_MISMATCH', 'a certificate-bound token came without a client certificate');
  let thumbprint: string;
  try {
    thumbprint = createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
  } catch {
    throw new TokenError('CERT_BINDING_MISMATCH', 'the client certificate could not be read');
  }
  if (thumbprint !== x5t) throw new TokenError('CERT_BINDING_MISMATCH', 'the client certificate is not the one the token is bound to');
}
