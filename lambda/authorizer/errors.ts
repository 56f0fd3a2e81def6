// The authorizer's error tree. Every failure carries a stable `code`; callers branch on it, never on text.
// Only handler.ts turns these into what API Gateway understands (see toGatewayError there).

import { OidcError } from '../shared/errors';

export { ConfigError } from '../shared/errors';

/** A failure of the authorizer at run time; configuration errors are the shared ConfigError. */
export abstract class AuthorizerError extends OidcError {}

/** Why a presented token was refused. Every one of these ends in 401 but SCOPE_MISSING, which is 403 (handler.ts). */
export type TokenErrorCode =
  | 'TOKEN_MALFORMED' // not a bearer credential, not three base64url parts, or unparsable JSON
  | 'TOKEN_TOO_LARGE'
  | 'TOKEN_AMBIGUOUS' // more than one Authorization header or credential
  | 'ALG_NOT_ALLOWED' // not on the allowlist, or not fit for the key
  | 'HEADER_UNSUPPORTED' // crit, b64, or another header we will not honour
  | 'TYP_INVALID'
  | 'KEY_NOT_FOUND'
  | 'SIGNATURE_INVALID'
  | 'ISSUER_MISMATCH'
  | 'AUDIENCE_MISMATCH'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'ISSUED_IN_FUTURE'
  | 'CLAIM_INVALID' // a registered claim of the wrong type, or a required one missing
  | 'CLAIM_TOO_LARGE' // sub or the username over 255 bytes, or the scopes over 1024: docs/configuration.md, "Size"
  | 'ANSWER_TOO_LARGE' // the whole answer (policy, context, principal) would be over 8 KB
  | 'TOKEN_USE_INVALID' // token_use present and not "access" (a Cognito ID token)
  | 'SCOPE_MISSING' // verified, but lacks a scope every token must hold: 403 insufficient_scope, RFC 6750 §3.1
  // Proof of possession (possession.ts): RFC 9449 DPoP, RFC 8705 certificate-bound tokens.
  | 'DPOP_PROOF_MISSING' // a DPoP-bound token came without a DPoP header
  | 'DPOP_PROOF_INVALID' // the proof's typ, alg, jwk, signature or claims, or more than one DPoP header
  | 'DPOP_BINDING_MISMATCH' // the proof's key is not the token's cnf.jkt, or its ath is not the token's hash
  | 'DPOP_REPLAY' // the proof's jti was seen before within its window
  | 'BEARER_NOT_ALLOWED' // a plain bearer token where a proof is required, or a bound token sent as Bearer
  | 'CERT_BINDING_MISMATCH'; // cnf["x5t#S256"] is not the thumbprint of the client certificate, or none came

/**
 * What the decision log may add to a refusal's code: `tokenIss` is the token's own, unverified `iss` (for
 * ISSUER_MISMATCH; the log bounds and escapes it), `sub` and `missingScope` name a verified token that lacks a
 * required scope (SCOPE_MISSING, which the handler answers with a Deny rather than a 401).
 */
export interface TokenFacts {
  readonly tokenIss?: unknown;
  readonly sub?: string;
  readonly missingScope?: string;
}

export class TokenError extends AuthorizerError {
  // Spelled out: the authorizer is minified without keepNames, which would mangle the class name.
  override readonly name = 'TokenError';
  constructor(
    readonly code: TokenErrorCode,
    message: string,
    readonly facts: TokenFacts = {},
  ) {
    super(message);
  }
}

/** No token came to a route that requires one. Ends in 401. */
export class TokenMissingError extends AuthorizerError {
  override readonly name = 'TokenMissingError';
  readonly code = 'TOKEN_MISSING';
}

export type FetchErrorCode = 'FETCH_TIMEOUT' | 'FETCH_STATUS' | 'FETCH_TOO_LARGE' | 'FETCH_NOT_JSON' | 'FETCH_NETWORK';

/** A discovery or JWKS request did not give a usable JSON document. */
export class FetchError extends AuthorizerError {
  override readonly name = 'FetchError';
  constructor(
    readonly code: FetchErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type KeySetErrorCode = 'DISCOVERY_INVALID' | 'JWKS_INVALID';

/** The issuer answered, but with a document we must not trust or cannot use. */
export class KeySetError extends AuthorizerError {
  override readonly name = 'KeySetError';
  constructor(
    readonly code: KeySetErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The issuer's keys cannot be had at all: never fetched, or older than the max stale age. Ends in 503. A kid
 * the key set lacks is not this: that token is invalid (TokenError KEY_NOT_FOUND).
 */
export class KeysUnavailableError extends AuthorizerError {
  override readonly name = 'KeysUnavailableError';
  readonly code = 'KEYS_UNAVAILABLE';
}

/**
 * The DPoP replay store could not say whether a proof is new (unreachable, failing, or too slow). Ends in 503:
 * a proof that might be a replay is never allowed.
 */
export class ReplayStoreUnavailableError extends AuthorizerError {
  override readonly name = 'ReplayStoreUnavailableError';
  readonly code = 'REPLAY_STORE_UNAVAILABLE';
}
